/**
 * A streaming tar reader: capture archives are read in one pass and never extracted to disk.
 * Understands POSIX ustar (with its 155-byte prefix), GNU long names ('L'), pax extended headers
 * ('x' for the next entry, 'g' for all that follow: path= and size=), sizes in octal and GNU
 * base-256. Only regular files are handed on; directories, links and devices are skipped.
 *
 * Each entry's bytes come as a Readable that is valid until the consumer is done with it: the
 * caller must finish (or destroy) `entry.stream` before asking for the next entry; whatever it
 * did not read is skipped then. Damage (a bad checksum, a size field that is not a number, the
 * archive ending inside a header or entry) throws a TarFormatError naming the byte offset; the
 * entries before it have been delivered.
 */
import { Readable } from 'node:stream';

export const TAR_BLOCK = 512;

export class TarFormatError extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`damaged tar archive at byte ${offset}: ${problem}`);
    this.name = 'TarFormatError';
  }
}

export interface TarEntry {
  /** the member's path inside the archive (pax path, GNU long name, or prefix/name) */
  path: string;
  size: number;
  /** byte offset of the entry's header in the (decompressed) archive */
  offset: number;
  stream: Readable;
}

export interface TarOptions {
  /** pax headers and GNU long names larger than this are damage (limits.maxTarMetaBytes) */
  maxMetaBytes: number;
  /** bytes handed to the entry stream at once */
  chunkBytes?: number;
}

/** Pulls bytes from an async iterable of chunks, with an absolute offset. */
class ChunkReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private ended = false;
  /** bytes consumed so far */
  offset = 0;

  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  private async fill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return false;
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return false;
      }
      this.chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      this.pos = 0;
    }
    return true;
  }

  /** Up to `max` bytes as a view (no copy), or null at the end of the source. */
  async next(max: number): Promise<Uint8Array | null> {
    if (!(await this.fill())) return null;
    const n = Math.min(max, this.chunk.length - this.pos);
    const out = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes (copied), or fewer when the source ends first. */
  async exact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const part = await this.next(n - got);
      if (!part) return out.subarray(0, got);
      out.set(part, got);
      got += part.length;
    }
    return out;
  }

  /** Skips `n` bytes; returns how many could be skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const part = await this.next(left);
      if (!part) break;
      left -= part.length;
    }
    return n - left;
  }
}

/** The Readable of one entry: pulls at most `size` bytes from the archive, on demand. */
class EntryStream extends Readable {
  remaining: number;
  /** the read in progress; the tar reader waits for it before moving the archive on */
  inflight: Promise<void> = Promise.resolve();
  private busy = false;
  /** the archive ended before the entry did */
  cutShort = false;

  constructor(
    private readonly src: ChunkReader,
    size: number,
    private readonly chunkBytes: number,
  ) {
    super();
    this.remaining = size;
  }

  override _read(): void {
    if (this.busy) return;
    if (this.remaining === 0) {
      this.push(null);
      return;
    }
    this.busy = true;
    this.inflight = this.src.next(Math.min(this.remaining, this.chunkBytes)).then(
      (part) => {
        this.busy = false;
        if (!part) {
          this.cutShort = true;
          this.push(null);
          return;
        }
        this.remaining -= part.length;
        this.push(part);
      },
      (err: Error) => {
        this.busy = false;
        this.destroy(err);
      },
    );
  }
}

/** Sum of the header bytes with the checksum field counted as spaces (unsigned and signed). */
function headerChecksums(h: Uint8Array): { unsigned: number; signed: number } {
  let u = 0;
  let s = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i];
    u += b;
    s += b > 127 ? b - 256 : b;
  }
  return { unsigned: u, signed: s };
}

/**
 * A numeric header field: octal digits (leading spaces/NULs allowed, ended by NUL or space), or
 * GNU base-256 when the first byte has its high bit set. Null when it is neither, negative, or
 * beyond what a JS number holds exactly.
 */
