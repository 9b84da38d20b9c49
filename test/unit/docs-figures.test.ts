// The docs against the files that generate or define what they quote: thresholds from `npm run calibrate`
// (models/calibration.json), models/ against its manifest, the README's commands, and every path, script,
// link, file table and line count the docs name. Nothing here re-runs a model; a claim that moved in the
// docs fails with the sentence to look for, so that the claim is updated here rather than dropped.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commands } from '../../commands/index.ts';
import { ENV_VARS } from '../../src/config/env.ts';
import { DEFAULT_TUNING, embeddingDim } from '../../src/domain/tuning.ts';
import { FOLD_SIZE } from '../../tools/lib/calibration-cv.ts';
import { PAIRED_DEFAULTS } from '../../tools/lib/same-paired.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(path.join(REPO, file), 'utf8');
/** A document's text with its line breaks folded, so that a quoted sentence may wrap anywhere. */
const prose = (file: string): string => read(file).replace(/\s+/g, ' ');

/** Markdown files below `dir` (repository-relative), recursively. */
function markdownUnder(dir: string): string[] {
  return readdirSync(path.join(REPO, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.relative(REPO, path.join(e.parentPath, e.name)))
    .sort();
}

const FOLDER_READMES = markdownUnder('src').filter((f) => path.basename(f) === 'README.md');
/**
 * Documents that describe the project as it is. The dated logs in docs/evaluation/ describe it as it was
 * (their paths and scripts are of their day), so only their figures' sources are checked, not their names.
 */
const CURRENT_DOCS = [
  'README.md',
  ...markdownUnder('docs').filter((f) => !f.startsWith('docs/evaluation/')),
  ...FOLDER_READMES,
  'test/README.md',
  'tools/README.md',
];

/** The capture groups of `pattern` in `doc`; fails with what to look for when the doc no longer says it. */
function quoted(doc: string, pattern: RegExp): string[] {
  const m = pattern.exec(prose(doc));
  assert.ok(m, `${doc} no longer says ${pattern}: update the claim in test/unit/docs-figures.test.ts`);
  return m.slice(1);
}

/**
 * The repository paths `text` names that do not exist. `src/games/<kind>/` names a pattern: the part
 * before it must exist; `test/system/faults*` must match something; `scripts/` is the old name of tools/.
 */
function missingPaths(text: string): string[] {
  const missing: string[] = [];
  for (const [, p, glob] of text.matchAll(
    /(?<![\w/.@-])((?:src|tools|test|commands|models|bin|docs|scripts)\/[\w./-]*\w)(\*?)/g,
  )) {
    const dir = path.join(REPO, path.dirname(p!));
    const there = glob
      ? existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(path.basename(p!)))
      : existsSync(path.join(REPO, p!));
    if (!there) missing.push(`${p}${glob}`);
  }
  return missing;
}

interface Profile {
  tuning: { descriptor: string; precision?: string };
  sameThreshold: number;
  pairThreshold: number;
  method: { folds: number; dataset: string; foldThresholds: number[] };
}

const calibration = JSON.parse(read('models/calibration.json')) as { profiles: Profile[] };

function profile(descriptor: string, precision: string): Profile {
  const found = calibration.profiles.find(
    (p) => p.tuning.descriptor === descriptor && (p.tuning.precision ?? 'fp32') === precision,
  );
  assert.ok(found, `models/calibration.json has no ${descriptor} ${precision} profile`);
  return found;
}

