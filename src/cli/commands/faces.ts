import { UserError } from '../../errors.ts';
import { describeResemblance } from '../../resemblance/wording.ts';
import { mapLimit } from '../../util/concurrency.ts';
import type { CliContext } from '../context.ts';
import { readInput } from '../files.ts';
import { round2 } from '../output.ts';

/** `lookalike infer <images…>`: OpenFace's "Predict <name> with 0.73 confidence", per face. */
export async function inferCommand(ctx: CliContext, files: string[]): Promise<number> {
  if (files.length === 0) throw new UserError('bad_input', 'usage: lookalike infer <images…>');
  const { out, service, scope } = ctx;
  let failures = 0;
  let warnedEmpty = false;
  // Files go to the pool in parallel, but results print in the order given.
  await mapLimit(files, 4, async (file) => {
    try {
      return { file, result: await service.identify(scope, readInput(file)) };
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      return { file, error: err.message };
    }
  }).then((results) => {
    for (const r of results) {
      if ('error' in r) {
        failures++;
        if (out.json) out.record({ file: r.file, faces: [], error: r.error });
        else out.line(`${r.file}: error: ${r.error}`);
        continue;
      }
      const faces = r.result.faces.map((f) => ({
        box: f.box,
        match: f.match && {
          name: f.match.name,
          confidence: round2(f.match.confidence),
          similarity: round2(f.match.similarity),
          same: f.match.same,
          ...(f.match.resemblance
            ? {
                resemblance: f.match.resemblance.regions.map((r) => ({
                  region: r.region,
                  percentile: r.percentile,
                })),
              }
            : {}),
        },
        top: f.top.map((c) => ({
          name: c.name,
          confidence: round2(c.confidence),
          similarity: round2(c.similarity),
        })),
      }));
      if (out.json) {
        out.record({ file: r.file, faces });
        continue;
      }
      if (faces.length === 0) out.line(`${r.file}: no face found`);
      if (r.result.method === 'none' && faces.length > 0 && !warnedEmpty) {
        warnedEmpty = true;
        out.line(`The "${scope}" gallery is empty: enrol people with "lookalike enroll <dir>" first.`);
      }
      for (const [i, f] of faces.entries()) {
        const where = `${r.file}: face ${i + 1} [${f.box.join(', ')}]`;
        if (!f.match) {
          out.line(`${where}: no gallery to compare with`);
          continue;
        }
        const top = f.top.map((c) => `${c.name} ${c.confidence.toFixed(2)}`).join(', ');
        const how = r.result.method === 'similarity' ? ' (one identity: similarity only)' : '';
        const why = f.match.resemblance ? `; ${describeResemblance(f.match.resemblance)}` : '';
        out.line(
          `${where}: Predict ${f.match.name} with ${f.match.confidence.toFixed(2)} confidence${how}; similarity ${f.match.similarity.toFixed(2)}${f.match.same ? ', same person' : ''}; top 3: ${top}${why}`,
        );
      }
    }
  });
  return failures === files.length ? 1 : 0;
}

/** `lookalike compare <a> <b>`: similarity of the largest face in each. */
export async function compareCommand(ctx: CliContext, files: string[]): Promise<number> {
  if (files.length !== 2) throw new UserError('bad_input', 'usage: lookalike compare <a> <b>');
  const [a, b] = files as [string, string];
  const result = await ctx.service.compare(readInput(a), readInput(b), [a, b]);
  if (ctx.out.json) ctx.out.record({ similarity: round2(result.similarity), same: result.same });
  else {
    ctx.out.line(
      `Similarity ${result.similarity.toFixed(2)}: ${result.same ? 'probably the same person' : 'probably different people'}.`,
    );
  }
  return 0;
}
