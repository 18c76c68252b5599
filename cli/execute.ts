/**
 * The CLI's entry point (bin/run.js calls it through the bundle): oclif's `run`, then the exit
 * code, given only once standard output and standard error have drained.
 *
 * oclif's own `execute` ends a failed command (any non-zero exit: `this.exit(n)` throws an
 * ExitError) with `process.exit(n)` at once. When standard output is a pipe, Node writes it
 * asynchronously, and what the reader had not taken yet — everything past the pipe's 64 KiB —
 * was lost: `analyze --fail-on-leak --format ndjson | jq` saw a cut report exactly when it
 * mattered. Here every ending, success or not, drains first.
 */
import { Errors, handle, run } from '@oclif/core';
import { drainOutput } from '../src/report/sink.js';

export interface ExecuteOptions {
  /** the CLI's location (bin/run.js's import.meta.url) */
  dir: string;
  /** the command line (default: the process's) */
  args?: string[];
}

/**
 * Runs one command and resolves with its exit code once its output has drained; the caller
 * exits with it (bin/run.js), or runs another (scripts/code-cache.mjs). Errors oclif itself
 * reports (a mistyped flag, an unknown command) are left to oclif's handler, after the drain.
 */
export async function execute(options: ExecuteOptions): Promise<number> {
  let code = 0;
  let failure: unknown;
  try {
    await run(options.args ?? process.argv.slice(2), options.dir);
  } catch (err) {
    const exit = exitCodeOf(err);
    if (exit === undefined) failure = err;
    else code = exit;
  }
  await drainOutput();
  if (failure !== undefined) await handle(failure as Error); // prints, and exits with oclif's code
  return code;
}

function exitCodeOf(err: unknown): number | undefined {
  if (err instanceof Errors.ExitError) return err.oclif.exit ?? 0;
  const e = err as { code?: string; oclif?: { exit?: number } } | null;
  return e?.code === 'EEXIT' ? (e.oclif?.exit ?? 0) : undefined;
}
