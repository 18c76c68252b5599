/**
 * What a connection keeps after its handshake must not pin more memory than it holds. Node
 * serves small Buffers (Buffer.from, allocUnsafe, concat) as slices of a shared 8 KiB pool: a
 * 32-byte random or a 16-byte key kept for the life of a connection kept its whole pool block
 * alive, and connections linger after their last packet (flow/table.ts) — ~10 MB on the 400 MB
 * keyed benchmark capture, seen in a heap snapshot. Long-lived key material and hello fields own
 * their memory.
 */
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel } from '../../../src/decrypt/hkdf.js';
import { parseHello } from '../../../src/decrypt/tls-hello.js';
import { tls12KeyBlock } from '../../../src/decrypt/tls-prf.js';
import { TLS12_CIPHER_SUITES } from '../../../src/decrypt/tls12-suites.js';
import { CarryBuffer } from '../../../src/proto/carry.js';

/** the memory behind a view is its own: not a slice of a larger (pooled) block */
function ownsItsMemory(b: Uint8Array, atMost: number): boolean {
  return b.buffer.byteLength <= atMost;
}

describe('connection state owns its memory', () => {
  it('TLS 1.3 keys and IVs (HKDF-Expand-Label) are not slices of the 8 KiB pool', () => {
    // Buffer.from first, so the pool is in use: a pooled result would share its block
    Buffer.from('warm the pool');
    const key = hkdfExpandLabel('sha256', Buffer.alloc(32, 1), 'key', new Uint8Array(0), 16);
    const iv = hkdfExpandLabel('sha256', Buffer.alloc(32, 1), 'iv', new Uint8Array(0), 12);
    expect(ownsItsMemory(key, 32)).toBe(true);
    expect(ownsItsMemory(iv, 32)).toBe(true);
  });

  it('TLS 1.2 key block slices share one block of the key block size, not the pool', () => {
    const suite = TLS12_CIPHER_SUITES.get(0xc02f)!; // ECDHE_RSA_WITH_AES_128_GCM_SHA256
    const keys = tls12KeyBlock(suite, 0x0303, Buffer.alloc(48, 2), Buffer.alloc(32, 3), Buffer.alloc(32, 4));
    for (const b of [keys.client.key, keys.client.iv, keys.server.key, keys.server.iv]) expect(ownsItsMemory(b, 64)).toBe(true);
  });

  it("a hello's random is a copy of its own, not a view of the record or of the pool", () => {
    // a ClientHello body: version, random, empty session id, one suite, null compression, no extensions
    const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 9), Buffer.from([0, 0, 2, 0x13, 0x01, 1, 0])]);
    const record = Buffer.concat([Buffer.alloc(4000), body]); // the hello inside a larger buffer
    const hello = parseHello(record.subarray(4000), true)!;
    expect(hello.random.equals(Buffer.alloc(32, 9))).toBe(true);
    expect(ownsItsMemory(hello.random, 32)).toBe(true);
  });

  it('a carry buffer grown for a long head is let go once empty; a small one is kept for reuse', () => {
    const carry = new CarryBuffer(256);
    const long = new Uint8Array(10_000).fill(0x41);
    // 10,000 bytes carried (none consumed), then all consumed
    carry.keep(long, 0);
    const joined = carry.join(new Uint8Array(1));
    expect(joined.length).toBe(10_001);
    carry.keep(joined, joined.length);
    expect(carry.length).toBe(0);
    // the next bytes are parsed in place again, and what is carried next starts small
    const next = new Uint8Array(10);
    expect(carry.join(next)).toBe(next);
    carry.keep(next, 5);
    const small = carry.join(new Uint8Array(0));
    expect(small.buffer.byteLength).toBeLessThanOrEqual(256);
    expect(small.length).toBe(5);
  });
});
