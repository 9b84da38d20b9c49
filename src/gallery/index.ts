/** Celebrity galleries per scope, stored through src/store. */
export { Gallery } from './gallery.ts';
export { GALLERY_NAMESPACES } from './gallery-base.ts';
export { CURRENT_SCHEMA, migrateIndex, migrateModel, migratePhoto } from './records.ts';
export { cleanName, MAX_NAME_LENGTH, slugify } from './slug.ts';
export * from './types.ts';
