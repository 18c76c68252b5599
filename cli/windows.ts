import { UserError } from '../src/errors.js';
import { parseWindows, WindowSpecError, type ExperimentWindow } from '../src/engine/windows.js';

/** `--window` values as windows; a malformed one is a usage error naming it. */
export function parseWindowFlags(specs: string[] | undefined): ExperimentWindow[] {
  try {
    return parseWindows(specs ?? []);
  } catch (err) {
    if (err instanceof WindowSpecError)
      throw new UserError(err.message, 2, ['--window incognito=+60s..+5m', '--window incognito=2020-05-01T12:01:00Z..2020-05-01T12:05:00Z']);
    throw err;
  }
}
