import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeContent } from '../../../src/proto/content-encoding.js';

const text = 'device_id=3f8a1c2b9d4e5f60&model=Redmi Note 8 Pro '.repeat(50);
const plain = new TextEncoder().encode(text);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('decodeContent', () => {
  it.each([
    ['gzip', gzipSync(plain)],
    ['x-gzip', gzipSync(plain)],
    ['GZIP', gzipSync(plain)],
    ['deflate', deflateSync(plain)], // zlib-wrapped, as RFC 9110 says
    ['deflate', deflateRawSync(plain)], // raw, as many implementations send it
    ['br', brotliCompressSync(plain)],
    ['identity', plain],
    ['gzip, identity', gzipSync(plain)],
    ['deflate, gzip', gzipSync(deflateSync(plain))], // applied in listed order, undone in reverse
  ])('%s', (coding, body) => {
    const r = decodeContent(body, coding, 1 << 20);
    expect(r.error).toBeNull();
    expect(r.capped).toBe(false);
    expect(dec(r.bytes)).toBe(text);
  });

  it('leaves an unsupported coding as it is, with an error', () => {
    const r = decodeContent(plain, 'zstd', 1 << 20);
    expect(r.bytes).toBe(plain);
    expect(r.error).toBe('unsupported coding: zstd');
  });

  it('decodes what it can of a cut-short gzip body', () => {
    // poorly compressible filler (a fixed LCG) so the cut loses only the tail
    let seed = 1;
    const noise = Array.from({ length: 20_000 }, () => String.fromCharCode(97 + (((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % 26))).join('');
    const gz = gzipSync(new TextEncoder().encode('x'.repeat(1000) + noise));
    const r = decodeContent(gz.subarray(0, gz.length - 200), 'gzip', 1 << 20);
    expect(r.error).toBe('truncated input');
    expect(r.bytes.length).toBeGreaterThanOrEqual(1000);
    expect(dec(r.bytes.subarray(0, 1000))).toBe('x'.repeat(1000));
  });

  it('stops a bomb at the cap and keeps the first part', () => {
    const bomb = gzipSync(new Uint8Array(32 * 1024 * 1024).fill(0x41)); // 32 MiB in ~32 KB
    const r = decodeContent(bomb, 'gzip', 100_000);
    expect(r.capped).toBe(true);
    expect(r.error).toBeNull();
    expect(r.bytes.length).toBeLessThanOrEqual(100_000);
    expect(r.bytes.length).toBeGreaterThan(90_000);
    expect(r.bytes.every((x) => x === 0x41)).toBe(true);
  });

  it('reports garbage without throwing', () => {
    const r = decodeContent(new Uint8Array([1, 2, 3, 4]), 'br', 1000);
    expect(r.error).not.toBeNull();
    expect(Array.from(r.bytes)).toEqual([1, 2, 3, 4]);
  });
});
