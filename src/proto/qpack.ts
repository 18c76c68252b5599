/**
 * QPACK field-section decoding for HTTP/3 (RFC 9204), as a passive observer: one decoder per
 * direction of a connection, fed by that side's encoder stream (Set Dynamic Table Capacity,
 * Insert with Name Reference, Insert with Literal Name, Duplicate) and asked to decode the
 * HEADERS blocks of the same side. Required Insert Count, Base and post-base indexing follow
 * §4.5; strings may be Huffman-coded (RFC 7541 Appendix B, src/proto/huffman.ts).
 *
 * A field section that needs entries the encoder stream has not delivered yet is "blocked":
 * decode() says so and the caller keeps the bytes until the inserts arrive (HTTP/3 streams
 * are independent, so a capture shows them in any order).
 *
 * Written here rather than taken from npm: the registry has no QPACK decoder (`npm view qpack`
 * is a 404; HPACK packages do not do QPACK's Required Insert Count, Base or encoder stream).
 */
import type { Limits } from '../limits.js';
import { huffmanDecode, huffmanErrorText, huffmanMaxDecodedLength } from './huffman.js';

export interface QpackField {
  name: string;
  value: string;
}

/** RFC 9204 Appendix A */
export const QPACK_STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''],
  [':path', '/'],
  ['age', '0'],
  ['content-disposition', ''],
  ['content-length', '0'],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['referer', ''],
  ['set-cookie', ''],
  [':method', 'CONNECT'],
  [':method', 'DELETE'],
  [':method', 'GET'],
  [':method', 'HEAD'],
  [':method', 'OPTIONS'],
  [':method', 'POST'],
  [':method', 'PUT'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '103'],
  [':status', '200'],
  [':status', '304'],
  [':status', '404'],
  [':status', '503'],
  ['accept', '*/*'],
  ['accept', 'application/dns-message'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-ranges', 'bytes'],
  ['access-control-allow-headers', 'cache-control'],
  ['access-control-allow-headers', 'content-type'],
  ['access-control-allow-origin', '*'],
  ['cache-control', 'max-age=0'],
  ['cache-control', 'max-age=2592000'],
  ['cache-control', 'max-age=604800'],
  ['cache-control', 'no-cache'],
  ['cache-control', 'no-store'],
  ['cache-control', 'public, max-age=31536000'],
  ['content-encoding', 'br'],
  ['content-encoding', 'gzip'],
  ['content-type', 'application/dns-message'],
  ['content-type', 'application/javascript'],
  ['content-type', 'application/json'],
  ['content-type', 'application/x-www-form-urlencoded'],
  ['content-type', 'image/gif'],
  ['content-type', 'image/jpeg'],
  ['content-type', 'image/png'],
  ['content-type', 'text/css'],
  ['content-type', 'text/html; charset=utf-8'],
  ['content-type', 'text/plain'],
  ['content-type', 'text/plain;charset=utf-8'],
  ['range', 'bytes=0-'],
  ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'],
  ['vary', 'accept-encoding'],
  ['vary', 'origin'],
  ['x-content-type-options', 'nosniff'],
  ['x-xss-protection', '1; mode=block'],
  [':status', '100'],
  [':status', '204'],
  [':status', '206'],
  [':status', '302'],
  [':status', '400'],
  [':status', '403'],
  [':status', '421'],
  [':status', '425'],
  [':status', '500'],
  ['accept-language', ''],
  ['access-control-allow-credentials', 'FALSE'],
  ['access-control-allow-credentials', 'TRUE'],
  ['access-control-allow-headers', '*'],
  ['access-control-allow-methods', 'get'],
  ['access-control-allow-methods', 'get, post, options'],
  ['access-control-allow-methods', 'options'],
  ['access-control-expose-headers', 'content-length'],
  ['access-control-request-headers', 'content-type'],
  ['access-control-request-method', 'get'],
  ['access-control-request-method', 'post'],
  ['alt-svc', 'clear'],
  ['authorization', ''],
  ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
  ['early-data', '1'],
  ['expect-ct', ''],
  ['forwarded', ''],
  ['if-range', ''],
  ['origin', ''],
  ['purpose', 'prefetch'],
  ['server', ''],
  ['timing-allow-origin', '*'],
  ['upgrade-insecure-requests', '1'],
  ['user-agent', ''],
  ['x-forwarded-for', ''],
  ['x-frame-options', 'deny'],
  ['x-frame-options', 'sameorigin'],
];

