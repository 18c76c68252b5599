/**
 * readCapture: streams a capture from a file path, '-' (standard input) or any Readable
 * through the push parser, hashing the raw bytes on the way. gzip is recognised by its
 * magic and inflated as a stream. Memory stays bounded whatever the file size: a file is
 * read in limits.readChunkBytes chunks into one reused buffer.
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DEFAULT_LIMITS } from '../limits.js';
import type { Frame } from './frame.js';
import { isGzipMagic } from './magic.js';
import { CaptureParser } from './parser.js';
import { PARALLEL_HASH_MIN_BYTES, hashFileInWorker } from './hash-file.js';
import { CaptureFormatError, type ReadOptions, type ReadSummary } from './types.js';

export { CaptureParser } from './parser.js';
export { CaptureFormatError } from './types.js';
export type { CaptureDamage, CaptureHeader, CaptureInterface, CaptureTimestamp, ReadOptions, ReadSummary } from './types.js';

/** gzip output is handed to the parser in pieces of this size */
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/**
 * Reads every frame of a capture, calling onFrame with one reused Frame whose `data` is a
 * view valid only during the call. Resolves with the summary; damage part-way is reported
 * in summary.damage (and as an anomaly). Rejects with CaptureFormatError when the source is
 * not a capture or cannot be read, and with the signal's reason when aborted.
 */
export async function readCapture(source: string | NodeJS.ReadableStream, onFrame: (f: Frame) => void, opts: ReadOptions = {}): Promise<ReadSummary> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const chunkBytes = Math.max(1, Math.floor(limits.readChunkBytes));
  const fromFile = typeof source === 'string' && source !== '-';
  const name = opts.name ?? (typeof source !== 'string' ? '<stream>' : source === '-' ? '<stdin>' : source);
  opts.signal?.throwIfAborted();

  let fh: FileHandle | undefined;
  let totalBytes: number | null = null;
  // a regular file is read by parseRegularFile; a FIFO, a device or a stream as chunks
  let chunks: AsyncIterable<Uint8Array> | undefined;
  if (fromFile) {
    const opened = await openCapture(source, name);
    fh = opened.fh;
    totalBytes = opened.size;
    if (opened.size === null) chunks = untilStopped(fileChunks(fh, chunkBytes), opts.stop);
  } else {
    chunks = streamChunks(source === '-' ? process.stdin : (source as NodeJS.ReadableStream), opts.stop);
  }

  // large files are hashed on the other core; streams and small files inline
  const parallel =
    fromFile && opts.sha256 !== false && totalBytes !== null && totalBytes >= PARALLEL_HASH_MIN_BYTES ? hashFileInWorker(source as string) : null;
  parallel?.catch(() => {}); // awaited below; an early failure must not be unhandled
  const hash = opts.sha256 === false || parallel ? null : createHash('sha256');
  let fileBytes = 0;
  const account = (chunk: Uint8Array): void => {
    opts.signal?.throwIfAborted();
    fileBytes += chunk.length;
    hash?.update(chunk);
    opts.onProgress?.(fileBytes, totalBytes);
  };

  const parser = new CaptureParser(name, onFrame, opts);
  try {
    if (fh !== undefined && totalBytes !== null) {
      const buf = Buffer.allocUnsafe(chunkBytes);
      const first = readSync(fh.fd, buf, 0, chunkBytes, null);
      if (first >= 2 && isGzipMagic(buf)) {
        // the reused buffer is not handed on: the first chunk is copied, the rest read anew
        await readGzip(prepend(Buffer.from(buf.subarray(0, first)), regularFileChunks(fh, chunkBytes)), account, parser, true, opts.stop);
      } else {
        await parseRegularFile(fh.fd, buf, first, account, parser, opts.stop);
      }
    } else {
      await readChunks(chunks!, account, parser, fromFile, opts.stop);
    }
  } finally {
    await fh?.close();
  }

  const summary = parser.end(opts.stop?.aborted === true);
  summary.fileBytes = fileBytes;
  summary.sha256 = hash ? hash.digest('hex') : '';
  if (parallel) {
    const h = await parallel.catch(() => null);
    // the file changed while it was read (a capture still being written): hash what is there now
    summary.sha256 = h && h.bytes === fileBytes ? h.hex : await hashAgain(source as string);
  }
  return summary;
}

