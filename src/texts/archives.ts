// Sentences about what `/gallery import` reads: ZIP archives of per-person folders, and gallery packs.
import type { Texts } from './fields.ts';

// Every refusal of an archive ends the same way: nothing of it reached the gallery.
const zip = (why: string) => `I refused this ZIP: ${why}. Nothing was imported.`;
const pack = (why: string) => `This gallery pack is damaged (${why}). Nothing was imported.`;
const packRefused = (why: string) => `This gallery pack was refused: ${why}. Nothing was imported.`;
const photo = (c: { name?: string; index?: number }) =>
  `photo ${(c.index ?? 0) + 1} of ${JSON.stringify((c.name ?? '').slice(0, 60))}`;
const embedding = (c: { name?: string; index?: number }, why: string) =>
  packRefused(`the embedding of ${photo(c)} is not one Lookalike makes: ${why}`);
const thumbnail = (c: { name?: string; index?: number }, why?: string) =>
  packRefused(`the thumbnail of ${photo(c)} is not an image I can use${why ? `: ${why}` : ''}`);

/** The sentences about archives and packs, by identifier. */
export const ARCHIVE_TEXTS = {
  zip_unreadable: () => 'That file is not a ZIP archive I can read (or it is damaged).',
  not_zip: (c) =>
    `\`${c.file}\` is not a ZIP. Attach a .zip with one folder of photos per person (\`brad_pitt/1.jpg\`…), or a pack from \`/gallery export\`.`,
  import_too_large: (c) =>
    `\`${c.file}\` is too large to download here. Split it into several ZIPs, or use \`npx lookalike enroll <dir>\` / \`lookalike pack import\` on the bot's machine.`,
  zip_empty: () =>
    "That ZIP is empty: put each person's photos in a folder named after them (e.g. `brad_pitt/1.jpg`) and zip the folders.",
  zip_no_folders: () =>
    "That ZIP has no photos in per-person folders. Put each person's photos in a folder named after them (e.g. `brad_pitt/1.jpg`), or attach a gallery pack.",
  zip_no_usable_folder: (c) =>
    `No folder in that ZIP has a name I can use, so nothing was imported: ${(c.items ?? []).slice(0, 5).join('; ')}. Rename the folders after the people in them.`,
  zip_entry_damaged: (c) =>
    `This ZIP is damaged (\`${c.file}\` does not unpack cleanly). Nothing was imported.`,
  // Refused before anything is unpacked; a path as the ZIP library quoted it is `value`.
  zip_absolute_path: (c) => zip(`it has an absolute path (${c.value})`),
  zip_climbing_path: (c) => zip(`it has a path that climbs out of its folder (${c.value})`),
  zip_backslash: () => zip('it has a path with a backslash'),
  zip_too_many_entries: (c) => zip(`it has ${c.count} entries, more than ${c.limit}`),
  zip_too_large: (c) => zip(`it unpacks to more than ${c.sizeLimit}`),
  zip_link: (c) => zip(`\`${c.file}\` is a link`),
  zip_encrypted: (c) => zip(`\`${c.file}\` is encrypted`),
  zip_compression: (c) => zip(`\`${c.file}\` uses a compression method I cannot read`),
  zip_climbs: (c) => zip(`\`${c.file}\` climbs out of its folder`),
  zip_absolute: (c) => zip(`\`${c.file}\` is an absolute path`),
  zip_entry_too_large: (c) => zip(`\`${c.file}\` is ${c.size} unpacked, over ${c.sizeLimit}`),
  zip_bomb: (c) => zip(`\`${c.file}\` unpacks to over ${c.limit} times its size (a ZIP bomb?)`),
  // Packs: their format (pack.ts), then what is in them (pack-checks.ts). A photo is `name` and `index`.
  pack_no_manifest: (c) => `That is not a Lookalike gallery pack (it has no ${c.file}).`,
  pack_foreign: (c) => `That is not a Lookalike gallery pack (${c.file} is from something else).`,
  pack_too_new: (c) =>
    `This gallery pack has format version ${c.version}, made by a newer Lookalike (I read up to ${c.limit}): please upgrade.`,
  pack_not_json: (c) => pack(`${c.file} is not valid JSON`),
  pack_no_version: () => pack('no format version'),
  pack_no_embedding_size: () => pack('no embedding size'),
  pack_no_embeddings: () => pack('no embeddings entry'),
  pack_no_people: () => pack('no list of people'),
  pack_person_invalid: () => pack('a person has no name or photos'),
  pack_photo_not_object: () => pack('a photo is not an object'),
  pack_photo_no_hash: () => pack('a photo has no valid hash'),
  pack_photo_no_thumbnail: (c) => pack(`photo ${c.name} names no thumbnail`),
  pack_photo_no_time: (c) => pack(`photo ${c.name} has no valid time`),
  pack_photo_landmarks: (c) => pack(`photo ${c.name} has bad landmarks`),
  pack_no_fingerprint: () => pack('it has no engine fingerprint'),
  pack_file_missing: (c) => pack(`${c.file} is missing`),
  pack_embeddings_size: (c) => pack(`${c.file} has the wrong size for ${c.count} photos`),
  pack_embeddings_checksum: (c) => pack(`${c.file} does not match its checksum`),
  bad_pack: () => packRefused('it is damaged'),
  pack_too_many_photos: (c) => packRefused(`it lists ${c.count} photos, more than ${c.limit}`),
  pack_repeated_hash: (c) => packRefused(`${photo(c)} repeats another photo's hash`),
  pack_repeated_thumbnail: (c) => packRefused(`${photo(c)} has the same thumbnail as another photo`),
  pack_embedding_length: (c) => embedding(c, `it has ${c.count} values, not ${c.limit}`),
  pack_embedding_range: (c) => embedding(c, 'a value is out of range'),
  pack_embedding_norm: (c) =>
    embedding(c, `a descriptor block has norm ${c.value}, not ${(c.limit ?? 0).toFixed(3)}`),
  pack_bad_thumbnail: (c) => thumbnail(c, c.why),
  pack_thumbnail_not_png: (c) => thumbnail(c, `a ${c.kind} file, not a PNG`),
  pack_thumbnail_size: (c) => thumbnail(c, `${c.width}x${c.height} pixels`),
} satisfies Texts;
