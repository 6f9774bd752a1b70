import { UserError } from '../shared/errors.ts';

/** CLI exit codes: 0 success, 1 the user's input is wrong, 2 something failed inside. */
export const EXIT = { ok: 0, userError: 1, internal: 2 } as const;

export function exitCodeFor(error: unknown): number {
  return error instanceof UserError ? EXIT.userError : EXIT.internal;
}