/** decode() results */
export const QPACK_OK = 0;
export const QPACK_BLOCKED = 1;
export const QPACK_ERROR = -1;
export type QpackResult = typeof QPACK_OK | typeof QPACK_BLOCKED | typeof QPACK_ERROR;

const NO_BYTES = new Uint8Array(0);

/** requiredInsertCount(): the section references the dynamic table, whose size is not known yet */
export const UNKNOWN_YET = Number.MAX_SAFE_INTEGER;

/** RFC 9204 §3.2.1: each entry costs its name and value lengths plus 32 */
const ENTRY_OVERHEAD = 32;

interface Entry {
  name: string;
  value: string;
  size: number;
}

/** a prefixed integer (RFC 7541 §5.1) or string literal being read: value and where it ended */
interface Cursor {
  pos: number;
  value: number;
  text: string;
}

export class QpackDecoder {
  /** the reason of the last QPACK_ERROR (for an anomaly detail) */
  error = '';
  /** SETTINGS_QPACK_MAX_TABLE_CAPACITY of the peer that decodes this side (-1 until its SETTINGS is seen) */
  maxTableCapacity = -1;
  /** the encoder stream broke (malformed, over a cap): the dynamic table is no longer followed */
  encoderBroken = false;
  private entries: Entry[] = [];
  /** absolute index of entries[head] */
  private dropped = 0;
  private head = 0;
  private capacity = 0;
  private largestCapacitySet = 0;
  private size = 0;
  /** encoder-stream bytes of an instruction not complete yet */
  private pending: Uint8Array = NO_BYTES;
  private readonly cur: Cursor = { pos: 0, value: 0, text: '' };
  /** Huffman output, made at the first Huffman string */
  private scratch: Uint8Array = NO_BYTES;

  constructor(private readonly limits: Limits) {}

  /** entries inserted so far (the Insert Count of §2.1.4) */
  get insertCount(): number {
    return this.dropped + this.entries.length - this.head;
  }
  get tableSize(): number {
    return this.size;
  }

  /**
   * Encoder-stream bytes, in order. Returns false when they are malformed or break a cap
   * (`error` says which); the table is then no longer followed.
   */
  onEncoderStream(data: Uint8Array): boolean {
    if (this.encoderBroken) return false;
    let b = data;
    if (this.pending.length > 0) {
      b = new Uint8Array(this.pending.length + data.length);
      b.set(this.pending);
      b.set(data, this.pending.length);
    }
    let p = 0;
    while (p < b.length) {
      const next = this.instruction(b, p);
      if (next === -1) break; // incomplete: wait for more
      if (next === -2) {
        this.encoderBroken = true;
        this.pending = NO_BYTES;
        return false;
      }
      p = next;
    }
    const rest = b.length - p;
    if (rest > this.limits.maxHttpHeaderBytes) {
      this.error = 'encoder instruction longer than maxHttpHeaderBytes';
      this.encoderBroken = true;
      this.pending = NO_BYTES;
      return false;
    }
    this.pending = rest === 0 ? NO_BYTES : b.slice(p);
    return true;
  }

