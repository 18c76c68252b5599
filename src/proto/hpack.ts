/**
 * HPACK header block decoding (RFC 7541) for a passive observer: one HpackDecoder per direction
 * of an HTTP/2 connection, fed the complete header blocks (HEADERS / PUSH_PROMISE + CONTINUATION)
 * in the order they were sent.
 *
 * Why hand-written (README, "Decrypted traffic"): the npm packages found (research/decryption.md
 * §5: hpack.js 2.1.6, last published 2016 on readable-stream 2, and hpack 1.0.0) would still need
 * the caps and typed anomalies below put inside them, and a decode-only HPACK is small: the static
 * table, a ring of dynamic entries and the Huffman code (src/proto/huffman.ts), shared with QPACK.
 *
 *   indexed               1xxxxxxx            index (7-bit prefix)
 *   literal, indexing     01xxxxxx            name index (6-bit prefix, 0: literal name), value
 *   size update           001xxxxx            new maximum size (5-bit prefix)
 *   literal, never index  0001xxxx            name index (4-bit prefix), value
 *   literal, no indexing  0000xxxx            name index (4-bit prefix), value
 *   string                H + length (7-bit prefix), octets (Huffman-coded when H)
 *
 * Hostile input: the dynamic table size a peer may set is capped (limits.maxHpackTableBytes),
 * a block's decoded header list is capped in bytes (limits.maxHttpHeaderBytes, counted as RFC
 * 9113 §6.5.2 counts: name + value + 32 per field) and in fields (limits.maxHttpHeaders): past a
 * cap the block is still decoded, so the dynamic table stays in step with the sender's, but no
 * more fields are returned. A block that cannot be decoded (cut short, an index outside the
 * tables, a bad Huffman string, an integer over 2^32) is `hpack_malformed`; the table may then
 * differ from the sender's, so the decoder stops (`failed`) rather than invent headers.
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { huffmanDecode, huffmanErrorText, huffmanMaxDecodedLength } from './huffman.js';

export interface HpackField {
  name: string;
  value: string;
  /** sent as "literal never indexed" (RFC 7541 §6.2.3): the sender marked it sensitive */
  neverIndexed: boolean;
}

/** RFC 7541 Appendix A: the static table, index 1 first */
// prettier-ignore
export const HPACK_STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''],
  ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''],
  ['if-modified-since', ''], ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''],
  ['last-modified', ''], ['link', ''], ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''],
  ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''], ['retry-after', ''],
  ['server', ''], ['set-cookie', ''], ['strict-transport-security', ''], ['transfer-encoding', ''],
  ['user-agent', ''], ['vary', ''], ['via', ''], ['www-authenticate', ''],
];
const STATIC_COUNT = HPACK_STATIC_TABLE.length; // 61

/** SETTINGS_HEADER_TABLE_SIZE before any SETTINGS (RFC 9113 §6.5.2) */
export const HPACK_DEFAULT_TABLE_SIZE = 4096;
/** per-entry overhead counted in table and header list sizes (RFC 7541 §4.1) */
const ENTRY_OVERHEAD = 32;
/** integers above this are not sizes, indexes or lengths any peer sends: the block is damaged */
const MAX_INTEGER = 2 ** 32 - 1;

/** the last ArrayBuffer strings were decoded from, and a Buffer over all of it (one per buffer, not per string) */
let viewedBuffer: ArrayBufferLike | null = null;
let bufferView: Buffer = Buffer.alloc(0);

/** b[start, end) as UTF-8 text, as HTTP/1 heads are decoded (src/proto/http1.ts) */
function text(b: Uint8Array, start: number, end: number): string {
  if (start === end) return '';
  if (b.buffer !== viewedBuffer) {
    viewedBuffer = b.buffer;
    bufferView = Buffer.from(b.buffer);
  }
  return bufferView.toString(undefined, b.byteOffset + start, b.byteOffset + end);
}

export class HpackDecoder {
  // dynamic table: a ring of entries, oldest at `first`; index 62 is the newest
  private names: string[] = new Array<string>(16);
  private values: string[] = new Array<string>(16);
  private sizes: number[] = new Array<number>(16);
  /** octets of each entry's name (its share of the entry size, when a later literal reuses the name) */
  private nameSizes: number[] = new Array<number>(16);
  private first = 0;
  private count = 0;
  /** sum of entry sizes (RFC 7541 §4.1) */
  private tableBytes = 0;
  /** the table's current maximum size, as the last size update set it */
  private maxTableBytes = HPACK_DEFAULT_TABLE_SIZE;
  /** the ceiling the decoding side announced (SETTINGS_HEADER_TABLE_SIZE): size updates may not exceed it */
  private settingsTableBytes = HPACK_DEFAULT_TABLE_SIZE;
  private _failed = false;

  // the block being decoded
  private pos = 0;
  private end = 0;
  private huffScratch = new Uint8Array(0); // grown to the longest Huffman string met
  /** decoded string bytes of the last readString (for table sizes), and where a literal's octets lie */
  private strBytes = 0;

