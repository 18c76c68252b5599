/**
 * ASN lookups straight from the `@ip-location-db/asn` `-num.csv` files, with no index to build.
 *
 * Each file is sorted by range start (`start,end,asn,org`, numbers in decimal), so a lookup is
 * a binary search over *byte positions* of the file: read a few KB at the middle, skip to the
 * next line start, compare, halve. About 13 reads of 4 KB find a row among 412 000 (21 MB),
 * so the first lookup costs well under a millisecond and nothing is held in memory — where
 * reading the whole file first costs ~25 ms and building an index ~300 ms (see README.md).
 *
 * IPv6 numbers exceed 2^53; they are compared as decimal strings (shorter is smaller, equal
 * lengths compare digit by digit), which needs no BigInt per probe.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface AsnRow {
  asn: number;
  org: string | null;
}

/** Probe size: one read at each step of the search; longer than any row (the longest is 254 B). */
const PROBE_BYTES = 4096;
/** Once the window is this small it is read whole and scanned. */
const SCAN_WINDOW = 8192;
/** Rows longer than this mean the file is not what we expect; the lookup gives up. */
const MAX_ROW_BYTES = 1024;

const NL = 0x0a;
const COMMA = 0x2c;
const QUOTE = 0x22;
const decoder = new TextDecoder();

export class AsnCsvFile {
  private fd = -1;
  private size = 0;
  /** one buffer for every read; a lookup copies out only the org string it returns */
  private readonly buf = Buffer.allocUnsafe(SCAN_WINDOW + MAX_ROW_BYTES);

  /** @param file a `-num.csv` file of the package (opened on first lookup, kept open) */
  constructor(readonly file: string) {}

  /**
   * The row whose inclusive range holds `key` (an unsigned decimal string without leading
   * zeros), or null. Throws only for I/O failures (unreadable file).
   */
  lookup(key: string): AsnRow | null {
    if (this.fd < 0) {
      this.fd = openSync(this.file, 'r');
      this.size = fstatSync(this.fd).size;
    }
    // Invariant: the answer is the last row with start ≤ key among rows starting in [lo, hi);
    // lo is always a row start.
    let lo = 0;
    let hi = this.size;
    while (hi - lo > SCAN_WINDOW) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const n = this.read(mid, PROBE_BYTES);
      const nl = this.buf.indexOf(NL, 0);
      if (nl < 0 || nl >= n) return null; // no row boundary in 4 KB: not our CSV
      const rowStart = mid + nl + 1;
      if (rowStart >= hi) {
        hi = mid + 1;
        continue;
      }
      const cmp = compareDecimal(this.buf, nl + 1, n, key);
      if (cmp === null) return null;
      if (cmp <= 0) lo = rowStart;
      else hi = rowStart;
    }
    return this.scan(lo, hi, key);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** reads up to `len` bytes at `pos` into buf[0..]; returns the count */
  private read(pos: number, len: number): number {
    const want = Math.min(len, this.buf.length, this.size - pos);
    return want > 0 ? readSync(this.fd, this.buf, 0, want, pos) : 0;
  }

  /** linear scan of the rows starting in [lo, hi) */
  private scan(lo: number, hi: number, key: string): AsnRow | null {
    const n = this.read(lo, hi - lo + MAX_ROW_BYTES);
    let best = -1; // buffer offset of the last row with start ≤ key
    for (let p = 0; p < hi - lo && p < n;) {
      const cmp = compareDecimal(this.buf, p, n, key);
      if (cmp === null || cmp > 0) break;
      best = p;
      const nl = this.buf.indexOf(NL, p);
      if (nl < 0 || nl >= n) break;
      p = nl + 1;
    }
    return best < 0 ? null : this.parseRow(best, n, key);
  }

  /** `start,end,asn,org` at buf[p..]: the row when end ≥ key, else null (key in a gap) */
  private parseRow(p: number, n: number, key: string): AsnRow | null {
    const endField = this.buf.indexOf(COMMA, p) + 1;
    if (endField <= 0 || endField >= n) return null;
    const cmp = compareDecimal(this.buf, endField, n, key);
    if (cmp === null || cmp < 0) return null;
    let q = this.buf.indexOf(COMMA, endField) + 1;
    if (q <= 0) return null;
    let asn = 0;
    for (; q < n; q++) {
      const c = this.buf[q];
      if (c < 0x30 || c > 0x39) break;
      asn = asn * 10 + (c - 0x30);
    }
    if (q >= n || this.buf[q] !== COMMA) return null;
    return { asn, org: this.parseOrg(q + 1, n) };
  }

  /** the last CSV field, quoted (`"LLC ""SPUTNIK"""`) or bare, up to the end of the line */
  private parseOrg(p: number, n: number): string | null {
    let nl = this.buf.indexOf(NL, p);
    if (nl < 0 || nl > n) nl = n;
    if (p >= nl) return null;
    if (this.buf[p] !== QUOTE) return decoder.decode(this.buf.subarray(p, nl));
    const closing = nl - 1;
    if (closing <= p || this.buf[closing] !== QUOTE) return decoder.decode(this.buf.subarray(p, nl));
    return decoder.decode(this.buf.subarray(p + 1, closing)).replaceAll('""', '"');
  }
}

/**
 * Compares the unsigned decimal number at buf[p..] (ending at a comma) with `key`:
 * negative when smaller, 0 when equal, positive when larger; null when no number is there.
 */
export function compareDecimal(buf: Uint8Array, p: number, n: number, key: string): number | null {
  let e = p;
  while (e < n && buf[e] >= 0x30 && buf[e] <= 0x39) e++;
  if (e === p || e >= n || buf[e] !== COMMA) return null;
  const len = e - p;
  if (len !== key.length) return len - key.length;
  for (let k = 0; k < len; k++) {
    const d = buf[p + k] - key.charCodeAt(k);
    if (d !== 0) return d;
  }
  return 0;
}