async function hashAgain(path: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

async function openCapture(path: string, name: string): Promise<{ fh: FileHandle; size: number | null }> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new CaptureFormatError(name, 0, 'a capture file', 'a directory', `${name}: is a directory`);
    const fh = await open(path, 'r');
    return { fh, size: st.isFile() ? st.size : null };
  } catch (err) {
    if (err instanceof CaptureFormatError) throw err;
    throw unreadable(name, err);
  }
}

function unreadable(name: string, err: unknown): CaptureFormatError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file (ENOENT)'
      : code === 'EACCES' || code === 'EPERM'
        ? `permission denied (${code})`
        : err instanceof Error
          ? err.message
          : String(err);
  return new CaptureFormatError(name, 0, 'a readable file', why, `${name}: cannot read: ${why}`);
}

/** A regular file's reading lets the event loop run (progress, abort messages) this often. */
const BYTES_BETWEEN_EVENT_LOOP_TURNS = 8 * 1024 * 1024;

/**
 * A regular file's chunks for the gzip path, read synchronously into one reused buffer. A
 * page-cache read of 1 MB costs about 0.15 ms, while the asynchronous read's round trip
 * through the thread pool and the event loop cost twice the time of the reads themselves on a
 * busy two-core machine (the pool thread competes with V8's GC and compiler threads). A
 * yielded chunk is valid until the consumer asks for the next; the inflating lets the event
 * loop run.
 */
async function* regularFileChunks(fh: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  const buf = Buffer.allocUnsafe(size);
  for (;;) {
    const bytesRead = readSync(fh.fd, buf, 0, size, null);
    if (bytesRead === 0) return;
    yield buf.subarray(0, bytesRead);
  }
}

/**
 * Anything else opened by path (a FIFO, a character device): sequential reads into two
 * alternating buffers, the next read running while the current chunk is parsed.
 */
async function* fileChunks(fh: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  let current = Buffer.allocUnsafe(size);
  let spare = Buffer.allocUnsafe(size);
  let pending: Promise<{ bytesRead: number }> | null = startRead(fh, current, size);
  try {
    for (;;) {
      const { bytesRead } = await pending!;
      pending = null;
      if (bytesRead === 0) return;
      const filled = current;
      pending = startRead(fh, spare, size);
      yield filled.subarray(0, bytesRead);
      current = spare;
      spare = filled;
    }
  } finally {
    // never close the file under an outstanding read
    if (pending) await pending.catch(() => undefined);
  }
}

function startRead(fh: FileHandle, buf: Buffer, size: number): Promise<{ bytesRead: number }> {
  const p = fh.read(buf, 0, size, null);
  // it is awaited later; a failure must not count as unhandled meanwhile
  p.catch(() => undefined);
  return p;
}

async function* streamChunks(stream: NodeJS.ReadableStream, stop?: AbortSignal): AsyncGenerator<Uint8Array> {
  for await (const c of untilStopped(stream as AsyncIterable<Uint8Array | string>, stop)) yield typeof c === 'string' ? Buffer.from(c) : c;
}

/**
 * `source`, ending as soon as `stop` is aborted, even while a read is waiting (a live capture
 * on a pipe that stays open: Ctrl-C must not wait for the next packet). The source is then
 * closed (`return()`: a stream is destroyed), so nothing more is read from it.
 */
