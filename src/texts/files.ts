// Sentences of the command line about the paths it was given (`lookalike enroll <dir>`, `pack export`).
import type { Texts } from './fields.ts';

/** The sentences about paths, by identifier; each starts with the path, as command-line tools do. */
export const FILE_TEXTS = {
  path_missing: (c) => `${c.file}: no such file`,
  path_dangling_link: (c) => `${c.file}: a link to nothing`,
  path_is_folder: (c) => `${c.file}: a folder, not a photo`,
  path_not_regular: (c) => `${c.file}: not a regular file (a pipe or a device)`,
  path_unreadable: (c) => `${c.file}: cannot read (${c.why})`,
  path_unwritable: (c) => `${c.file}: cannot write (${c.why})`,
  path_too_large: (c) => `${c.file}: too large (${c.size}; the limit is ${c.sizeLimit})`,
  folder_missing: (c) => `${c.file}: no such folder`,
  path_not_folder: (c) => `${c.file} is not a folder`,
  folder_no_people: (c) => `${c.file} has no subfolders with photos (expected ${c.file}/<person>/*.jpg)`,
  no_photos_in: (c) => `no photos in ${(c.items ?? []).join(', ')}`,
} satisfies Texts;
