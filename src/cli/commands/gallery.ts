import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { byHash, reembedFix } from '../../core/reembed.ts';
import type { Skipped } from '../../domain/types.ts';
import { mainFaceNote } from '../../user-texts.ts';
import type { CliContext } from '../context.ts';
import { folderBatches, listImages, readInput } from '../files.ts';
import { UsageError } from '../usage.ts';

/** `lookalike enroll <dir>` or `lookalike enroll --name "Brad Pitt" <images…>`. */
export async function runEnroll(
  ctx: CliContext,
  positionals: string[],
  name: string | undefined,
): Promise<number> {
  const { out, service, scope } = ctx;
  let batches: { name: string; images: { name: string; data: Uint8Array }[] }[];
  let unreadable: Skipped[] = [];
  if (name !== undefined) {
    if (positionals.length === 0) throw new UsageError('enroll --name needs at least one image file');
    batches = [{ name, images: positionals.map((f) => ({ name: f, data: readInput(f) })) }];
  } else {
    if (positionals.length !== 1) {
      throw new UsageError('usage: lookalike enroll <dir>  or  lookalike enroll --name "Name" <images…>');
    }
    ({ batches, skipped: unreadable } = folderBatches(positionals[0] as string));
  }
  const enrolled =
    batches.length > 0
      ? await service.enrollMany(scope, batches, 'cli', (done, total) =>
          out.progress('Enrolling', done, total),
        )
      : { enrolled: 0, identities: (await service.list(scope)).length, skipped: [], mainFaceOnly: [] };
  const result = { ...enrolled, skipped: [...unreadable, ...enrolled.skipped] };
  out.endProgress();
  if (out.json) {
    out.record(result);
  } else {
    out.line(
      `Enrolled ${result.enrolled} photo${result.enrolled === 1 ? '' : 's'}; the "${scope}" gallery has ${result.identities} identit${result.identities === 1 ? 'y' : 'ies'}.`,
    );
    if (result.mainFaceOnly.length > 0) {
      out.line(`Main face only in ${result.mainFaceOnly.length}:`);
      for (const m of result.mainFaceOnly) out.line(`  ${m.file}: ${mainFaceNote(m.ignoredFaces)}`);
    }
    if (result.skipped.length > 0) {
      out.line(`Skipped ${result.skipped.length}:`);
      for (const s of result.skipped) out.line(`  ${s.file}: ${s.reason}`);
    }
  }
  return 0;
}

/** `lookalike train`: retrains now, whatever the cache holds. */
export async function runTrain(ctx: CliContext): Promise<number> {
  const result = await ctx.service.train(ctx.scope);
  if (ctx.out.json) ctx.out.record(result);
  else if (result.identities < 2) {
    ctx.out.line(
      `The "${ctx.scope}" gallery has ${result.identities} identit${result.identities === 1 ? 'y' : 'ies'}: no classifier is possible, answers use similarity alone.`,
    );
  } else
    ctx.out.line(
      `Trained the linear SVM on ${result.identities} identities, ${result.photos} photos (${result.supportVectors} support vectors) in ${result.seconds.toFixed(1)} s (gallery version ${result.version}).`,
    );
  return 0;
}

/** `lookalike list`. */
export async function runList(ctx: CliContext): Promise<number> {
  const identities = await ctx.service.list(ctx.scope);
  if (ctx.out.json) {
    ctx.out.record({
      scope: ctx.scope,
      identities: identities.map((i) => ({ name: i.name, slug: i.slug, photos: i.photos.length })),
    });
  } else if (identities.length === 0) {
    ctx.out.line(`The "${ctx.scope}" gallery is empty. Enrol people with: lookalike enroll <dir>`);
  } else {
    for (const i of identities)
      ctx.out.line(`${i.name} (${i.slug}): ${i.photos.length} photo${i.photos.length === 1 ? '' : 's'}`);
  }
  return 0;
}

/** `lookalike remove <name>`. */
export async function runRemove(ctx: CliContext, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('usage: lookalike remove <name>');
  const removed = await ctx.service.remove(ctx.scope, positionals[0] as string);
  if (ctx.out.json)
    ctx.out.record({ removed: removed.name, slug: removed.slug, photos: removed.photos.length });
  else
    ctx.out.line(
      `Removed ${removed.name} and ${removed.photos.length} photo${removed.photos.length === 1 ? '' : 's'}.`,
    );
  return 0;
}

/** `lookalike rename <old> <new>`. */
export async function runRename(ctx: CliContext, positionals: string[]): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('usage: lookalike rename <old> <new>');
  const renamed = await ctx.service.rename(ctx.scope, positionals[0] as string, positionals[1] as string);
  if (ctx.out.json) ctx.out.record({ name: renamed.name, slug: renamed.slug });
  else ctx.out.line(`Renamed to ${renamed.name} (${renamed.slug}).`);
  return 0;
}

/** `lookalike export <dir>`: OpenFace's labels.csv and reps.csv. */
export async function runExport(ctx: CliContext, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('usage: lookalike export <dir>');
  const dir = positionals[0] as string;
  const rows = await ctx.service.embeddings(ctx.scope);
  const labels = [...new Set(rows.map((r) => r.slug))];
  mkdirSync(dir, { recursive: true });
  // OpenFace's labels.csv pairs a 1-based class number with the aligned image path, row for row with reps.csv.
  const labelLines = rows.map(
    (r) => `${labels.indexOf(r.slug) + 1},./${r.slug}/${path.basename(r.source ?? 'photo')}`,
  );
  const repLines = rows.map((r) => Array.from(r.embedding, (v) => v.toPrecision(8)).join(','));
  writeFileSync(path.join(dir, 'labels.csv'), labelLines.length ? `${labelLines.join('\n')}\n` : '');
  writeFileSync(path.join(dir, 'reps.csv'), repLines.length ? `${repLines.join('\n')}\n` : '');
  if (ctx.out.json) ctx.out.record({ dir, photos: rows.length, identities: labels.length });
  else
    ctx.out.line(
      `Wrote ${rows.length} embeddings of ${labels.length} identities to ${dir}/labels.csv and reps.csv.`,
    );
  return 0;
}

/** `lookalike reembed [--from <dir>]`: re-embeds photos another engine embedded, from originals in `dir` where found. */
export async function runReembed(
  ctx: CliContext,
  positionals: string[],
  from: string | undefined,
): Promise<number> {
  if (positionals.length > 0) throw new UsageError('usage: lookalike reembed [--from <folder>]');
  const originals = from ? byHash(listImages(from).map((f) => readInput(f))) : undefined;
  const report = await ctx.service.reembed(ctx.scope, originals);
  if (ctx.out.json) ctx.out.record(report);
  else {
    ctx.out.line(
      `Re-embedded ${report.reembedded} photo${report.reembedded === 1 ? '' : 's'} of the "${ctx.scope}" gallery with this engine.`,
    );
    if (report.failed.length > 0) {
      ctx.out.line(
        `${report.failed.length} could not be re-embedded from ${from ? 'the originals or their thumbnails' : 'their thumbnails'}:`,
      );
      for (const f of report.failed) ctx.out.line(`  ${f.identity}: ${f.source ?? f.hash}`);
      ctx.out.line(`They are left out of answers until fixed: ${reembedFix(ctx.scope)}`);
    }
  }
  return report.failed.length > 0 ? 1 : 0;
}
