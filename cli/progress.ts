/**
 * A live step line on a terminal (redrawn in place), plain lines elsewhere (CI logs, pipes).
 * Progress goes to stderr so that --json output on stdout stays clean.
 */
export interface StepReporter {
  /** `fraction` draws a bar; null when the end is not known (a spinner and the label's counts). */
  update(label: string, fraction: number | null): void;
  done(label: string): void;
  /** Erases the live line (before a permanent line is printed). */
  clear(): void;
}

const SPINNER = '|/-\\';
/** Off a terminal, a changing label is printed at most this often; on one, redrawn at most this often. */
const PLAIN_EVERY_MS = 2000;
const REDRAW_EVERY_MS = 80;

export function stepReporter(enabled: boolean): StepReporter {
  const tty = process.stderr.isTTY === true;
  let last = '';
  let lastPlain = 0;
  let lastDraw = 0;
  let spin = 0;
  let shown = false;
  return {
    update(label, fraction) {
      if (!enabled) return;
      const width = 24;
      const bar =
        fraction === null
          ? `[${SPINNER[spin++ % SPINNER.length]}]`
          : `[${'#'.repeat(Math.round(Math.max(0, Math.min(1, fraction)) * width)).padEnd(width, '.')}]`;
      const line = `${bar} ${label}`;
      if (tty) {
        if (Date.now() - lastDraw < REDRAW_EVERY_MS && fraction !== 1) return;
        process.stderr.write(`\r\x1b[2K${line}`);
        lastDraw = Date.now();
        shown = true;
      } else if (label !== last && (fraction !== null || Date.now() - lastPlain >= PLAIN_EVERY_MS)) {
        process.stderr.write(`${line}\n`);
        lastPlain = Date.now();
      }
      last = label;
    },
    done(label) {
      if (!enabled) return;
      this.clear();
      process.stderr.write(`✔ ${label}\n`);
    },
    clear() {
      if (tty && shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}
