/**
 * A MaxMind DB (.mmdb, format 2.x) reader that reads the file in place, page by page.
 *
 * Why not the `maxmind` package's Reader: it needs the whole file in one Buffer, and the
 * bundled DB-IP files are 63 MB (IPv4) and 71 MB (IPv6). Reading them costs 40–60 ms each
 * with a warm page cache (200+ ms cold) on every run, plus ~20 ms to import the package, in a
 * tool whose whole run on a small capture should take < 0.5 s. A lookup touches only ~32–128
 * tree nodes and one record, so reading 4 KB pages on demand answers the first lookup in
 * about a millisecond. `maxmind` stays the oracle the tests compare this reader against.
 *
 * Format: https://maxmind.github.io/MaxMind-DB/ — a binary search tree of `nodeCount` nodes
 * (two records of 24, 28 or 32 bits each), 16 zero bytes, the data section, and metadata
 * after the marker "\xab\xcd\xefMaxMind.com" in the last 128 KiB.
 *
 * Robustness: every read is bounds-checked against the file size; nesting depth, pointer
 * chains and container sizes are capped, so a hostile file ends in a MmdbFormatError, never
 * in a hang or a huge allocation.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export class MmdbFormatError extends Error {
  override name = 'MmdbFormatError';
}

export interface MmdbMetadata {
  databaseType: string;
  /** 4 or 6 */
  ipVersion: number;
  nodeCount: number;
  recordSize: number;
  buildEpoch: number;
  description: string | null;
  languages: string[];
}

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
const METADATA_MAX_BYTES = 128 * 1024;
const DATA_SEPARATOR_BYTES = 16;
const PAGE_BYTES = 4096;
/** pages kept per file (1 MiB): the tree's upper levels stay cached across lookups */
const MAX_CACHED_PAGES = 256;
/** maps/arrays nested deeper than this are damage (real databases nest 3–4 levels) */
const MAX_DEPTH = 32;
/** entries in one map or array; real records have a few dozen */
const MAX_CONTAINER_ENTRIES = 4096;
/** bytes of one string or byte value */
const MAX_VALUE_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Random access to a file through a small LRU cache of 4 KB pages (the fd stays open for the process). */
class PagedFile {
  readonly size: number;
  private readonly pages = new Map<number, Buffer>();

  constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  /** `len` bytes at `off` (a view into a cached page when they fit in one, else a copy) */
  bytes(off: number, len: number): Buffer {
    if (off < 0 || len < 0 || off + len > this.size)
      throw new MmdbFormatError(`read of ${len} bytes at ${off} beyond the end of the file (${this.size} bytes)`);
    const pageNo = Math.floor(off / PAGE_BYTES);
    const inPage = off - pageNo * PAGE_BYTES;
    if (inPage + len <= PAGE_BYTES) return this.page(pageNo).subarray(inPage, inPage + len);
    const out = Buffer.allocUnsafe(len);
    readSync(this.fd, out, 0, len, off);
    return out;
  }

  byte(off: number): number {
    return this.bytes(off, 1)[0];
  }

  private page(pageNo: number): Buffer {
    let p = this.pages.get(pageNo);
    if (p) {
      // least recently used goes first: re-insert on use (Map keeps insertion order)
      this.pages.delete(pageNo);
      this.pages.set(pageNo, p);
      return p;
    }
    const start = pageNo * PAGE_BYTES;
    const len = Math.min(PAGE_BYTES, this.size - start);
    p = Buffer.allocUnsafe(len);
    readSync(this.fd, p, 0, len, start);
    if (this.pages.size >= MAX_CACHED_PAGES) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(pageNo, p);
    return p;
  }
}

export type MmdbValue = string | number | bigint | boolean | Buffer | MmdbValue[] | MmdbMap | null;
export interface MmdbMap {
  [key: string]: MmdbValue;
}

/** Decodes values of the MaxMind DB data format; `base` is where pointers count from. */
class DataDecoder {
  /** offset just after the last decoded value */
  next = 0;

  constructor(
    private readonly file: PagedFile,
    private readonly base: number,
  ) {}

