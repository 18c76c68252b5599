/**
 * Where writers put text. Standard output that was closed early (`| head`) must end the
 * program quietly, not with an EPIPE stack trace.
 */
export interface Sink {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
}

/** A sink over a Node writable (stdout or a file stream). */
export function streamSink(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): Sink {
  return {
    write: (text) => {
      stream.write(text);
    },
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** Collects text in memory (tests, and the library API's string results). */
export class StringSink implements Sink {
  readonly isTTY = false;
  readonly columns = 200;
  text = '';
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
