import type { BareAnswer, Identification } from '../../domain/types.ts';
import { UserError } from '../../errors.ts';
import { describeResemblance } from '../../resemblance/wording.ts';
import { mapOrdered } from '../../util/concurrency.ts';
import type { CliContext } from '../context.ts';
import { readInput } from '../files.ts';
import { round2 } from '../output.ts';
import { notImageReason, type PhotoInput, photoInputs } from '../photo-walk.ts';
import { UsageError } from '../usage.ts';

/** One file's outcome, as printed. */
type InferOutcome =
  | { file: string; result: Identification<BareAnswer> }
  | { file: string; error: string }
  | { file: string; skipped: string };

/**
 * `lookalike infer <images or folders…>`: OpenFace's "Predict <name> with 0.73 confidence", per face.
 * Answers stream: each prints as soon as it and those before it are done, in the order given, with at
 * most `inFlight` photos read or analysed at once, so a folder of any size runs in bounded memory. With
 * `explain`, also the regions that make each face resemble its match (on demand: it re-embeds sixteen
 * masked faces per face, see docs/resemblance.md).
 */
export async function runInfer(
  ctx: CliContext,
  args: string[],
  inFlight = 8,
  explain = false,
): Promise<number> {
  if (args.length === 0) throw new UsageError('usage: lookalike infer <images or folders…>');
  const { out, service, scope } = ctx;
  const tally = { answered: 0, failed: 0, skipped: 0, warnedEmpty: false };
  const analyse = async ({ file, fromFolder }: PhotoInput): Promise<InferOutcome> => {
    try {
      const skipped = fromFolder ? await notImageReason(file) : undefined;
      if (skipped) return { file, skipped };
      // Nothing here shows a face, so the engine makes no thumbnails (unless explaining, which reads them).
      return { file, result: await service.identify(scope, readInput(file), { explain, thumbnails: false }) };
    } catch (err) {
      if (err instanceof UserError) return { file, error: err.message };
      if ((err as NodeJS.ErrnoException).code)
        return { file, error: `cannot read (${(err as NodeJS.ErrnoException).code})` };
      throw err;
    }
  };
  for await (const outcome of mapOrdered(photoInputs(args), inFlight, analyse)) {
    printOutcome(ctx, outcome, tally, explain);
    const done = tally.answered + tally.failed;
    out.status?.(
      `infer: ${done} photo${done === 1 ? '' : 's'} done${tally.skipped ? `, ${tally.skipped} skipped` : ''}`,
    );
  }
  out.endProgress();
  if (tally.answered + tally.failed === 0) {
    throw new UserError('no_photos', { text: 'no_photos_in', items: args });
  }
  return tally.answered === 0 ? 1 : 0;
}

function printOutcome(
  { out, scope }: CliContext,
  outcome: InferOutcome,
  tally: { answered: number; failed: number; skipped: number; warnedEmpty: boolean },
  explain = false,
): void {
  if ('skipped' in outcome) {
    tally.skipped++;
    if (out.json) out.record({ file: outcome.file, faces: [], skipped: outcome.skipped });
    else out.line(`${outcome.file}: skipped: ${outcome.skipped}`);
    return;
  }
  if ('error' in outcome) {
    tally.failed++;
    if (out.json) out.record({ file: outcome.file, faces: [], error: outcome.error });
    else out.line(`${outcome.file}: error: ${outcome.error}`);
    return;
  }
  tally.answered++;
  const { file, result } = outcome;
  const faces = result.faces.map((f) => ({
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
              share: round2(r.share),
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
    out.record({ file, faces });
    return;
  }
  if (faces.length === 0) out.line(`${file}: no face found`);
  if (result.method === 'none' && faces.length > 0 && !tally.warnedEmpty) {
    tally.warnedEmpty = true;
    out.line(`The "${scope}" gallery is empty: enrol people with "lookalike enroll <dir>" first.`);
  }
  for (const [i, f] of faces.entries()) {
    const where = `${file}: face ${i + 1} [${f.box.join(', ')}]`;
    if (!f.match) {
      out.line(`${where}: no gallery to compare with`);
      continue;
    }
    const top = f.top.map((c) => `${c.name} ${c.confidence.toFixed(2)}`).join(', ');
    const how = result.method === 'similarity' ? ' (one identity: similarity only)' : '';
    // Asked for and not given (an engine without landmarks, or an explanation that failed): say so,
    // rather than print the answer as if nothing had been asked.
    const why = f.match.resemblance
      ? `; alike in ${describeResemblance(f.match.resemblance)}`
      : explain
        ? '; no explanation for this face'
        : '';
    out.line(
      `${where}: Predict ${f.match.name} with ${f.match.confidence.toFixed(2)} confidence${how}; similarity ${f.match.similarity.toFixed(2)}${f.match.same ? ', same person' : ''}; top 3: ${top}${why}`,
    );
  }
}

/** `lookalike compare <a> <b>`: similarity of the largest face in each. */
export async function runCompare(ctx: CliContext, files: string[]): Promise<number> {
  if (files.length !== 2) throw new UsageError('usage: lookalike compare <a> <b>');
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
