import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../../src/decode/addr.js';

describe('formatIp', () => {
  // expected strings are what tshark 4.0.17 printed for the same bytes (ipv6.src/ipv6.dst of
  // a capture built with test-support/synth/packets.ts)
  it.each([
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], // IPv4-mapped
    ['::1.2.3.4', '::1.2.3.4'], // IPv4-compatible (deprecated)
    ['::0.0.0.2', '::2'], // a run of 7 zero groups is not printed as IPv4
    ['::102:0', '::1.2.0.0'],
    ['0:0:0:0:0:ffff:0:0', '::ffff:0.0.0.0'],
    ['::1:0:0:0', '::1:0:0:0'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'], // the longest run is compressed
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // equal runs: the first
    ['fe80::1:0:0', 'fe80::1:0:0'],
    ['1::', '1::'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2a03:2880:1010:6f03:face:b00c:0:2', '2a03:2880:1010:6f03:face:b00c:0:2'],
  ])('%s → %s', (text, want) => {
    const b = parseIp(text)!;
    const buf = new Uint8Array(20);
    buf.set(b, 4);
    expect(formatIp(buf, 4, 6)).toBe(want);
  });

  it('IPv4 dotted quad at an offset', () => {
    expect(formatIp(Uint8Array.from([9, 192, 0, 2, 255]), 1, 4)).toBe('192.0.2.255');
  });

  it('IPv4 text stays right for every address as its memo fills, starts over and meets high-bit and cut-short addresses', () => {
    const bytes = (n: number): Uint8Array => Uint8Array.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
    const text = (n: number): string => `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
    // three times the memo's size, each address asked twice and again after the memo started over
    const addrs = Array.from({ length: 12_000 }, (_, i) => Math.imul(i, 0x9e3779b1) >>> 0);
    addrs.push(0, 0xffffffff, 0x80000001, 0x7fffffff);
    for (const n of addrs) expect(formatIp(bytes(n), 0, 4)).toBe(text(n));
    for (const n of addrs) expect(formatIp(bytes(n), 0, 4)).toBe(text(n));
    // a range past the end reads as it is and does not stand in for 1.2.3.0 afterwards
    expect(formatIp(Uint8Array.from([1, 2, 3]), 0, 4)).toBe('1.2.3.undefined');
    expect(formatIp(Uint8Array.from([1, 2, 3, 0]), 0, 4)).toBe('1.2.3.0');
  });

  it('parseIp rejects what is not an address', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7', '']) expect(parseIp(bad)).toBeUndefined();
  });
});