  /** one encoder instruction at b[p]: the offset after it, -1 when incomplete, -2 on error */
  private instruction(b: Uint8Array, p: number): number {
    const c = this.cur;
    const first = b[p]!;
    if ((first & 0x80) !== 0) {
      // Insert with Name Reference
      if (!this.int(b, p, 6)) return -1;
      const isStatic = (first & 0x40) !== 0;
      const index = c.value;
      let name: string;
      if (isStatic) {
        const e = QPACK_STATIC_TABLE[index];
        if (e === undefined) return this.fail(`static index ${index} out of range`);
        name = e[0];
      } else {
        const e = this.dynamic(this.insertCount - 1 - index);
        if (e === undefined) return this.fail(`insert: relative index ${index} not in the dynamic table`);
        name = e.name;
      }
      const r = this.str(b, c.pos, 7);
      if (r !== 0) return r;
      return this.insert(name, c.text) ? c.pos : -2;
    }
    if ((first & 0x40) !== 0) {
      // Insert with Literal Name
      const r1 = this.str(b, p, 5);
      if (r1 !== 0) return r1;
      const name = c.text;
      const r2 = this.str(b, c.pos, 7);
      if (r2 !== 0) return r2;
      return this.insert(name, c.text) ? c.pos : -2;
    }
    if ((first & 0x20) !== 0) {
      // Set Dynamic Table Capacity
      if (!this.int(b, p, 5)) return -1;
      const cap = c.value;
      if (this.maxTableCapacity >= 0 && cap > this.maxTableCapacity) return this.fail(`capacity ${cap} over the peer's maximum ${this.maxTableCapacity}`);
      if (cap > this.limits.maxQpackTableCapacity) return this.fail(`capacity ${cap} over maxQpackTableCapacity`);
      this.capacity = cap;
      if (cap > this.largestCapacitySet) this.largestCapacitySet = cap;
      this.evict(0);
      return c.pos;
    }
    if (!this.int(b, p, 5)) return -1; // Duplicate
    const e = this.dynamic(this.insertCount - 1 - c.value);
    if (e === undefined) return this.fail(`duplicate: relative index ${c.value} not in the dynamic table`);
    return this.insert(e.name, e.value) ? c.pos : -2;
  }

  private insert(name: string, value: string): boolean {
    const size = Buffer.byteLength(name) + Buffer.byteLength(value) + ENTRY_OVERHEAD;
    if (size > this.capacity) {
      this.error = `entry of ${size} bytes over the table capacity ${this.capacity}`;
      return false;
    }
    this.evict(size);
    this.entries.push({ name, value, size });
    this.size += size;
    return true;
  }