  decode(off: number, depth = 0): MmdbValue {
    if (depth > MAX_DEPTH) throw new MmdbFormatError(`values nested deeper than ${MAX_DEPTH} at ${off}`);
    const ctrl = this.file.byte(off++);
    let type = ctrl >> 5;
    if (type === 1) {
      // pointer: 3 size bits pick 11/19/27/32-bit offsets into the data section
      const ss = (ctrl >> 3) & 3;
      const v = ctrl & 7;
      const b = this.file.bytes(off, ss + 1);
      let ptr: number;
      if (ss === 0) ptr = (v << 8) | b[0];
      else if (ss === 1) ptr = ((v << 16) | (b[0] << 8) | b[1]) + 2048;
      else if (ss === 2) ptr = v * 2 ** 24 + ((b[0] << 16) | (b[1] << 8) | b[2]) + 526336;
      else ptr = b.readUInt32BE(0);
      const after = off + ss + 1;
      const value = this.decode(this.base + ptr, depth + 1);
      this.next = after; // a pointer's value lives elsewhere; decoding continues after it
      return value;
    }
    if (type === 0) type = 7 + this.file.byte(off++);
    let size = ctrl & 0x1f;
    if (size >= 29) {
      const extra = size - 28; // 1, 2 or 3 more bytes
      const b = this.file.bytes(off, extra);
      off += extra;
      if (extra === 1) size = 29 + b[0];
      else if (extra === 2) size = 285 + ((b[0] << 8) | b[1]);
      else size = 65821 + ((b[0] << 16) | (b[1] << 8) | b[2]);
    }
    switch (type) {
      case 2: // utf-8 string
        if (size > MAX_VALUE_BYTES) throw new MmdbFormatError(`string of ${size} bytes at ${off}`);
        this.next = off + size;
        return utf8.decode(this.file.bytes(off, size));
      case 3: // double
        if (size !== 8) throw new MmdbFormatError(`double of ${size} bytes at ${off}`);
        this.next = off + 8;
        return this.file.bytes(off, 8).readDoubleBE(0);
      case 4: // bytes
        if (size > MAX_VALUE_BYTES) throw new MmdbFormatError(`byte value of ${size} bytes at ${off}`);
        this.next = off + size;
        return Buffer.from(this.file.bytes(off, size));
      case 5: // uint16
      case 6: // uint32
      case 9: // uint64
      case 10: {
        // uint128
        const max = type === 5 ? 2 : type === 6 ? 4 : type === 9 ? 8 : 16;
        if (size > max) throw new MmdbFormatError(`unsigned integer of ${size} bytes at ${off}`);
        this.next = off + size;
        return unsigned(this.file.bytes(off, size));
      }
      case 8: {
        // int32, big-endian two's complement in up to 4 bytes
        if (size > 4) throw new MmdbFormatError(`int32 of ${size} bytes at ${off}`);
        this.next = off + size;
        const b = this.file.bytes(off, size);
        let v = 0;
        for (let k = 0; k < size; k++) v = (v << 8) | b[k];
        return size === 4 ? v | 0 : v;
      }
      case 7: {
        // map
        if (size > MAX_CONTAINER_ENTRIES) throw new MmdbFormatError(`map of ${size} entries at ${off}`);
        const map: MmdbMap = Object.create(null) as MmdbMap; // keys come from the file
        let p = off;
        for (let k = 0; k < size; k++) {
          const key = this.decode(p, depth + 1);
          if (typeof key !== 'string') throw new MmdbFormatError(`map key is not a string at ${p}`);
          p = this.next;
          map[key] = this.decode(p, depth + 1);
          p = this.next;
        }
        this.next = p;
        return map;
      }
      case 11: {
        // array
        if (size > MAX_CONTAINER_ENTRIES) throw new MmdbFormatError(`array of ${size} entries at ${off}`);
        const arr: MmdbValue[] = [];
        let p = off;
        for (let k = 0; k < size; k++) {
          arr.push(this.decode(p, depth + 1));
          p = this.next;
        }
        this.next = p;
        return arr;
      }
      case 14: // boolean: the value is the size
        this.next = off;
        return size !== 0;
      case 15: // float
        if (size !== 4) throw new MmdbFormatError(`float of ${size} bytes at ${off}`);
        this.next = off + 4;
        return this.file.bytes(off, 4).readFloatBE(0);
      default: // 12 data cache container, 13 end marker: never inside records
        throw new MmdbFormatError(`unexpected data type ${type} at ${off - 1}`);
    }
  }
}

