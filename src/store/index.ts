/** The typed key-value store over keyv (SQLite, Redis or memory). */

export { type Namespace, openStore, type Store, storeUnavailable } from './store.ts';
export { parseStoreUrl, redactUrl } from './url.ts';
