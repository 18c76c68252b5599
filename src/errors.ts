/**
 * Errors meant for the person at the keyboard: one line, what went wrong and where, and an
 * optional suggestion. The CLI prints them without a stack trace and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    readonly suggestions: string[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Exit codes of the command-line contract (DESIGN.md). */
export const EXIT = {
  ok: 0,
  leaksFound: 1,
  badInput: 2,
  partial: 3,
  /** stopped by Ctrl-C (SIGINT), SIGTERM or SIGHUP; the report of what was read was printed (128 + SIGINT, as shells give) */
  interrupted: 130,
} as const;