  /** @param sink where problems go (an analyzer's sink is bound to its flow) */
  constructor(
    private readonly limits: Pick<Limits, 'maxHpackTableBytes' | 'maxHttpHeaderBytes' | 'maxHttpHeaders'>,
    private readonly sink: AnomalySink,
  ) {}

  /** a block could not be decoded: the table may differ from the sender's, so no later block is decoded */
  get failed(): boolean {
    return this._failed;
  }
  /** entries in the dynamic table */
  get dynamicCount(): number {
    return this.count;
  }
  /** size of the dynamic table (RFC 7541 §4.1) */
  get dynamicBytes(): number {
    return this.tableBytes;
  }
  /** the dynamic table's maximum size, as the last size update set it */
  get dynamicMaxBytes(): number {
    return this.maxTableBytes;
  }

  /** dynamic entry `i` (0: the newest, HPACK index 62) as [name, value], or undefined */
  dynamicEntry(i: number): [string, string] | undefined {
    return this.lookup(i + STATIC_COUNT + 1) && i >= 0 ? [this.foundName, this.foundValue] : undefined;
  }

  /** The caller lost a block of this direction (a cap, damaged framing): later blocks cannot be trusted. */
  fail(): void {
    this._failed = true;
  }

  /**
   * The decoding side announced SETTINGS_HEADER_TABLE_SIZE `n`: the sender's size updates may go
   * up to n. Above limits.maxHpackTableBytes the table is held at the limit (`limit_reached`).
   */
  setSettingsTableSize(n: number): void {
    this.settingsTableBytes = n;
  }

  /**
   * Decodes the header block b[start, end), appending its fields to `out`. `at` is the stream
   * offset of the block's first byte (anomaly offsets). Returns false, after an anomaly, when the
   * block cannot be decoded (fields decoded before the damage stay in `out`); the decoder is then
   * `failed` and decodes nothing more.
   */
  decodeBlock(b: Uint8Array, start: number, end: number, out: HpackField[], at = 0): boolean {
    if (this._failed) return false;
    this.pos = start;
    this.end = end;
    let listBytes = 0;
    let capped = false;
    let fieldsSeen = false;
    const maxListBytes = this.limits.maxHttpHeaderBytes;
    const maxFields = this.limits.maxHttpHeaders;
    while (this.pos < end) {
      const fieldAt = this.pos;
      const first = b[this.pos]!;
      let name: string;
      let value: string;
      let neverIndexed = false;
      if (first & 0x80) {
        // indexed header field (§6.1)
        const index = this.readInteger(b, 7);
        if (index < 0) return this.malformed(at + fieldAt - start, 'index integer cut short or too large');
        if (index === 0) return this.malformed(at + fieldAt - start, 'indexed field with index 0');
        if (!this.lookup(index))
          return this.malformed(at + fieldAt - start, `index ${index} outside the tables (${STATIC_COUNT} static + ${this.count} dynamic)`);
        name = this.foundName;
        value = this.foundValue;
      } else if ((first & 0xe0) === 0x20) {
        // dynamic table size update (§6.3)
        const size = this.readInteger(b, 5);
        if (size < 0) return this.malformed(at + fieldAt - start, 'size update integer cut short or too large');
        if (fieldsSeen) this.sink.anomaly('hpack_table_size_update_invalid', at + fieldAt - start, 'size update after the first field of a block');
        this.sizeUpdate(size, at + fieldAt - start);
        continue;
      } else {
        // literal header field: with incremental indexing (§6.2.1), without (§6.2.2), never indexed (§6.2.3)
        const indexing = (first & 0xc0) === 0x40;
        neverIndexed = (first & 0xf0) === 0x10;
        const nameIndex = this.readInteger(b, indexing ? 6 : 4);
        if (nameIndex < 0) return this.malformed(at + fieldAt - start, 'name index integer cut short or too large');
        let nameBytes: number;
        if (nameIndex === 0) {
          const s = this.readString(b, at - start);
          if (s === null) return false;
          name = s;
          nameBytes = this.strBytes;
        } else {
          if (!this.lookup(nameIndex))
            return this.malformed(at + fieldAt - start, `name index ${nameIndex} outside the tables (${STATIC_COUNT} static + ${this.count} dynamic)`);
          name = this.foundName;
          nameBytes = this.foundNameBytes;
        }
        const v = this.readString(b, at - start);
        if (v === null) return false;
        value = v;
        if (indexing) this.insert(name, value, nameBytes, nameBytes + this.strBytes + ENTRY_OVERHEAD);
      }
      fieldsSeen = true;
      if (capped) continue;
      listBytes += name.length + value.length + ENTRY_OVERHEAD;
      if (listBytes > maxListBytes || out.length >= maxFields) {
        // keep decoding (the table must stay in step) but return no more fields
        capped = true;
        this.sink.anomaly('limit_reached', at + fieldAt - start, listBytes > maxListBytes ? 'maxHttpHeaderBytes' : 'maxHttpHeaders');
        continue;
      }
      out.push({ name, value, neverIndexed });
    }
    return true;
  }