describe('figures the docs quote', () => {
  it('the calibrated `same` thresholds are those in models/calibration.json', () => {
    const fused = profile('fused', 'fp32');
    const int8 = profile('fused', 'int8');
    const faceres = profile('faceres', 'fp32');
    const claims: [doc: string, pattern: RegExp, values: number[], digits: number][] = [
      ['docs/quality.md', /threshold \*\*(\d\.\d+)\*\*/, [fused.sameThreshold], 4],
      [
        'docs/quality.md',
        /the (\d+) held-out thresholds range (\d\.\d+)–(\d\.\d+)/,
        [
          fused.method.folds,
          Math.min(...fused.method.foldThresholds),
          Math.max(...fused.method.foldThresholds),
        ],
        3,
      ],
      ['docs/quality.md', /faceres-only profile .{0,80}?: threshold (\d\.\d+)/, [faceres.sameThreshold], 4],
      ['docs/quality.md', /int8 profile \(`FACE_PRECISION`\): threshold (\d\.\d+)/, [int8.sameThreshold], 4],
      [
        'docs/engine-speed.md',
        /gives the int8 profile `same` threshold (\d\.\d+) \(fp32\s+(\d\.\d+)\)/,
        [int8.sameThreshold, fused.sameThreshold],
        4,
      ],
    ];
    for (const [doc, pattern, values, digits] of claims) {
      const said = quoted(doc, pattern);
      assert.deepEqual(
        said,
        values.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(digits))),
        `${doc}: ${pattern} against models/calibration.json`,
      );
    }
  });

  it("the paired fp32/int8 estimate of `same` is described with the code's settings", () => {
    const [folds, partitions, draws, perDraw] = quoted(
      'docs/engine-speed.md',
      /dealt at random into folds of (\d+) .*?The defaults \(`PAIRED_DEFAULTS`\): (\d+) partitions, (\d+) draws, (\d+) partitions a draw/,
    );
    assert.deepEqual([folds, partitions, draws, perDraw].map(Number), [
      FOLD_SIZE,
      PAIRED_DEFAULTS.repetitions,
      PAIRED_DEFAULTS.draws,
      PAIRED_DEFAULTS.drawRepetitions,
    ]);
  });

  it('the calibration set the docs describe is the one the profile records', () => {
    const { method } = profile('fused', 'fp32');
    // "…/celebs (20 people, 400 faces found) and bbt (8 people, 40 faces)", as `npm run calibrate` wrote it.
    const sets = [...method.dataset.matchAll(/\((\d+) people, (\d+) faces/g)].map((m) => ({
      people: Number(m[1]),
      faces: Number(m[2]),
    }));
    assert.equal(sets.length, 2, method.dataset);
    const [celebs, bbt] = sets as [(typeof sets)[0], (typeof sets)[0]];
    const [people, celebPeople, crops, bbtPeople, portraits] = quoted(
      'docs/quality.md',
      /over all (\d+) people\** \((\d+) celebrities × (\d+) crops, (\d+) bbt people × (\d+) portraits\)/,
    ).map(Number);
    assert.equal(people, method.folds);
    assert.equal(people, celebs.people + bbt.people);
    assert.deepEqual([celebPeople, bbtPeople], [celebs.people, bbt.people]);
    assert.deepEqual([celebPeople! * crops!, bbtPeople! * portraits!], [celebs.faces, bbt.faces]);
    const [photos] = quoted('docs/quality.md', /each of the (\d+) photos is a stranger's photo once/);
    assert.equal(Number(photos), celebs.faces + bbt.faces);
  });

  it('the embedding sizes the READMEs give are those of the shipped and fallback descriptors', () => {
    const fused = embeddingDim(DEFAULT_TUNING);
    const faceres = embeddingDim({ descriptor: 'faceres' });
    const dlib = embeddingDim({ descriptor: 'dlib' });
    const claims: [doc: string, pattern: RegExp, values: number[]][] = [
      [
        'src/engine/README.md',
        /embedding \((\d+)-d: faceres and the dlib descriptor fused; (\d+)-d faceres alone/,
        [fused, faceres],
      ],
      [
        'src/classifier/README.md',
        /embedding \((\d+)-d: faceres (\d+) \+ dlib (\d+),/,
        [fused, faceres, dlib],
      ],
      [
        'docs/architecture.md',
        /faceres \((\d+)-d\) and face-api's dlib-style ResNet \((\d+)-d\)/,
        [faceres, dlib],
      ],
    ];
    for (const [doc, pattern, values] of claims) {
      assert.deepEqual(quoted(doc, pattern).map(Number), values, `${doc}: ${pattern}`);
    }
  });

  it('models/ holds exactly the files its manifest lists, with their sizes and sha256', () => {
    const manifest = JSON.parse(read('models/manifest.json')) as {
      files: Record<string, { sha256: string; bytes: number }>;
    };
    const onDisk = readdirSync(path.join(REPO, 'models')).filter((f) => f !== 'manifest.json');
    assert.deepEqual(onDisk.sort(), Object.keys(manifest.files).sort());
    for (const [name, { sha256, bytes }] of Object.entries(manifest.files)) {
      const data = readFileSync(path.join(REPO, 'models', name));
      assert.equal(data.length, bytes, name);
      assert.equal(createHash('sha256').update(data).digest('hex'), sha256, name);
    }
  });

  it("the README's command table names every typed command, and only those", () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('| command | who | what |'));
    const rows = table.slice(0, table.indexOf('\n\n'));
    const listed = new Set([...rows.matchAll(/`\/([a-z]+)/g)].map((m) => m[1]));
    const typed = commands.filter((c) => !('target' in c.data)).map((c) => c.data.name);
    assert.deepEqual([...listed].sort(), [...typed].sort());
  });
});

describe('names the docs use', () => {
  it('every repository path, `npm run` script and relative link in the docs and the manifest exists', () => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
    );
    const missing: string[] = [];
    // The manifest's notes (written by tools/build-models.ts) say which tool made each model.
    const notes = (JSON.parse(read('models/manifest.json')) as { notes: string[] }).notes.join('\n');
    for (const doc of [...CURRENT_DOCS, 'models/manifest.json']) {
      const text = doc.endsWith('.json') ? notes : read(doc);
      for (const [, script] of text.matchAll(/npm run ([\w:-]+)/g)) {
        if (!scripts.includes(script!)) missing.push(`${doc}: npm run ${script}`);
      }
      missing.push(...missingPaths(text).map((p) => `${doc}: ${p}`));
      for (const [, link] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(link!)) continue;
        if (!existsSync(path.join(REPO, path.dirname(doc), link!))) missing.push(`${doc}: link ${link}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('every repository path named in the source (comments, usage lines, provenance) exists', () => {
    // check-structure.mjs explains its node names with a made-up folder (spelt in two parts, or this file
    // would name it too).
    // The exporter writes the provenance the committed models carry, from when tools/ was scripts/: a
    // new name would change every model's bytes (test/unit/onnx-export-face-api.test.ts holds them).
    const EXAMPLES = new Set([
      `tools/check-structure.mjs: ${path.join('src', 'x')}`,
      ...['tools/lib/onnx/face-api-graphs.ts', 'tools/lib/onnx/tfjs-to-onnx.ts'].map(
        (f) => `${f}: ${path.join('scripts', 'build-models.ts')}`,
      ),
    ]);
    const missing: string[] = [];
    for (const root of ['src', 'commands', 'tools', 'test', 'bin']) {
      const files = readdirSync(path.join(REPO, root), { recursive: true, withFileTypes: true });
      for (const e of files.filter((f) => f.isFile() && /\.(ts|mjs|js|py)$/.test(f.name))) {
        const file = path.relative(REPO, path.join(e.parentPath, e.name));
        for (const p of missingPaths(read(file))) {
          if (!EXAMPLES.has(`${file}: ${p}`)) missing.push(`${file}: ${p}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('every environment variable the README tabulates is read, and every one read is documented', () => {
    const readme = read('README.md');
    const tabulated = [...readme.matchAll(/^\| ((?:`[A-Z][A-Z0-9_]+`(?:, )?)+) \|/gm)].flatMap(([, cell]) =>
      [...cell!.matchAll(/`([A-Z0-9_]+)`/g)].map(([, name]) => name!),
    );
    assert.ok(tabulated.length > 0, "the README's variable table moved");
    assert.deepEqual(
      tabulated.filter((v) => !ENV_VARS.includes(v)),
      [],
    );
    const docs = CURRENT_DOCS.map(read).join('\n');
    assert.deepEqual(
      ENV_VARS.filter((v) => !docs.includes(v)),
      [],
      'variables src/config/env.ts reads that no doc explains',
    );
  });

  it("every folder README names each of its folder's source files, and only files that exist", () => {
    const problems: string[] = [];
    for (const readme of FOLDER_READMES) {
      const dir = path.dirname(readme);
      const text = read(readme);
      // `train-worker*.{ts,mjs}` names several files at once.
      const globs = [...text.matchAll(/`([\w.-]*\*[\w.{},*-]*)`/g)].map(
        ([, g]) =>
          new RegExp(
            `^${g!
              .replace(/\./g, '\\.')
              .replace(/\*/g, '.*')
              .replace(/\{([^}]+)\}/g, (_, alts: string) => `(${alts.split(',').join('|')})`)}$`,
          ),
      );
      const sources = readdirSync(path.join(REPO, dir)).filter((f) => /\.(ts|mjs|js)$/.test(f));
      for (const file of sources) {
        const named = new RegExp(`(?<![\\w-])${file.replace(/\./g, '\\.')}`).test(text);
        if (!named && !globs.some((g) => g.test(file))) problems.push(`${readme} does not name ${file}`);
      }
      // Bare file names (a path is checked above) must be somewhere in this folder.
      const here = readdirSync(path.join(REPO, dir), { recursive: true }).map((f) =>
        path.basename(String(f)),
      );
      for (const [, name] of text.matchAll(/(?<![\w/.-])([\w-]+\.(?:ts|mjs|py))\b/g)) {
        if (!here.includes(name!)) problems.push(`${readme} names ${name}, which is not in ${dir}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every "N lines" a folder README claims is true within 15 %', () => {
    /** Lines of `file`, or of its block that starts at the line matching `from` and ends at the next `}`. */
    const lines = (file: string, from?: RegExp): number => {
      const all = read(file).trimEnd().split('\n');
      if (!from) return all.length;
      const start = all.findIndex((l) => from.test(l));
      assert.ok(start >= 0, `${file} has no ${from}`);
      return all.indexOf('}', start) - start + 1;
    };
    const claims: [doc: string, pattern: RegExp, actual: () => number][] = [
      ['src/chat/README.md', /in about (\d+) lines/, () => lines('src/chat/command-text.ts')],
      ['src/engine/README.md', /The pool is about (\d+) lines/, () => lines('src/engine/pool.ts')],
      [
        'src/util/README.md',
        /it is (\d+) lines over promise chaining/,
        () => lines('src/util/mutex.ts', /^export class KeyedMutex/),
      ],
    ];
    for (const [doc, pattern, actual] of claims) {
      const said = Number(quoted(doc, pattern)[0]);
      const real = actual();
      assert.ok(
        Math.abs(real - said) <= 0.15 * said,
        `${doc} says ${said} lines (${pattern}); it is ${real}`,
      );
    }
    // A new claim must join the list above to be believed.
    const checked = new Set(claims.map(([doc]) => doc));
    for (const readme of [...FOLDER_READMES, 'test/README.md', 'tools/README.md']) {
      const count = [...prose(readme).matchAll(/\d+ lines/g)].length;
      assert.ok(
        count === 0 || (checked.has(readme) && count === 1),
        `${readme}: ${count} unchecked "N lines"`,
      );
    }
  });
});
