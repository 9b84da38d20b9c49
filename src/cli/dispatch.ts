import { runCompare, runInfer } from './commands/faces.ts';
import {
  runEnroll,
  runExport,
  runList,
  runReembed,
  runRemove,
  runRename,
  runTrain,
} from './commands/gallery.ts';
import { runPack } from './commands/pack.ts';
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

/** Runs one command; main.ts loads this module only past --help, so that help starts fast. */
export async function runCommand(
  ctx: CliContext,
  command: string,
  rest: string[],
  values: CommandOptions,
): Promise<number> {
  switch (command) {
    case 'enroll':
      return await runEnroll(ctx, rest, values.name);
    case 'train':
      return await runTrain(ctx);
    case 'reembed':
      return await runReembed(ctx, rest, values.from);
    case 'list':
      return await runList(ctx);
    case 'remove':
      return await runRemove(ctx, rest);
    case 'rename':
      return await runRename(ctx, rest);
    case 'infer':
      return await runInfer(ctx, rest, values.inFlight, values.explain === true);
    case 'compare':
      return await runCompare(ctx, rest);
    case 'export':
      return await runExport(ctx, rest);
    case 'pack':
      return await runPack(ctx, rest);
    default:
      // main.ts answers unknown commands with the usage before loading this module.
      throw new Error(`unknown command "${command}"`);
  }
}
