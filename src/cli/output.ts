/** Where CLI output goes; tests and --json swap these. */
export interface Output {
  json: boolean;
  /** Human-readable lines (stdout). */
  line(text: string): void;
  /** One JSON document per line (stdout). */
  record(value: unknown): void;
  /** Progress, only drawn on a terminal (stderr). */
  progress(label: string, done: number, total: number): void;
  /** A one-line status (stderr), redrawn in place, only on a terminal: for work whose total is unknown. */
  status?(text: string): void;
  /** Ends a progress bar or status line, leaving it on screen. */
  endProgress(): void;
}

/**
 * Output to the process's streams. Progress goes to stderr only when stderr is a terminal, so pipes and
 * files get answers alone; while a progress line is drawn, each answer first clears it and then redraws
 * it below, so the two never share a line when both streams are the same terminal.
 */
export function consoleOutput(json: boolean): Output {
  const tty = process.stderr.isTTY === true;
  let drawn = '';
  const draw = (text: string) => {
    process.stderr.write(`\r\x1b[K${text}`);
    drawn = text;
  };
  const write = (text: string) => {
    if (!drawn) {
      process.stdout.write(text);
      return;
    }
    const keep = drawn;
    process.stderr.write('\r\x1b[K');
    process.stdout.write(text);
    draw(keep);
  };
  return {
    json,
    line: (text) => write(`${text}\n`),
    record: (value) => write(`${JSON.stringify(value)}\n`),
    progress(label, done, total) {
      if (!tty) return;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      draw(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
    },
    status(text) {
      if (tty) draw(text);
    },
    endProgress() {
      if (drawn) process.stderr.write('\n');
      drawn = '';
    },
  };
}

/** Rounds to two decimals for printing and JSON. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