/** Big-endian unsigned integer: a number when it fits 2^53, else a bigint. */
function unsigned(b: Buffer): number | bigint {
  if (b.length <= 6) {
    let v = 0;
    for (let k = 0; k < b.length; k++) v = v * 256 + b[k];
    return v;
  }
  let v = 0n;
  for (let k = 0; k < b.length; k++) v = (v << 8n) | BigInt(b[k]);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export class MmdbReader {
  readonly metadata: MmdbMetadata;
  private readonly file: PagedFile;
  private readonly nodeBytes: number;
  private readonly treeBytes: number;
  private readonly data: DataDecoder;
  /** node where IPv4 addresses start in an IPv6 tree (after 96 zero bits) */
  private ipv4Root = -1;

  /** Opens `path` and reads its metadata. Throws MmdbFormatError when it is not an mmdb. */
  constructor(readonly path: string) {
    const fd = openSync(path, 'r');
    try {
      this.file = new PagedFile(fd);
      this.metadata = this.readMetadata();
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const { recordSize, nodeCount } = this.metadata;
    this.nodeBytes = recordSize / 4;
    this.treeBytes = nodeCount * this.nodeBytes;
    if (this.treeBytes + DATA_SEPARATOR_BYTES > this.file.size) throw new MmdbFormatError(`search tree (${nodeCount} nodes) is larger than the file`);
    this.data = new DataDecoder(this.file, this.treeBytes + DATA_SEPARATOR_BYTES);
  }

  /**
   * The record for an address given as bytes (4 for IPv4, 16 for IPv6), or null when the
   * database has none. An IPv6 address in an IPv4-only database gives null.
   */
  get(addr: Uint8Array): MmdbValue {
    const bits = addr.length * 8;
    let node: number;
    if (addr.length === 4) node = this.ipv4Start();
    else if (this.metadata.ipVersion === 4) return null;
    else node = 0;
    const nodeCount = this.metadata.nodeCount;
    for (let i = 0; i < bits && node < nodeCount; i++) {
      const bit = (addr[i >> 3] >> (7 - (i & 7))) & 1;
      node = this.record(node, bit);
    }
    if (node === nodeCount || node < nodeCount) return null; // "no data" or ran out of bits
    const dataOff = this.treeBytes + (node - nodeCount); // record value counts from the tree end
    if (dataOff >= this.file.size) throw new MmdbFormatError(`record points beyond the file (${dataOff})`);
    return this.data.decode(dataOff);
  }

  /** the left (bit 0) or right (bit 1) record of a node */
  private record(node: number, bit: number): number {
    const b = this.file.bytes(node * this.nodeBytes, this.nodeBytes);
    switch (this.metadata.recordSize) {
      case 24:
        return bit ? (b[3] << 16) | (b[4] << 8) | b[5] : (b[0] << 16) | (b[1] << 8) | b[2];
      case 28:
        return bit ? (b[3] & 0x0f) * 2 ** 24 + ((b[4] << 16) | (b[5] << 8) | b[6]) : (b[3] >> 4) * 2 ** 24 + ((b[0] << 16) | (b[1] << 8) | b[2]);
      default: // 32
        return bit ? b.readUInt32BE(4) : b.readUInt32BE(0);
    }
  }

  private ipv4Start(): number {
    if (this.ipv4Root >= 0) return this.ipv4Root;
    let node = 0;
    if (this.metadata.ipVersion === 6) {
      for (let i = 0; i < 96 && node < this.metadata.nodeCount; i++) node = this.record(node, 0);
    }
    return (this.ipv4Root = node);
  }

  private readMetadata(): MmdbMetadata {
    const len = Math.min(this.file.size, METADATA_MAX_BYTES);
    const tailStart = this.file.size - len;
    const tail = Buffer.from(this.file.bytes(tailStart, len));
    const at = tail.lastIndexOf(METADATA_MARKER);
    if (at < 0) throw new MmdbFormatError('no MaxMind DB metadata section');
    const start = tailStart + at + METADATA_MARKER.length;
    const raw = new DataDecoder(this.file, start).decode(start);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Buffer.isBuffer(raw)) throw new MmdbFormatError('metadata is not a map');
    const m = raw as MmdbMap;
    const major = m.binary_format_major_version;
    const nodeCount = m.node_count;
    const recordSize = m.record_size;
    const ipVersion = m.ip_version;
    if (major !== 2) throw new MmdbFormatError(`binary format version ${String(major)} (only 2.x is supported)`);
    if (typeof nodeCount !== 'number' || nodeCount <= 0) throw new MmdbFormatError('metadata lacks node_count');
    if (recordSize !== 24 && recordSize !== 28 && recordSize !== 32) throw new MmdbFormatError(`record size ${String(recordSize)} (expected 24, 28 or 32)`);
    if (ipVersion !== 4 && ipVersion !== 6) throw new MmdbFormatError(`ip_version ${String(ipVersion)} (expected 4 or 6)`);
    const desc = m.description;
    const en = desc && typeof desc === 'object' && !Array.isArray(desc) && !Buffer.isBuffer(desc) ? (desc as MmdbMap).en : null;
    return {
      databaseType: typeof m.database_type === 'string' ? m.database_type : '',
      ipVersion,
      nodeCount,
      recordSize,
      buildEpoch: typeof m.build_epoch === 'number' ? m.build_epoch : Number(m.build_epoch ?? 0),
      description: typeof en === 'string' ? en : null,
      languages: Array.isArray(m.languages) ? m.languages.filter((x): x is string => typeof x === 'string') : [],
    };
  }
}
