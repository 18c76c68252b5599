/** Where the live flows' addresses are kept: one growing buffer for all of them. */
/** Bytes of one flow in the address slab: client then server, 16 bytes each (IPv4 uses the first 4). */
const SLAB_SLOT_BYTES = 32;
const SLAB_SERVER_OFFSET = 16;
/**
 * Live flows the slab holds before it first grows (128 KB): more than a phone's capture keeps
 * open at once. Growing replaces a field V8 had taken for a constant, which throws away the
 * optimised code of the per-packet path; a capture that needs it pays that once.
 */
const SLAB_INITIAL_SLOTS = 4096;

/**
 * The addresses of every live flow in one growing buffer with a free list: a Uint8Array of its
 * own per address cost each flow ~250 bytes of heap in typed-array and buffer objects.
 */
export class AddressSlab {
  bytes = new Uint8Array(SLAB_SLOT_BYTES * SLAB_INITIAL_SLOTS);
  private readonly free: number[] = [];
  private used = 0;

  /** a slot holding the client's and the server's addresses, copied from the packet */
  alloc(buf: Uint8Array, clientOff: number, serverOff: number, len: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (this.used * SLAB_SLOT_BYTES > this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2);
        grown.set(this.bytes);
        this.bytes = grown;
      }
    }
    const base = slot * SLAB_SLOT_BYTES;
    const b = this.bytes;
    for (let i = 0; i < len; i++) {
      b[base + i] = buf[clientOff + i];
      b[base + SLAB_SERVER_OFFSET + i] = buf[serverOff + i];
    }
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** whether the slot's client (or server) address equals buf[off, off + len) */
  matches(slot: number, server: boolean, buf: Uint8Array, off: number, len: number): boolean {
    const b = this.bytes;
    const base = slot * SLAB_SLOT_BYTES + (server ? SLAB_SERVER_OFFSET : 0);
    for (let i = 0; i < len; i++) if (b[base + i] !== buf[off + i]) return false;
    return true;
  }
}