  /** drops the oldest entries until `room` more bytes fit */
  private evict(room: number): void {
    while (this.size + room > this.capacity && this.head < this.entries.length) {
      this.size -= this.entries[this.head]!.size;
      this.head++;
      this.dropped++;
    }
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private dynamic(absolute: number): Entry | undefined {
    if (absolute < this.dropped || absolute >= this.insertCount) return undefined;
    return this.entries[this.head + absolute - this.dropped];
  }

  private fail(why: string): number {
    this.error = why;
    return -2;
  }

  /**
   * The Required Insert Count of the field section at b[start]: 0 for static-only sections;
   * -1 when the prefix is malformed; UNKNOWN_YET when it needs the table's maximum capacity
   * and neither the peer's SETTINGS nor the encoder's capacity has been seen.
   */
  requiredInsertCount(b: Uint8Array, start: number, end: number): number {
    if (!this.intIn(b, start, end, 8)) {
      this.error = 'field section prefix cut short';
      return -1;
    }
    const encoded = this.cur.value;
    if (encoded === 0) return 0;
    // RFC 9204 §4.5.1.1; without the peer's SETTINGS, the largest capacity the encoder set
    if (this.maxTableCapacity < 0 && this.largestCapacitySet === 0) return UNKNOWN_YET;
    const maxCapacity = this.maxTableCapacity >= 0 ? this.maxTableCapacity : this.largestCapacitySet;
    const maxEntries = Math.floor(maxCapacity / 32);
    const fullRange = 2 * maxEntries;
    if (encoded > fullRange) {
      this.error = `Required Insert Count ${encoded} over 2 × MaxEntries (${fullRange})`;
      return -1;
    }
    const maxValue = this.insertCount + maxEntries;
    const maxWrapped = Math.floor(maxValue / fullRange) * fullRange;
    let ric = maxWrapped + encoded - 1;
    if (ric > maxValue) {
      if (ric <= fullRange) {
        this.error = 'Required Insert Count does not decode';
        return -1;
      }
      ric -= fullRange;
    }
    if (ric === 0) {
      this.error = 'Required Insert Count decodes to 0';
      return -1;
    }
    return ric;
  }

  /**
   * Decodes the field section b[start, end) into `out`. QPACK_BLOCKED when it needs inserts
   * not seen yet (nothing is added to `out`), QPACK_ERROR when malformed (`error` says why).
   */
  decode(b: Uint8Array, start: number, end: number, out: QpackField[]): QpackResult {
    const ric = this.requiredInsertCount(b, start, end);
    if (ric === UNKNOWN_YET)
      return this.encoderBroken ? this.sectionError('field section needs a dynamic table the encoder stream no longer follows') : QPACK_BLOCKED;
    if (ric < 0) return QPACK_ERROR;
    if (ric > this.insertCount) {
      if (this.encoderBroken) {
        this.error = 'field section needs a dynamic table the encoder stream no longer follows';
        return QPACK_ERROR;
      }
      return QPACK_BLOCKED;
    }
    const c = this.cur;
    let p = c.pos;
    if (p >= end) return this.sectionError('Base cut short');
    const sign = (b[p]! & 0x80) !== 0;
    if (!this.intIn(b, p, end, 7)) return this.sectionError('Base cut short');
    const base = sign ? ric - c.value - 1 : ric + c.value;
    if (base < 0) return this.sectionError('negative Base');
    p = c.pos;
    const startLength = out.length;
    let bytes = 0;
    while (p < end) {
      const first = b[p]!;
      let name: string, value: string;
      if ((first & 0x80) !== 0) {
        // Indexed Field Line
        if (!this.intIn(b, p, end, 6)) return this.sectionError('indexed field line cut short', out, startLength);
        const e = (first & 0x40) !== 0 ? QPACK_STATIC_TABLE[c.value] : this.entryFor(base - 1 - c.value, ric);
        if (e === undefined) return this.sectionError(`index ${c.value} not in the ${(first & 0x40) !== 0 ? 'static' : 'dynamic'} table`, out, startLength);
        name = Array.isArray(e) ? e[0] : (e as Entry).name;
        value = Array.isArray(e) ? e[1] : (e as Entry).value;
        p = c.pos;
      } else if ((first & 0x40) !== 0) {
        // Literal with Name Reference
        if (!this.intIn(b, p, end, 4)) return this.sectionError('literal field line cut short', out, startLength);
        const e = (first & 0x10) !== 0 ? QPACK_STATIC_TABLE[c.value] : this.entryFor(base - 1 - c.value, ric);
        if (e === undefined) return this.sectionError(`name index ${c.value} not in the table`, out, startLength);
        name = Array.isArray(e) ? e[0] : (e as Entry).name;
        if (this.strIn(b, c.pos, end, 7) !== 0) return this.sectionError(this.error, out, startLength);
        value = c.text;
        p = c.pos;
      } else if ((first & 0x20) !== 0) {
        // Literal with Literal Name
        if (this.strIn(b, p, end, 3) !== 0) return this.sectionError(this.error, out, startLength);
        name = c.text;
        if (this.strIn(b, c.pos, end, 7) !== 0) return this.sectionError(this.error, out, startLength);
        value = c.text;
        p = c.pos;
      } else if ((first & 0x10) !== 0) {
        // Indexed Field Line with Post-Base Index
        if (!this.intIn(b, p, end, 4)) return this.sectionError('post-base field line cut short', out, startLength);
        const e = this.entryFor(base + c.value, ric);
        if (e === undefined) return this.sectionError(`post-base index ${c.value} not in the dynamic table`, out, startLength);
        name = e.name;
        value = e.value;
        p = c.pos;
      } else {
        // Literal with Post-Base Name Reference
        if (!this.intIn(b, p, end, 3)) return this.sectionError('post-base literal cut short', out, startLength);
        const e = this.entryFor(base + c.value, ric);
        if (e === undefined) return this.sectionError(`post-base name index ${c.value} not in the dynamic table`, out, startLength);
        name = e.name;
        if (this.strIn(b, c.pos, end, 7) !== 0) return this.sectionError(this.error, out, startLength);
        value = c.text;
        p = c.pos;
      }
      bytes += name.length + value.length + ENTRY_OVERHEAD;
      if (bytes > this.limits.maxHttpHeaderBytes || out.length - startLength >= this.limits.maxHttpHeaders) {
        return this.sectionError('field section over maxHttpHeaderBytes/maxHttpHeaders', out, startLength);
      }
      out.push({ name, value });
    }
    return QPACK_OK;
  }

  /** a dynamic entry a field section may reference: below its Required Insert Count */
  private entryFor(absolute: number, ric: number): Entry | undefined {
    return absolute < ric ? this.dynamic(absolute) : undefined;
  }

  private sectionError(why: string, out?: QpackField[], keep = 0): QpackResult {
    this.error = why;
    if (out !== undefined) out.length = keep;
    return QPACK_ERROR;
  }

  // ---- primitives ----

  /** a prefixed integer at b[p] with an n-bit prefix into cur; false when cut short or absurd */
  private int(b: Uint8Array, p: number, n: number): boolean {
    return this.intIn(b, p, b.length, n);
  }

  private intIn(b: Uint8Array, p: number, end: number, n: number): boolean {
    if (p >= end) return false;
    const max = (1 << n) - 1;
    let v = b[p]! & max;
    p++;
    if (v === max) {
      let shift = 0;
      for (;;) {
        if (p >= end || shift > 49) return false; // cut short, or past 2^56
        const byte = b[p++]!;
        v += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if ((byte & 0x80) === 0) break;
      }
    }
    this.cur.value = v;
    this.cur.pos = p;
    return true;
  }

  /** a string literal (H flag above an n-bit length prefix) into cur.text: 0, -1 cut short, -2 error */
  private str(b: Uint8Array, p: number, n: number): number {
    return this.strIn(b, p, b.length, n, true);
  }

  private strIn(b: Uint8Array, p: number, end: number, n: number, incompleteIsMinus1 = false): number {
    const cut = (): number => {
      this.error = 'string literal cut short';
      return incompleteIsMinus1 ? -1 : -2;
    };
    if (p >= end) return cut();
    const huffman = (b[p]! & (1 << n)) !== 0;
    if (!this.intIn(b, p, end, n)) return cut();
    const len = this.cur.value;
    const from = this.cur.pos;
    if (len > this.limits.maxHttpHeaderBytes) return this.fail(`string of ${len} bytes over maxHttpHeaderBytes`);
    if (end - from < len) return cut();
    if (!huffman) {
      this.cur.text = Buffer.from(b.buffer, b.byteOffset + from, len).toString();
    } else {
      const need = huffmanMaxDecodedLength(len);
      if (this.scratch.length < need) this.scratch = new Uint8Array(Math.max(need, 256, this.scratch.length * 2));
      const got = huffmanDecode(b, from, from + len, this.scratch, 0);
      if (got < 0) return this.fail(huffmanErrorText(got));
      this.cur.text = Buffer.from(this.scratch.buffer, this.scratch.byteOffset, got).toString();
    }
    this.cur.pos = from + len;
    return 0;
  }
}
