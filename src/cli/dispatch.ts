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

// Each command's module, loaded when one of its commands runs.
const gallery = () => import('./commands/gallery.ts');
const faces = () => import('./commands/faces.ts');

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
      return (await gallery()).runEnroll(ctx, rest, values.name);
    case 'train':
      return (await gallery()).runTrain(ctx);
    case 'reembed':
      return (await gallery()).runReembed(ctx, rest, values.from);
    case 'list':
      return (await gallery()).runList(ctx);
    case 'remove':
      return (await gallery()).runRemove(ctx, rest);
    case 'rename':
      return (await gallery()).runRename(ctx, rest);
    case 'infer':
      return (await faces()).runInfer(ctx, rest, values.inFlight, values.explain === true);
    case 'compare':
      return (await faces()).runCompare(ctx, rest);
    case 'export':
      return (await gallery()).runExport(ctx, rest);
    case 'pack':
      return (await import('./commands/pack.ts')).runPack(ctx, rest);
    default:
      // main.ts answers unknown commands with the usage before loading this module.
      throw new Error(`unknown command "${command}"`);
  }
}
