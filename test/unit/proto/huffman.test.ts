/** HPACK Huffman decoder: the Appendix B table's own consistency, RFC 7541 Appendix C strings, §5.2 errors. */
import { describe, expect, it } from 'vitest';
import {
  HUFFMAN_BAD_PADDING,
  HUFFMAN_CODES,
  HUFFMAN_EOS_IN_STRING,
  HUFFMAN_OUTPUT_FULL,
  huffmanDecode,
  huffmanMaxDecodedLength,
} from '../../../src/proto/huffman.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function decode(b: Uint8Array): string | number {
  const dst = new Uint8Array(huffmanMaxDecodedLength(b.length));
  const n = huffmanDecode(b, 0, b.length, dst, 0);
  return n < 0 ? n : Buffer.from(dst.subarray(0, n)).toString('latin1');
}

/** bits → octets, padded with ones (the most significant bits of EOS) */
function pack(bits: string): Uint8Array {
  const padded = bits + '1'.repeat((8 - (bits.length % 8)) % 8);
  const out = new Uint8Array(padded.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(padded.slice(i * 8, i * 8 + 8), 2);
  return out;
}
const codeBits = (sym: number): string => HUFFMAN_CODES[sym * 2].toString(2).padStart(HUFFMAN_CODES[sym * 2 + 1], '0');
const encode = (bytes: Iterable<number>): Uint8Array => pack([...bytes].map(codeBits).join(''));

describe('Appendix B table as transcribed', () => {
  it('has 257 rows, a complete prefix code (Kraft sum 1) and canonical code order', () => {
    expect(HUFFMAN_CODES.length).toBe(257 * 2);
    let kraft = 0;
    for (let s = 0; s <= 256; s++) kraft += 2 ** -HUFFMAN_CODES[s * 2 + 1];
    expect(kraft).toBe(1);
    // canonical: sorted by (length, symbol), each code is the previous plus one, shifted to its length
    const order = [...Array(257).keys()].sort((a, b) => HUFFMAN_CODES[a * 2 + 1] - HUFFMAN_CODES[b * 2 + 1] || a - b);
    let code = 0;
    let prevLen = HUFFMAN_CODES[order[0] * 2 + 1];
    for (let i = 0; i < order.length; i++) {
      const len = HUFFMAN_CODES[order[i] * 2 + 1];
      if (i > 0) code = (code + 1) * 2 ** (len - prevLen);
      prevLen = len;
      expect([order[i], HUFFMAN_CODES[order[i] * 2]]).toEqual([order[i], code]);
    }
    // spot rows against the RFC text: '0' (48) |00000| 5, 'a' (97) |00011| 5, EOS 3fffffff 30
    expect([HUFFMAN_CODES[96], HUFFMAN_CODES[97]]).toEqual([0x0, 5]);
    expect([HUFFMAN_CODES[194], HUFFMAN_CODES[195]]).toEqual([0x3, 5]);
    expect([HUFFMAN_CODES[512], HUFFMAN_CODES[513]]).toEqual([0x3fffffff, 30]);
  });
});

describe('RFC 7541 Appendix C Huffman-coded strings', () => {
  const cases: [string, string][] = [
    // C.4.1-C.4.3 (requests)
    ['f1e3 c2e5 f23a 6ba0 ab90 f4ff', 'www.example.com'],
    ['a8eb 1064 9cbf', 'no-cache'],
    ['25a8 49e9 5ba9 7d7f', 'custom-key'],
    ['25a8 49e9 5bb8 e8b4 bf', 'custom-value'],
    // C.6.1-C.6.3 (responses)
    ['6402', '302'],
    ['aec3 771a 4b', 'private'],
    ['d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3', 'https://www.example.com'],
    ['640e ff', '307'],
    ['d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ['9bd9 ab', 'gzip'],
    [
      '94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
      'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
    ],
  ];
  for (const [h, text] of cases) it(`decodes ${JSON.stringify(text)}`, () => expect(decode(hex(h))).toBe(text));

  it('decodes inside a larger buffer at an offset, writing at an offset', () => {
    const src = hex('00 00 9bd9ab 00');
    const dst = new Uint8Array(10).fill(0x2e);
    expect(huffmanDecode(src, 2, 5, dst, 3)).toBe(7);
    expect(Buffer.from(dst).toString('latin1')).toBe('...gzip...');
  });
});

describe('every symbol and §5.2 errors', () => {
  it('round-trips all 256 octet values, alone and together', () => {
    for (let s = 0; s < 256; s++) expect(decode(encode([s]))).toBe(String.fromCharCode(s));
    const all = [...Array(256).keys()];
    expect(decode(encode(all))).toBe(String.fromCharCode(...all));
  });
  it('decodes an empty string', () => expect(decode(new Uint8Array(0))).toBe(''));
  it('rejects EOS inside the string', () => {
    expect(decode(pack(codeBits(97) + codeBits(256) + codeBits(97)))).toBe(HUFFMAN_EOS_IN_STRING);
    expect(decode(pack(codeBits(256)))).toBe(HUFFMAN_EOS_IN_STRING);
  });
  it('rejects padding of 8 or more one-bits', () => {
    // 'a' = 00011 then 11 ones: the padding is longer than 7 bits
    expect(decode(hex('1f ff'))).toBe(HUFFMAN_BAD_PADDING);
    expect(decode(hex('ff'))).toBe(HUFFMAN_BAD_PADDING);
    // padding of up to 7 ones is fine: 'a' 00011 + '1' 00001 + 6 ones
    expect(decode(hex('18 7f'))).toBe('a1');
  });
  it('rejects padding that is not all ones', () => {
    // 'a' = 00011 then 000
    expect(decode(hex('18'))).toBe(HUFFMAN_BAD_PADDING);
    // 'a' then 110
    expect(decode(hex('1e'))).toBe(HUFFMAN_BAD_PADDING);
  });
  it('stops when the output space is full', () => {
    const src = hex('9bd9ab');
    expect(huffmanDecode(src, 0, src.length, new Uint8Array(3), 0)).toBe(HUFFMAN_OUTPUT_FULL);
    expect(huffmanDecode(src, 0, src.length, new Uint8Array(4), 0)).toBe(4);
  });
});
