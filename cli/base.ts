/**
 * What every leakscope command shares: --format (and --json), --quiet, --debug, --limit, and
 * the mapping of user errors to one-line messages with the exit codes of DESIGN.md.
 */
import { Command, Flags, Errors } from '@oclif/core';
import { EXIT, UserError } from '../src/errors.js';
import { CaptureFormatError } from '../src/capture/reader.js';
import { resolveLimits, type Limits } from '../src/limits.js';
import { FORMATS, type Format } from '../src/report/writers/index.js';
import { exitQuietlyOnEpipe, streamSink, type Sink } from '../src/report/sink.js';
import { COLOR_CHOICES, presentationFor } from '../src/report/presentation.js';

export abstract class LeakscopeCommand extends Command {
  static override baseFlags = {
    format: Flags.string({ char: 'f', options: [...FORMATS], default: 'table', summary: 'output format', helpGroup: 'OUTPUT' }),
    json: Flags.boolean({ summary: 'alias of --format json', helpGroup: 'OUTPUT' }),
    quiet: Flags.boolean({ char: 'q', summary: 'no progress or warnings on stderr', helpGroup: 'OUTPUT' }),
    debug: Flags.boolean({ summary: 'show stack traces of errors', helpGroup: 'OUTPUT' }),
    color: Flags.string({ options: [...COLOR_CHOICES], default: 'auto', summary: 'colour in tables: auto (on a terminal, unless NO_COLOR; FORCE_COLOR also in a pipe), always, never', helpGroup: 'OUTPUT' }),
    wide: Flags.boolean({ summary: 'tables: every column and every list item, nothing cut to the terminal width', helpGroup: 'OUTPUT' }),
    limit: Flags.string({ multiple: true, multipleNonGreedy: true, summary: 'override a resource cap (name=value, see docs/limits.md)', helpGroup: 'ADVANCED' }),
  };

  private debugMode = false;

  protected outputFormat(flags: { format?: string; json?: boolean }): Format {
    return flags.json ? 'json' : ((flags.format ?? 'table') as Format);
  }

  /** Standard output, with the tables' colour and width decided from --color, --wide and the environment. */
  protected stdoutSink(flags: { color?: string; wide?: boolean } = {}): Sink {
    exitQuietlyOnEpipe();
    return streamSink(process.stdout, presentationFor(process.stdout, flags));
  }

  protected limitsFrom(flags: { limit?: string[]; debug?: boolean }): Limits {
    this.debugMode = Boolean(flags.debug);
    const overrides: Record<string, number> = {};
    for (const spec of flags.limit ?? []) {
      const m = /^([A-Za-z]+)=(\d+(?:\.\d+)?)$/.exec(spec);
      if (!m) throw new UserError(`--limit expects name=number, got "${spec}"`);
      overrides[m[1]] = Number(m[2]);
    }
    try {
      return resolveLimits(overrides);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
  }

  /**
   * Runs `fn` for every capture argument; a capture that cannot be read is reported on stderr
   * and the others still run. Returns the exit code: 2 if any input was not a capture, else 3
   * if any was damaged, else 0.
   */
  protected async eachCapture(
    files: string[],
    flags: { quiet?: boolean },
    fn: (source: string | NodeJS.ReadableStream, name: string) => Promise<{ damage: { offset: number; frame: number; expected: string } | null }>,
  ): Promise<number> {
    let bad = false;
    let damaged = false;
    for (const name of files) {
      try {
        const { damage } = await fn(name === '-' ? process.stdin : name, name);
        if (damage) {
          damaged = true;
          this.note(flags, `${name}: damaged at byte ${damage.offset} after ${damage.frame} packets: expected ${damage.expected}; everything before it is reported`);
        }
      } catch (err) {
        if (!(err instanceof CaptureFormatError) || files.length === 1) throw err;
        bad = true;
        process.stderr.write(`leakscope: ${err.message}\n`);
      }
    }
    return bad ? EXIT.badInput : damaged ? EXIT.partial : EXIT.ok;
  }

  /** A warning line on stderr unless --quiet. */
  protected note(flags: { quiet?: boolean }, message: string): void {
    if (!flags.quiet) process.stderr.write(`leakscope: ${message}\n`);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (this.debugMode || process.argv.includes('--debug')) process.stderr.write(`${err.stack ?? err}\n`);
    // user errors: one unwrapped line (scripts grep it), then suggestions
    if (err instanceof UserError) return this.fail(err.message, err.exitCode, err.suggestions);
    if (err instanceof CaptureFormatError) return this.fail(err.message, 2, []);
    if (err instanceof Errors.ExitError || err.oclif) throw err;
    // an unexpected failure is still one line for the user; --debug shows where
    return this.fail(`internal error: ${err.message} (run again with --debug for details)`, 70, []);
  }

  private fail(message: string, exit: number, suggestions: string[]): never {
    process.stderr.write(`leakscope: ${message}\n`);
    for (const s of suggestions) process.stderr.write(`  try: ${s}\n`);
    this.exit(exit);
  }
}
