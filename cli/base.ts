/**
 * What every leakscope command shares: --format (and --json), --quiet, --debug, --limit, and
 * the mapping of user errors to one-line messages with the exit codes of DESIGN.md.
 */
import { Command, Flags, Errors } from '@oclif/core';
import { EXIT, UserError } from '../src/errors.js';
import { CaptureFormatError } from '../src/capture/reader.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../src/limits.js';
import { resolveName } from './names.js';
import { FORMATS, type Format } from '../src/report/writers/index.js';
import { exitQuietlyOnEpipe, streamSink, type Sink } from '../src/report/sink.js';
import type { ReadSummary } from '../src/capture/reader.js';
import { interruptedMessage } from '../src/engine/analyze.js';
import { notDecodedLine, type NotDecoded } from '../src/engine/not-decoded.js';
import { COLOR_CHOICES, presentationFor } from '../src/report/presentation.js';

/** The signals that stop a run politely: the report of what was read is printed, exit 130. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export abstract class LeakscopeCommand extends Command {
  static override baseFlags = {
    format: Flags.string({ char: 'f', options: [...FORMATS], default: 'table', summary: 'output format', helpGroup: 'OUTPUT' }),
    json: Flags.boolean({ summary: 'alias of --format json', helpGroup: 'OUTPUT' }),
    quiet: Flags.boolean({ char: 'q', summary: 'no progress or warnings on stderr', helpGroup: 'OUTPUT' }),
    debug: Flags.boolean({ summary: 'show stack traces of errors', helpGroup: 'OUTPUT' }),
    color: Flags.string({
      options: [...COLOR_CHOICES],
      default: 'auto',
      summary: 'colour in tables: auto (on a terminal, unless NO_COLOR; FORCE_COLOR also in a pipe), always, never',
      helpGroup: 'OUTPUT',
    }),
    wide: Flags.boolean({ summary: 'tables: every column and every list item, nothing cut to the terminal width', helpGroup: 'OUTPUT' }),
    limit: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: 'override a resource cap (name=value, see docs/limits.md)',
      helpGroup: 'ADVANCED',
    }),
  };

  private debugMode = false;
  private stopController: AbortController | null = null;
  /** what `eachCapture` found wrong with captures it read: said in the report itself (table footers) */
  protected readonly captureNotes: string[] = [];

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
    const names = Object.keys(DEFAULT_LIMITS).map((name) => ({ name }));
    for (const spec of flags.limit ?? []) {
      const m = /^([A-Za-z_-]+)=(\d+(?:\.\d+)?)$/.exec(spec);
      if (!m) throw new UserError(`--limit expects name=number, got "${spec}"`, 2, ['--limit maxFlows=200000 (names and defaults: docs/limits.md)']);
      overrides[resolveName('--limit', m[1], names)] = Number(m[2]);
    }
    try {
      return resolveLimits(overrides);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
  }

  /**
   * An AbortSignal that Ctrl-C (SIGINT), SIGTERM and SIGHUP abort: readers given it as `stop`
   * stop reading, and the command reports what was read, marked interrupted, with exit 130 (as
   * tshark prints its statistics on Ctrl-C). A second signal ends the process at once.
   */
  protected stopSignal(flags: { quiet?: boolean }): AbortSignal {
    if (this.stopController) return this.stopController.signal;
    const controller = new AbortController();
    this.stopController = controller;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (controller.signal.aborted) process.exit(EXIT.interrupted);
      controller.abort();
      this.note(flags, `${signal}: stopped reading; reporting what was read (again to quit at once)`);
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
    return controller.signal;
  }

  /** True once a stop signal arrived (the run's exit code is then 130). */
  protected get interrupted(): boolean {
    return this.stopController?.signal.aborted === true;
  }

  /**
   * Runs `fn` for every capture argument; a capture that cannot be read is reported on stderr
   * and the others still run. Damage, packets not decoded and interruption are noted on stderr and in
   * `captureNotes` (for the report itself); after a stop signal no further capture is read.
   * Returns the exit code: 130 if interrupted, else 2 if any input was not a capture, else 3
   * if any was damaged or had packets that could not be decoded, else 0.
   */
  protected async eachCapture(
    files: string[],
    flags: { quiet?: boolean },
    fn: (
      source: string | NodeJS.ReadableStream,
      name: string,
      stop: AbortSignal,
    ) => Promise<Pick<ReadSummary, 'damage' | 'frames'> & { interrupted?: boolean; notDecoded?: NotDecoded[] }>,
  ): Promise<number> {
    const stop = this.stopSignal(flags);
    let bad = false;
    let damaged = false;
    for (const name of files) {
      if (stop.aborted) break;
      try {
        const { damage, interrupted, frames, notDecoded } = await fn(name === '-' ? process.stdin : name, name, stop);
        for (const n of notDecoded ?? []) {
          damaged = true;
          this.captureNotes.push(`${name}: ${notDecodedLine(n)}`);
          this.note(flags, `${name}: ${notDecodedLine(n)}`);
        }
        if (damage) {
          damaged = true;
          const what = `${name}: damaged at byte ${damage.offset} after ${damage.frame} packets: expected ${damage.expected}`;
          this.captureNotes.push(what);
          this.note(flags, `${what}; everything before it is reported`);
        }
        if (interrupted) this.captureNotes.push(`${name}: ${interruptedMessage(frames)}`);
      } catch (err) {
        if (!(err instanceof CaptureFormatError) || files.length === 1) throw err;
        bad = true;
        this.captureNotes.push(err.message);
        process.stderr.write(`leakscope: ${err.message}\n`);
      }
    }
    return stop.aborted ? EXIT.interrupted : bad ? EXIT.badInput : damaged ? EXIT.partial : EXIT.ok;
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
