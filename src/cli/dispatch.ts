import type { CliContext } from './context.ts';

/** The options a command may read (parsed in main.ts). */
export interface CommandOptions {
  name?: string;
  from?: string;
  /** Photos `infer` holds at once. */
  inFlight: number;
  /** `infer --explain`: the regions that make each face resemble its match. */
  explain?: boolean;
}

/**
 * Runs one command; main.ts loads this module only past --help, so that help starts fast. Each command's
 * module loads on its own: `infer` does not pay for the gallery's and the packs' (ZIP) code.
 */
export async function runCommand(
  ctx: CliContext,
  command: string,
  rest: string[],
  values: CommandOptions,
): Promise<number> {
  switch (command) {
    case 'enroll':
      return await (await import('./commands/gallery.ts')).runEnroll(ctx, rest, values.name);
    case 'train':
      return await (await import('./commands/gallery.ts')).runTrain(ctx);
    case 'reembed':
      return await (await import('./commands/gallery.ts')).runReembed(ctx, rest, values.from);
    case 'list':
      return await (await import('./commands/gallery.ts')).runList(ctx);
    case 'remove':
      return await (await import('./commands/gallery.ts')).runRemove(ctx, rest);
    case 'rename':
      return await (await import('./commands/gallery.ts')).runRename(ctx, rest);
    case 'infer':
      return await (await import('./commands/faces.ts')).runInfer(
        ctx,
        rest,
        values.inFlight,
        values.explain === true,
      );
    case 'compare':
      return await (await import('./commands/faces.ts')).runCompare(ctx, rest);
    case 'export':
      return await (await import('./commands/gallery.ts')).runExport(ctx, rest);
    case 'pack':
      return await (await import('./commands/pack.ts')).runPack(ctx, rest);
    default:
      // main.ts answers unknown commands with the usage before loading this module.
      throw new Error(`unknown command "${command}"`);
  }
}
