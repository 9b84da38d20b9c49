import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Labelled embeddings, as the sklearn references read them. */
export interface Labelled {
  label: string;
  embedding: ArrayLike<number>;
}

/** What tools/sklearn_linear_svc.py answers. */
export interface LinearSvcReference {
  classes: string[];
  /** Per test row, one decision value per class of `classes`. */
  decision: number[][];
  predicted: string[];
  top1: number | null;
  trainSeconds: number;
}

/** Debian's interpreter, which has python3-sklearn (the `python3` on PATH may not). */
const PYTHON = '/usr/bin/python3';
/** Where Debian's python3-sklearn puts the package that interpreter imports (npm test's pretest checks it). */
export const SKLEARN_PACKAGE = '/usr/lib/python3/dist-packages/sklearn/__init__.py';

/**
 * Runs one of the sklearn reference scripts on labelled embeddings; throws with the script's last
 * line of stderr when it fails (sklearn missing: `apt-get install python3-sklearn`).
 */
export function sklearnReference<T>(
  script: 'sklearn_linear_svc.py' | 'sklearn_reference.py',
  train: readonly Labelled[],
  test: readonly Labelled[],
  settings: Record<string, unknown> = {},
): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-sklearn-'));
  try {
    const file = path.join(dir, 'data.json');
    const rows = (xs: readonly Labelled[]) =>
      xs.map((s) => ({ label: s.label, embedding: Array.from(s.embedding) }));
    writeFileSync(file, JSON.stringify({ ...settings, train: rows(train), test: rows(test) }));
    const py = spawnSync(PYTHON, [fileURLToPath(new URL(`../${script}`, import.meta.url)), file], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (py.status !== 0) {
      const why = (py.stderr || String(py.error ?? '')).trim().split('\n').pop();
      throw new Error(`sklearn reference failed: ${why} (apt-get install python3-sklearn)`);
    }
    return JSON.parse(py.stdout.trim().split('\n').pop() ?? '{}') as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
