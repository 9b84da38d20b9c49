import { escapeMarkdown, HOW_TO_FILL, place, plural } from '../src/chat/format.ts';
import { optionInteger, requireString } from '../src/chat/options.ts';
import type { Command, CommandData, CommandInput, Deps, OptionName, Reply } from '../src/chat/types.ts';
import { UserError } from '../src/errors.ts';
import { exportGallery, importGallery, transferSubcommands } from './gallery-import.ts';

/** People per `/gallery list` page: keeps one page inside Discord's embed and Slack's block limits. */
export const PAGE_SIZE = 20;

/** `/gallery list [page]`, and for admins `remove name`, `rename from to`, `import file`, `export`. */
export const data = {
  name: 'gallery',
  description: "See or change this server's celebrity gallery",
  subcommands: [
    {
      name: 'list',
      description: 'List the people in the gallery',
      options: [{ name: 'page', description: 'Page number', type: 'integer', min: 1 }],
    },
    {
      name: 'remove',
      description: 'Remove a person and all their photos (admins)',
      requires: ['admin'],
      options: [{ name: 'name', description: 'Who to remove', type: 'string', required: true }],
    },
    {
      name: 'rename',
      description: 'Rename a person (admins)',
      requires: ['admin'],
      options: [
        { name: 'from', description: 'Current name', type: 'string', required: true },
        { name: 'to', description: 'New name', type: 'string', required: true },
      ],
    },
    ...transferSubcommands,
  ],
} as const satisfies CommandData;

type Input = CommandInput<OptionName<typeof data>>;

async function list(input: Input, deps: Deps): Promise<Reply> {
  const people = [...(await deps.service.list(input.ctx.scope))].sort((a, b) =>
    a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }),
  );
  if (people.length === 0) {
    return {
      title: `This ${place(input.ctx.platform)}'s gallery is empty`,
      text: `Lookalike answers from the global gallery until this ${place(input.ctx.platform)} has its own people.\n${HOW_TO_FILL}`,
    };
  }
  const pages = Math.ceil(people.length / PAGE_SIZE);
  const page = optionInteger(input, 'page') ?? 1;
  if (page < 1 || page > pages) {
    throw new UserError('bad_option', { text: 'page_out_of_range', count: pages });
  }
  const shown = people.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const photos = people.reduce((sum, p) => sum + p.photos.length, 0);
  const lines = shown.map((p) => `• **${escapeMarkdown(p.name)}** — ${plural(p.photos.length, 'photo')}`);
  if (page < pages) lines.push('', `Next: \`/gallery list page:${page + 1}\``);
  return {
    title: `Gallery: ${people.length} ${people.length === 1 ? 'person' : 'people'}, ${plural(photos, 'photo')} (page ${page}/${pages})`,
    text: lines.join('\n'),
  };
}

async function remove(input: Input, deps: Deps): Promise<Reply> {
  const removed = await deps.service.remove(input.ctx.scope, requireString(input, 'name'));
  return {
    text: `Removed **${escapeMarkdown(removed.name)}** and ${plural(removed.photos.length, 'photo')} from this ${place(input.ctx.platform)}'s gallery.`,
  };
}

async function rename(input: Input, deps: Deps): Promise<Reply> {
  const from = requireString(input, 'from');
  const renamed = await deps.service.rename(input.ctx.scope, from, requireString(input, 'to'));
  return { text: `Renamed **${escapeMarkdown(from)}** to **${escapeMarkdown(renamed.name)}**.` };
}

/** Runs the gallery subcommand; permission checks for remove/rename happen in the Bot. */
export async function execute(input: Input, deps: Deps): Promise<Reply> {
  switch (input.subcommand) {
    case 'list':
    case undefined:
      return list(input, deps);
    case 'remove':
      return remove(input, deps);
    case 'rename':
      return rename(input, deps);
    case 'import':
      return importGallery(input, deps);
    case 'export':
      return exportGallery(input, deps);
    default:
      throw new UserError('bad_command', {
        text: 'no_such_subcommand',
        command: 'gallery',
        subcommand: input.subcommand,
        items: data.subcommands.map((s) => s.name),
      });
  }
}

/** The `/gallery` command. */
export const galleryCommand: Command = { data, execute };
