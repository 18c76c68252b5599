import { describe, expect, it } from 'vitest';
import { embeddedIPv4, formatIPv4, formatIPv6, ipv6ToDecimal, parseIPv4, parseIPv6 } from '../../../geo/ip.js';

function v6(text: string): string | null {
  const b = new Uint8Array(16);
  return parseIPv6(text, b) ? Buffer.from(b).toString('hex') : null;
}

describe('parseIPv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['8.8.8.8', 0x08080808],
    ['161.117.2.20', 0xa1750214],
    ['255.255.255.255', 0xffffffff],
  ])('%s → %d', (text, want) => {
    expect(parseIPv4(text)).toBe(want);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1234.1.1.1', '::1'])(
    'rejects %j',
    (text) => {
      expect(parseIPv4(text)).toBe(-1);
    },
  );

  it('parses a slice of a longer string', () => {
    expect(parseIPv4('::ffff:10.1.2.3', 7)).toBe(0x0a010203);
  });
});

describe('parseIPv6', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['2a01:4f8::1', '2a0104f8000000000000000000000001'],
    ['2001:DB8:0:0:0:0:0:1', '20010db8000000000000000000000001'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['::ffff:127.0.0.1', '00000000000000000000ffff7f000001'],
    ['64:ff9b::8.8.8.8', '0064ff9b000000000000000008080808'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
  ])('%s', (text, hex) => {
    expect(v6(text)).toBe(hex);
  });

  it.each([
    '',
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    ':1::',
    '1::2:',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::',
    'g::',
    '::1.2.3',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4',
    '%eth0',
    '8.8.8.8',
  ])('rejects %j', (text) => {
    expect(v6(text)).toBeNull();
  });
});

describe('formatting', () => {
  it('formats IPv4 from uint32', () => {
    expect(formatIPv4(0xa1750214)).toBe('161.117.2.20');
    expect(formatIPv4(0xffffffff)).toBe('255.255.255.255');
  });

  it.each([
    ['2a01:04f8:0000:0000:0000:0000:0000:0001', '2a01:4f8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // the longer zero run is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not
  ])('RFC 5952 text of %s is %s', (text, want) => {
    const b = new Uint8Array(16);
    expect(parseIPv6(text, b)).toBe(true);
    expect(formatIPv6(b)).toBe(want);
  });

  it('gives the decimal value the -num.csv files use', () => {
    const b = new Uint8Array(16);
    parseIPv6('2001::', b);
    // first row of @ip-location-db/asn asn-ipv6-num.csv: "42540488161975842760550356425300246528,…,6939,Hurricane Electric LLC"
    expect(ipv6ToDecimal(b)).toBe('42540488161975842760550356425300246528');
    parseIPv6('::ffff:1.2.3.4', b);
    expect(embeddedIPv4(b)).toBe(0x01020304);
  });
});
