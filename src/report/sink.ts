/**
 * Where writers put text. Standard output that was closed early (`| head`) must end the
 * program quietly, not with an EPIPE stack trace.
 */
import type { Presentation } from './presentation.js';
export interface Sink {
  write(text: string): void;
  /** hand over anything held back (writers call it from `end()`) */
  flush?(): void;
  readonly isTTY: boolean;
  readonly columns?: number;
  /** colour, width and --wide for tables (default: colour on a terminal, the terminal's width) */
  readonly presentation?: Presentation;
}

/** Text is handed to the stream in blocks of about this size: one write per record cost a tenth of `events`' time. */
const SINK_BLOCK_CHARS = 64 * 1024;
/** ...and never held longer than this, so a live capture on standard input still streams. */
const SINK_MAX_DELAY_MS = 100;

/** Sinks holding text back: written out by `flushSinks()` before the CLI exits (and, last resort, on `exit`). */
const unflushed = new Set<() => void>();
let exitListener = false;

/**
 * A sink over a Node writable (stdout or a file stream). Records are gathered into blocks;
 * what is pending is written when the block fills, after SINK_MAX_DELAY_MS, on `flush()` and
 * by `flushSinks()`, which the CLI calls before it waits for standard output to drain
 * (`drainOutput`), so an error part-way through still leaves every record written before it.
 */
export function streamSink(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, presentation?: Presentation): Sink {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    unflushed.delete(flush);
    if (pending.length === 0) return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  if (!exitListener) {
    exitListener = true;
    process.once('exit', () => {
      for (const f of [...unflushed]) f();
    });
  }
  return {
    write: (text) => {
      pending += text;
      if (pending.length >= SINK_BLOCK_CHARS) flush();
      else if (!timer) {
        timer = setTimeout(flush, SINK_MAX_DELAY_MS).unref();
        unflushed.add(flush);
      }
    },
    flush,
    presentation,
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** Hands every sink's pending text to its stream. */
export function flushSinks(): void {
  for (const f of [...unflushed]) f();
}

/** How often `drainOutput` looks whether a stream has handed its last byte to the kernel. */
const DRAIN_POLL_MS = 5;

/**
 * Resolves when standard output and standard error have handed every byte written to them to
 * the kernel. A pipe is asynchronous in Node on Linux: what the reader has not taken yet (beyond
 * the pipe's 64 KiB) waits in the stream, and `process.exit()` throws it away. Every exit of the
 * CLI waits for this first (cli/execute.ts), whatever its exit code. A stream that was closed
 * (EPIPE: `| head`) or destroyed has nothing more to give.
 */
export async function drainOutput(): Promise<void> {
  flushSinks();
  for (const stream of [process.stdout, process.stderr]) {
    while (stream.writableLength > 0 && !stream.destroyed && !stream.errored) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }
}

/** Collects text in memory (tests, and the library API's string results). */
export class StringSink implements Sink {
  readonly isTTY = false;
  readonly columns = 200;
  text = '';
  constructor(readonly presentation?: Presentation) {}
  write(text: string): void {
    this.text += text;
  }
}

let epipeHandled = false;
/** Once per process: a closed stdout (EPIPE) ends the process with success, as `cat` does. */
export function exitQuietlyOnEpipe(): void {
  if (epipeHandled) return;
  epipeHandled = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
