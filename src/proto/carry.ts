/**
 * The unconsumed tail of a stream direction, carried to the next push (a partial HTTP head,
 * an unfinished DNS-over-TCP message). The common case — nothing carried — costs no copy: the
 * pushed bytes are parsed in place, and only what is left over is copied.
 */
/** the buffer of every CarryBuffer that has carried nothing yet (never written: reserve() replaces it first) */
const NOTHING_CARRIED = new Uint8Array(0);
/** a buffer grown past this is let go once empty (most heads fit the first 256 bytes) */
const RELEASE_ABOVE = 4096;

export class CarryBuffer {
  private buf = NOTHING_CARRIED;
  private len = 0;

  constructor(private readonly minCapacity = 256) {}

  /** bytes held from earlier pushes */
  get length(): number {
    return this.len;
  }

  /** The bytes to parse now: the carried ones followed by `bytes`, or `bytes` itself. */
  join(bytes: Uint8Array): Uint8Array {
    if (this.len === 0) return bytes;
    this.reserve(this.len + bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this.buf.subarray(0, this.len);
  }

  /** Keeps data[used, end) — `data` being what join() returned — for the next push. */
  keep(data: Uint8Array, used: number): void {
    const rest = data.length - used;
    if (rest <= 0) {
      this.clear();
    } else if (data.buffer === this.buf.buffer) {
      this.buf.copyWithin(0, used, data.length);
      this.len = rest;
    } else {
      this.len = 0;
      this.reserve(rest);
      this.buf.set(data.subarray(used));
      this.len = rest;
    }
  }

  clear(): void {
    this.len = 0;
    // a buffer grown for a long head is let go: idle connections linger, one per flow adds up
    if (this.buf.length > RELEASE_ABOVE) this.buf = NOTHING_CARRIED;
  }

  private reserve(n: number): void {
    if (this.buf.length >= n) return;
    const grown = new Uint8Array(Math.max(n, this.buf.length * 2, this.minCapacity));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }
}
