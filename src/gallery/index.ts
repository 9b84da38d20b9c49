/** Celebrity galleries per scope, stored through src/store. */
export { Gallery } from './gallery.ts';
export { GALLERY_NAMESPACES } from './gallery-base.ts';
export { migrateIndex } from './records.ts';
export { slugify } from './slug.ts';
export * from './types.ts';
