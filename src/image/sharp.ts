import { createRequire } from 'node:module';
import type SharpModule from 'sharp';

let loaded: typeof SharpModule | undefined;

function load(): typeof SharpModule {
  // The CommonJS build: the same library, but on Node 20 its ES module build takes 130–160 ms to
  // load (dozens of .mjs files, semver among them, linked one by one) against 70 ms for this one
  // (Node 24: 92 against 75 ms).
  loaded ??= createRequire(import.meta.url)('sharp') as typeof SharpModule;
  return loaded;
}

/**
 * sharp, loaded on its first use; every use in src/ goes through here. Even its CommonJS build costs
 * 60–70 ms to load, and a one-shot `lookalike infer` of a PNG never needs it (src/image/png.ts
 * decodes the plain ones), nor do the commands that read no photo.
 */
export const sharp = new Proxy(load as unknown as typeof SharpModule, {
  apply: (_target, _this, args: Parameters<typeof SharpModule>) => load()(...args),
  get: (_target, key) => Reflect.get(load(), key),
});
