import { createRequire } from 'node:module';
import type SharpModule from 'sharp';

/**
 * sharp, loaded through its CommonJS build. The same library either way, but on Node 20 its ES
 * module build takes 130–160 ms to load (dozens of .mjs files, semver among them, linked one by
 * one) against 70 ms for the CommonJS one, on every start of the CLI and of each pool worker
 * (Node 24: 92 against 75 ms). Every use in src/ goes through here.
 */
export const sharp = createRequire(import.meta.url)('sharp') as typeof SharpModule;
