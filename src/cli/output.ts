/** Where CLI output goes; tests and --json swap these. */
export interface Output {
  json: boolean;
  /** Human-readable lines (stdout). */
  line(text: string): void;
  /** One JSON document per line (stdout). */
  record(value: unknown): void;
  /** Progress, only drawn on a terminal (stderr). */
  progress(label: string, done: number, total: number): void;
  /** Ends a progress bar. */
  endProgress(): void;
}

/** Output to the process's streams. */
export function consoleOutput(json: boolean): Output {
  const tty = process.stderr.isTTY === true && !json;
  let drawn = false;
  return {
    json,
    line: (text) => process.stdout.write(`${text}\n`),
    record: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
    progress(label, done, total) {
      if (!tty) return;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`,
      );
      drawn = true;
    },
    endProgress() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

/** Rounds to two decimals for printing and JSON. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
