/**
 * The project's error hierarchy. Domain code throws these; only the edges (CLI, Lambda handlers, API)
 * map them to exit codes or HTTP statuses.
 */

/** Something the user can fix: a bad config file, a bad data file, a bad argument. CLI exit code 1. */
export class UserError extends Error {
  override name = 'UserError';
}

/** One problem found in a config or data file, with where it is. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Field path as a marketer reads it, e.g. `waves[2].channel`; empty for the whole document. */
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where} ${p.message}`;
}

/** A config file (campaign or contact policy) that failed validation; carries every problem at once. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], options?: ErrorOptions) {
    super(problems.map(formatProblem).join('\n'), options);
    this.problems = problems;
  }
}

/** Input data (an order export, a mapping file, a SQL statement) that cannot be used as given. */
export class DataError extends UserError {
  override name = 'DataError';
}
