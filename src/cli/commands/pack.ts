import { writeFileSync } from 'node:fs';
import { UserError } from '../../errors.ts';
import type { CliContext } from '../context.ts';
import { readInput } from '../files.ts';
import { UsageError } from '../usage.ts';

/** Largest pack file read: a full ZIP at its unpacked limit (photos barely compress). */
const MAX_PACK_FILE_BYTES = 512 * 1024 * 1024;

const USAGE = 'usage: lookalike pack export <file>  or  lookalike pack import <file>';

/** `lookalike pack export <file>` and `lookalike pack import <file>`: a whole gallery in one file. */
export async function runPack(ctx: CliContext, positionals: string[]): Promise<number> {
  const [action, file, ...rest] = positionals;
  if (file === undefined || rest.length > 0) throw new UsageError(USAGE);
  if (action === 'export') return exportPack(ctx, file);
  if (action === 'import') return importPack(ctx, file);
  throw new UsageError(USAGE);
}

async function exportPack(ctx: CliContext, file: string): Promise<number> {
  const { pack, identities, photos } = await ctx.service.exportPack(ctx.scope);
  try {
    writeFileSync(file, pack);
  } catch (err) {
    throw new UserError('bad_path', {
      text: 'path_unwritable',
      file,
      why: String((err as NodeJS.ErrnoException).code),
    });
  }
  if (ctx.out.json) ctx.out.record({ file, identities, photos, bytes: pack.byteLength });
  else
    ctx.out.line(
      `Wrote ${identities} ${identities === 1 ? 'person' : 'people'} and ${photos} photo${photos === 1 ? '' : 's'} of the "${ctx.scope}" gallery to ${file}.`,
    );
  return 0;
}

async function importPack(ctx: CliContext, file: string): Promise<number> {
  const { out } = ctx;
  const summary = await ctx.service.importArchive(ctx.scope, readInput(file, MAX_PACK_FILE_BYTES), 'cli', {
    packOnly: true,
    onProgress: (done, total) => out.progress('Re-embedding', done, total),
  });
  out.endProgress();
  if (out.json) {
    out.record(summary);
    return 0;
  }
  if (summary.reembedded) {
    out.line(
      `Re-embedded ${summary.reembedded.photos} photos from their thumbnails: ${summary.reembedded.reason}.`,
    );
  }
  out.line(
    `Imported ${summary.added} photo${summary.added === 1 ? '' : 's'} of ${summary.people} ${summary.people === 1 ? 'person' : 'people'}; the "${ctx.scope}" gallery has ${summary.identities} identit${summary.identities === 1 ? 'y' : 'ies'}.`,
  );
  if (summary.duplicates.length > 0) out.line(`Already in the gallery: ${summary.duplicates.length}.`);
  if (summary.skipped.length > 0) {
    out.line(`Skipped ${summary.skipped.length}:`);
    for (const s of summary.skipped) out.line(`  ${s.file}: ${s.reason}`);
  }
  return 0;
}