async function* untilStopped<T>(source: AsyncIterable<T>, stop: AbortSignal | undefined): AsyncGenerator<T> {
  if (!stop) return yield* source;
  const it = source[Symbol.asyncIterator]();
  const stopped = new Promise<IteratorResult<T>>((resolve) => {
    if (stop.aborted) resolve({ done: true, value: undefined });
    else stop.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
  });
  try {
    for (;;) {
      const r = await Promise.race([it.next(), stopped]);
      if (r.done || stop.aborted) return;
      yield r.value;
    }
  } finally {
    // not awaited: a read still waiting would hold the stop up; return() cancels it
    void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

function concatHead(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function isZlibError(err: unknown): err is Error {
  const code = (err as { code?: unknown })?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('Z_');
}

/**
 * Inflates the raw chunks as a stream into the parser. A corrupt or cut-short gzip stream
 * is damage (frames inflated before it are kept); a read failure of the source is thrown.
 */
async function readGzip(
  raw: AsyncIterable<Uint8Array>,
  account: (chunk: Uint8Array) => void,
  parser: CaptureParser,
  copyChunks: boolean,
  stop?: AbortSignal,
): Promise<void> {
  parser.compression = 'gzip';
  const compressed = Readable.from(
    (async function* () {
      for await (const chunk of raw) {
        account(chunk);
        // zlib holds on to its input across ticks; file chunks are reused buffers
        yield copyChunks ? Buffer.from(chunk) : chunk;
        if (stop?.aborted) return;
      }
    })(),
    { objectMode: false },
  );
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  // errors surface through the iteration below; the callback only keeps them handled
  pipeline(compressed, gunzip, () => undefined);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      parser.push(chunk);
      if (stop?.aborted) break;
    }
  } catch (err) {
    if (!isZlibError(err)) throw err;
    // the input ended early because it was stopped: a cut gzip stream is expected then
    if (stop?.aborted) return;
    parser.stopForDamage('capture_gzip_invalid', `a valid gzip stream, found ${err.message}`);
  }
}

/**
 * A regular file that is not gzip-compressed, `first` bytes of it already in `buf`: read and
 * parsed in one synchronous loop, the event loop let in every BYTES_BETWEEN_EVENT_LOOP_TURNS
 * (progress, abort). Small chunks stay in the core's cache between the kernel's copy and the
 * parser's pass, and a loop costs nothing per chunk, where an async iterator costs a promise.
 */
async function parseRegularFile(
  fd: number,
  buf: Buffer,
  first: number,
  account: (chunk: Uint8Array) => void,
  parser: CaptureParser,
  stop?: AbortSignal,
): Promise<void> {
  let sinceTurn = 0;
  for (let bytes = first; bytes > 0 && !stop?.aborted; bytes = readSync(fd, buf, 0, buf.length, null)) {
    const chunk = buf.subarray(0, bytes);
    account(chunk);
    parser.push(chunk);
    sinceTurn += bytes;
    if (sinceTurn >= BYTES_BETWEEN_EVENT_LOOP_TURNS) {
      sinceTurn = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

async function* prepend(first: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  yield* rest;
}

/** Chunks from a stream or a FIFO: gzip recognised by its first two bytes, then parsed or inflated. */
async function readChunks(
  chunks: AsyncIterable<Uint8Array>,
  account: (chunk: Uint8Array) => void,
  parser: CaptureParser,
  fromFile: boolean,
  stop?: AbortSignal,
): Promise<void> {
  const it = chunks[Symbol.asyncIterator]();
  // Peek at the first two bytes for the gzip magic. Copies, because file chunks live in
  // buffers the next read reuses.
  const head: Uint8Array[] = [];
  let headLen = 0;
  let exhausted = false;
  while (headLen < 2) {
    const r = await it.next();
    if (r.done) {
      exhausted = true;
      break;
    }
    if (r.value.length === 0) continue;
    head.push(Uint8Array.prototype.slice.call(r.value));
    headLen += r.value.length;
  }
  const rest = (async function* (): AsyncGenerator<Uint8Array> {
    yield* head;
    if (exhausted) return;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  })();

  if (headLen >= 2 && isGzipMagic(concatHead(head))) {
    await readGzip(rest, account, parser, fromFile, stop);
  } else {
    for await (const chunk of rest) {
      account(chunk);
      parser.push(chunk);
    }
  }
}