export function parseTarNumber(h: Uint8Array, off: number, len: number): number | null {
  if (h.length < off + len) return null;
  if (h[off] & 0x80) {
    if (h[off] === 0xff) return null; // negative base-256
    let v = h[off] & 0x7f;
    for (let i = 1; i < len; i++) {
      v = v * 256 + h[off + i];
      if (v > Number.MAX_SAFE_INTEGER) return null;
    }
    return v;
  }
  let i = off;
  const end = off + len;
  while (i < end && (h[i] === 0x20 || h[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = h[i];
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return null;
    v = v * 8 + (c - 0x30);
  }
  return v;
}

const utf8 = new TextDecoder();

/** A NUL-terminated string field. */
function cString(h: Uint8Array, off: number, len: number): string {
  let end = off;
  const max = Math.min(h.length, off + len);
  while (end < max && h[end] !== 0) end++;
  return utf8.decode(h.subarray(off, end));
}

function isZeroBlock(h: Uint8Array): boolean {
  for (let i = 0; i < h.length; i++) if (h[i] !== 0) return false;
  return true;
}

/**
 * Pax extended header records: `<length> <key>=<value>\n`, the length counting the whole record.
 * Malformed records end the parse (what came before is kept).
 */
export function parsePaxRecords(b: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < b.length) {
    let sp = off;
    while (sp < b.length && b[sp] !== 0x20) sp++;
    if (sp >= b.length) break;
    const len = Number(utf8.decode(b.subarray(off, sp)));
    // a record holds at least "N k=\n"; zero or runaway lengths stop the loop
    if (!Number.isInteger(len) || len < 5 || off + len > b.length || b[off + len - 1] !== 0x0a) break;
    const rec = utf8.decode(b.subarray(sp + 1, off + len - 1));
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    off += len;
  }
  return out;
}

const padding = (size: number): number => (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;

/**
 * The regular-file entries of a tar archive, in order. `source` yields the archive's bytes
 * (already decompressed). See the module comment for the consumer's contract.
 */
export async function* tarEntries(source: AsyncIterable<Uint8Array>, opts: TarOptions): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(source[Symbol.asyncIterator]());
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  const globalPax = new Map<string, string>();
  let pax: Map<string, string> | null = null;
  let longName: string | null = null;
  let sawHeader = false;

  const readMeta = async (size: number, at: number): Promise<Uint8Array> => {
    if (size > opts.maxMetaBytes) throw new TarFormatError(at, `metadata entry of ${size} bytes exceeds limit maxTarMetaBytes (${opts.maxMetaBytes})`);
    const meta = await reader.exact(size);
    if (meta.length < size) throw new TarFormatError(reader.offset, 'archive ends inside a metadata entry');
    await skipOrFail(padding(size));
    return meta;
  };
  const skipOrFail = async (n: number): Promise<void> => {
    if ((await reader.skip(n)) < n) throw new TarFormatError(reader.offset, 'archive ends inside an entry');
  };

  for (;;) {
    const at = reader.offset;
    const h = await reader.exact(TAR_BLOCK);
    if (h.length === 0) {
      // no end-of-archive blocks: tolerated after at least one header (GNU tar warns too)
      if (!sawHeader) throw new TarFormatError(at, 'empty archive');
      return;
    }
    if (h.length < TAR_BLOCK) throw new TarFormatError(at, `archive ends inside a header (${h.length} of 512 bytes)`);
    if (isZeroBlock(h)) {
      if (!sawHeader) throw new TarFormatError(at, 'archive starts with an end-of-archive block');
      return;
    }
    const stored = parseTarNumber(h, 148, 8);
    const sums = headerChecksums(h);
    if (stored === null || (stored !== sums.unsigned && stored !== sums.signed)) {
      throw new TarFormatError(at, sawHeader ? 'header checksum mismatch' : 'not a tar archive (header checksum mismatch)');
    }
    sawHeader = true;
    const headerSize = parseTarNumber(h, 124, 12);
    if (headerSize === null) throw new TarFormatError(at + 124, 'size field is not a number');
    const type = h[156];

    if (type === 0x4c /* L: GNU long name of the next entry */) {
      longName = cString(await readMeta(headerSize, at), 0, headerSize);
      continue;
    }
    if (type === 0x78 /* x: pax header of the next entry */ || type === 0x67 /* g: global pax header */) {
      const recs = parsePaxRecords(await readMeta(headerSize, at));
      if (type === 0x67) for (const [k, v] of recs) globalPax.set(k, v);
      else pax = recs;
      continue;
    }

    const attr = (key: string): string | undefined => pax?.get(key) ?? globalPax.get(key);
    let size = headerSize;
    const paxSize = attr('size');
    if (paxSize !== undefined) {
      if (!/^\d+$/.test(paxSize) || Number(paxSize) > Number.MAX_SAFE_INTEGER) throw new TarFormatError(at, `pax size "${paxSize}" is not a number`);
      size = Number(paxSize);
    }
    const isRegular = type === 0x30 || type === 0 || type === 0x37; // '0', old NUL, '7' contiguous
    if (isRegular) {
      const posix = cString(h, 257, 6) === 'ustar' && h[263] === 0x30 && h[264] === 0x30; // GNU's "ustar  " has no prefix field
      const prefix = posix ? cString(h, 345, 155) : '';
      const name = cString(h, 0, 100);
      const path = attr('path') ?? longName ?? (prefix ? `${prefix}/${name}` : name);
      const stream = new EntryStream(reader, size, chunkBytes);
      yield { path, size, offset: at, stream };
      // the consumer is done: let a pending read land, then skip what it did not read
      stream.destroy();
      await stream.inflight;
      const left = stream.remaining;
      if (stream.cutShort) throw new TarFormatError(reader.offset, `archive ends inside entry ${path}`);
      await skipOrFail(left + padding(size));
    } else {
      // directories, links, devices, 'K' long link names…: not captures
      await skipOrFail(size + padding(size));
    }
    pax = null;
    longName = null;
  }
}
