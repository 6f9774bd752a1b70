/**
 * A live step line on a terminal (redrawn in place), plain lines elsewhere (CI logs, pipes).
 * Progress goes to stderr so that --json output on stdout stays clean.
 */
export interface StepReporter {
  update(label: string, fraction: number): void;
  done(label: string): void;
}

export function stepReporter(enabled: boolean): StepReporter {
  const tty = process.stderr.isTTY === true;
  let last = '';
  return {
    update(label, fraction) {
      if (!enabled) return;
      const width = 24;
      const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${label}`;
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else if (label !== last) process.stderr.write(`${line}\n`);
      last = label;
    },
    done(label) {
      if (!enabled) return;
      if (tty) process.stderr.write(`\r\x1b[2K`);
      process.stderr.write(`✔ ${label}\n`);
    },
  };
}
