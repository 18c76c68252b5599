import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/limits.js';
import { QPACK_BLOCKED, QPACK_ERROR, QPACK_OK, QPACK_STATIC_TABLE, QpackDecoder, type QpackField } from '../../../src/proto/qpack.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const decode = (d: QpackDecoder, block: string): { r: number; fields: QpackField[] } => {
  const fields: QpackField[] = [];
  const b = hex(block);
  return { r: d.decode(b, 0, b.length, fields), fields };
};

describe('QPACK (RFC 9204 Appendix B)', () => {
  it('has the 99-entry static table', () => {
    expect(QPACK_STATIC_TABLE).toHaveLength(99);
    expect(QPACK_STATIC_TABLE[17]).toEqual([':method', 'GET']);
    expect(QPACK_STATIC_TABLE[98]).toEqual(['x-frame-options', 'sameorigin']);
  });

  it('B.1 literal field line with name reference, B.2-B.5 the dynamic table through its encoder stream', () => {
    const d = new QpackDecoder(resolveLimits());
    d.maxTableCapacity = 220;
    // B.1
    expect(decode(d, '0000 510b 2f69 6e64 6578 2e68 746d 6c')).toEqual({ r: QPACK_OK, fields: [{ name: ':path', value: '/index.html' }] });
    // B.2: Set Dynamic Table Capacity=220, two inserts with static name references
    const field = '0381 10 11';
    expect(decode(d, field).r).toBe(QPACK_BLOCKED); // the section arrives before its inserts
    expect(d.onEncoderStream(hex('3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d'))).toBe(true);
    expect(d.insertCount).toBe(1);
    expect(decode(d, field).r).toBe(QPACK_BLOCKED);
    // the second insert split across two encoder-stream deliveries
    expect(d.onEncoderStream(hex('c10c 2f73 616d'))).toBe(true);
    expect(d.onEncoderStream(hex('706c 652f 7061 7468'))).toBe(true);
    expect(d.insertCount).toBe(2);
    expect(decode(d, field)).toEqual({
      r: QPACK_OK,
      fields: [
        { name: ':authority', value: 'www.example.com' },
        { name: ':path', value: '/sample/path' },
      ],
    });
    expect(d.tableSize).toBe(106);
    // B.3: insert with literal name
    expect(d.onEncoderStream(hex('4a63 7573 746f 6d2d 6b65 790c 6375 7374 6f6d 2d76 616c 7565'))).toBe(true);
    expect(d.tableSize).toBe(160);
    // B.4: duplicate, then a section with dynamic, static and dynamic references
    expect(d.onEncoderStream(hex('02'))).toBe(true);
    expect(decode(d, '0500 80 c1 81')).toEqual({
      r: QPACK_OK,
      fields: [
        { name: ':authority', value: 'www.example.com' },
        { name: ':path', value: '/' },
        { name: 'custom-key', value: 'custom-value' },
      ],
    });
    expect(d.tableSize).toBe(217);
    // B.5: insert with a dynamic name reference evicts the oldest entry
    expect(d.onEncoderStream(hex('810d 6375 7374 6f6d 2d76 616c 7565 32'))).toBe(true);
    expect(d.insertCount).toBe(5);
    expect(d.tableSize).toBe(215);
    // absolute 0 is gone: a section referencing it (RIC 1 encodes as 2, Base 1, index 0) fails
    expect(decode(d, '0200 80').r).toBe(QPACK_ERROR);
    // RIC 5 (encoded 6), Base 5: relative 0 = absolute 4, post-base not needed
    expect(decode(d, '0600 80').fields).toEqual([{ name: 'custom-key', value: 'custom-value2' }]);
  });

  it('decodes Huffman-coded strings (RFC 7541 C.4.1 www.example.com)', () => {
    const d = new QpackDecoder(resolveLimits());
    // literal with static name ref :authority, value Huffman (H bit 0x80), length 12
    expect(decode(d, '0000 50 8c f1e3 c2e5 f23a 6ba0 ab90 f4ff')).toEqual({ r: QPACK_OK, fields: [{ name: ':authority', value: 'www.example.com' }] });
    // literal name (H in bit 3 of the first byte, length 8 past the 3-bit prefix), both Huffman (RFC 7541 C.4.3)
    expect(decode(d, '0000 2f01 25a8 49e9 5ba9 7d7f 89 25a8 49e9 5bb8 e8b4 bf').fields).toEqual([{ name: 'custom-key', value: 'custom-value' }]);
  });

  it('post-base indexing', () => {
    const d = new QpackDecoder(resolveLimits());
    d.maxTableCapacity = 4096;
    d.onEncoderStream(hex('3fe11f')); // capacity 4096
    d.onEncoderStream(hex('c00f 7777 772e 6578 616d 706c 652e 636f 6d'));
    d.onEncoderStream(hex('c10c 2f73 616d 706c 652f 7061 7468'));
    // RIC 2 (encoded 3), S=1 delta 1 → Base 0: post-base 0 and 1; literal with post-base name ref 0
    expect(decode(d, '0381 10 11 00 03 61 62 63').fields).toEqual([
      { name: ':authority', value: 'www.example.com' },
      { name: ':path', value: '/sample/path' },
      { name: ':authority', value: 'abc' },
    ]);
  });

  it('refuses bombs and malformed input with a reason, never a throw', () => {
    const d = new QpackDecoder(resolveLimits({ maxQpackTableCapacity: 4096 }));
    expect(d.onEncoderStream(hex('3fe17f'))).toBe(false); // capacity 16,384 > the cap
    expect(d.error).toMatch(/maxQpackTableCapacity/);
    expect(decode(d, '0381 10').r).toBe(QPACK_ERROR); // the table is no longer followed
    const e = new QpackDecoder(resolveLimits());
    e.maxTableCapacity = 100;
    expect(e.onEncoderStream(hex('3f65'))).toBe(false); // capacity 132 over the peer's 100
    const f = new QpackDecoder(resolveLimits());
    // a dynamic reference before anything says how large the table may be: wait
    expect(decode(f, '05').r).toBe(QPACK_BLOCKED);
    f.maxTableCapacity = 0; // the peer's SETTINGS: no dynamic table
    expect(decode(f, '0000 ff').r).toBe(QPACK_ERROR); // static index cut short
    expect(decode(f, '0000 ff 7f').r).toBe(QPACK_ERROR); // static index 190: out of range
    expect(decode(f, '0000 5f ff').r).toBe(QPACK_ERROR);
    expect(decode(f, '0000 51 8a ff').r).toBe(QPACK_ERROR); // Huffman string cut short
    expect(decode(f, '05').r).toBe(QPACK_ERROR); // RIC with no dynamic table
    expect(decode(f, '00').r).toBe(QPACK_ERROR); // Base missing
    // a string longer than the header cap
    const g = new QpackDecoder(resolveLimits({ maxHttpHeaderBytes: 16 }));
    expect(decode(g, `0000 51 14 ${'61'.repeat(20)}`).r).toBe(QPACK_ERROR);
    let seed = 1;
    for (let i = 0; i < 2000; i++) {
      const len = 1 + (i % 40);
      const b = Buffer.alloc(len);
      for (let k = 0; k < len; k++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        b[k] = seed & 0xff;
      }
      const x = new QpackDecoder({ ...DEFAULT_LIMITS });
      expect(() => {
        x.onEncoderStream(b);
        x.decode(b, 0, b.length, []);
      }).not.toThrow();
    }
  });
});
