/** The typed key-value store over keyv (SQLite, Redis or memory). */

export type { StoreKind } from './backends.ts';
export { BINARY_TAG, encodeValue } from './codec.ts';
export {
  type Namespace,
  openStore,
  type Store,
  type StoreOptions,
  storeUnavailable,
} from './store.ts';
export { ACCEPTED_SCHEMES, DEFAULT_STORE_URL, parseStoreUrl, redactUrl, type StoreLocation } from './url.ts';