  // lookup results (fields, so a lookup allocates nothing)
  private foundName = '';
  private foundValue = '';
  private foundNameBytes = 0;

  /** Finds entry `index` (1-based over static then dynamic) into found*; false when there is none. */
  private lookup(index: number): boolean {
    if (index <= STATIC_COUNT) {
      const e = HPACK_STATIC_TABLE[index - 1]!;
      this.foundName = e[0];
      this.foundValue = e[1];
      this.foundNameBytes = e[0].length;
      return true;
    }
    const i = index - STATIC_COUNT - 1;
    if (i >= this.count) return false;
    const cap = this.names.length;
    const slot = (this.first + this.count - 1 - i) % cap;
    this.foundName = this.names[slot]!;
    this.foundValue = this.values[slot]!;
    this.foundNameBytes = this.nameSizes[slot]!;
    return true;
  }

  private insert(name: string, value: string, nameBytes: number, size: number): void {
    // an entry larger than the table empties it and is not added (§4.4)
    while (this.count > 0 && this.tableBytes + size > this.maxTableBytes) this.evictOldest();
    if (size > this.maxTableBytes) return;
    if (this.count === this.names.length) this.grow();
    const slot = (this.first + this.count) % this.names.length;
    this.names[slot] = name;
    this.values[slot] = value;
    this.sizes[slot] = size;
    this.nameSizes[slot] = nameBytes;
    this.count++;
    this.tableBytes += size;
  }

  private evictOldest(): void {
    this.tableBytes -= this.sizes[this.first]!;
    this.names[this.first] = '';
    this.values[this.first] = '';
    this.first = (this.first + 1) % this.names.length;
    this.count--;
  }

  private grow(): void {
    const cap = this.names.length;
    const names = new Array<string>(cap * 2);
    const values = new Array<string>(cap * 2);
    const sizes = new Array<number>(cap * 2);
    const nameSizes = new Array<number>(cap * 2);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.first + i) % cap;
      names[i] = this.names[slot]!;
      values[i] = this.values[slot]!;
      sizes[i] = this.sizes[slot]!;
      nameSizes[i] = this.nameSizes[slot]!;
    }
    this.names = names;
    this.values = values;
    this.sizes = sizes;
    this.nameSizes = nameSizes;
    this.first = 0;
  }

  private sizeUpdate(size: number, at: number): void {
    if (size > this.settingsTableBytes) {
      // a sender may not go above what the decoder announced; the SETTINGS may simply not have been captured
      this.sink.anomaly('hpack_table_size_update_invalid', at, `size update to ${size} above SETTINGS_HEADER_TABLE_SIZE ${this.settingsTableBytes}`);
    }
    if (size > this.limits.maxHpackTableBytes) {
      this.sink.anomaly('limit_reached', at, 'maxHpackTableBytes');
      size = this.limits.maxHpackTableBytes;
    }
    this.maxTableBytes = size;
    while (this.count > 0 && this.tableBytes > size) this.evictOldest();
  }

  /** An integer with an n-bit prefix at pos (§5.1); -1 when cut short or above 2^32 - 1. */
  private readInteger(b: Uint8Array, n: number): number {
    const mask = (1 << n) - 1;
    let v = b[this.pos++]! & mask;
    if (v < mask) return v;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) return -1;
      const c = b[this.pos++]!;
      v += (c & 0x7f) * 2 ** shift;
      if (v > MAX_INTEGER) return -1;
      if ((c & 0x80) === 0) return v;
      shift += 7;
    }
  }

  /** A string literal at pos (§5.2); its octet count in strBytes. null after an anomaly. */
  private readString(b: Uint8Array, base: number): string | null {
    const at = this.pos;
    if (at >= this.end) return this.malformedString(base + at, 'string missing at the end of the block');
    const huffman = (b[at]! & 0x80) !== 0;
    const len = this.readInteger(b, 7);
    if (len < 0) return this.malformedString(base + at, 'string length integer cut short or too large');
    const from = this.pos;
    if (len > this.end - from) return this.malformedString(base + at, `string of ${len} bytes overruns the block (${this.end - from} left)`);
    this.pos = from + len;
    if (!huffman) {
      this.strBytes = len;
      return text(b, from, from + len);
    }
    const need = huffmanMaxDecodedLength(len);
    if (this.huffScratch.length < need) this.huffScratch = new Uint8Array(Math.max(need, this.huffScratch.length * 2));
    const n = huffmanDecode(b, from, from + len, this.huffScratch, 0);
    if (n < 0) return this.malformedString(base + at, huffmanErrorText(n));
    this.strBytes = n;
    return text(this.huffScratch, 0, n);
  }

  private malformedString(at: number, detail: string): null {
    this.malformed(at, detail);
    return null;
  }

  private malformed(at: number, detail: string): false {
    this._failed = true;
    this.sink.anomaly('hpack_malformed', at, detail);
    return false;
  }
}
