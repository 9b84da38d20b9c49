import { compareCommand, inferCommand } from './commands/faces.ts';
import {
  enrollCommand,
  exportCommand,
  listCommand,
  reembedCommand,
  removeCommand,
  renameCommand,
  trainCommand,
} from './commands/gallery.ts';
import { packCommand } from './commands/pack.ts';
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
      return await enrollCommand(ctx, rest, values.name);
    case 'train':
      return await trainCommand(ctx);
    case 'reembed':
      return await reembedCommand(ctx, rest, values.from);
    case 'list':
      return await listCommand(ctx);
    case 'remove':
      return await removeCommand(ctx, rest);
    case 'rename':
      return await renameCommand(ctx, rest);
    case 'infer':
      return await inferCommand(ctx, rest, values.inFlight, values.explain === true);
    case 'compare':
      return await compareCommand(ctx, rest);
    case 'export':
      return await exportCommand(ctx, rest);
    case 'pack':
      return await packCommand(ctx, rest);
    default:
      // main.ts answers unknown commands with the usage before loading this module.
      throw new Error(`unknown command "${command}"`);
  }
}
