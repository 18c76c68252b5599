/** HPACK decoder: every example of RFC 7541 Appendix C, the dynamic table's limits, hostile blocks. */
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/limits.js';
import { HpackDecoder, type HpackField } from '../../../src/proto/hpack.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function decoder(l: Partial<Limits> = {}): { d: HpackDecoder; log: AnomalyLog } {
  const log = new AnomalyLog();
  return { d: new HpackDecoder({ ...DEFAULT_LIMITS, ...l }, log), log };
}

function block(d: HpackDecoder, h: string): [string, string][] | false {
  const b = hex(h);
  const out: HpackField[] = [];
  return d.decodeBlock(b, 0, b.length, out) ? out.map((f) => [f.name, f.value]) : false;
}

/** the dynamic table, newest first, as RFC 7541's examples print it */
function table(d: HpackDecoder): [string, string][] {
  const t: [string, string][] = [];
  for (let i = 0; i < d.dynamicCount; i++) t.push(d.dynamicEntry(i)!);
  return t;
}

describe('RFC 7541 C.1 integer representation (through size updates, a 5-bit prefix)', () => {
  it('C.1.1 10 in one octet, C.1.2 1337 in three', () => {
    const { d } = decoder();
    expect(block(d, '2a')).toEqual([]);
    expect(d.dynamicMaxBytes).toBe(10);
    expect(block(d, '3f 9a 0a')).toEqual([]);
    expect(d.dynamicMaxBytes).toBe(1337);
  });
  it('C.1.3 42 starting at an octet boundary: index 42 with a 7-bit prefix', () => {
    const { d } = decoder();
    expect(block(d, 'aa')).toEqual([['if-range', '']]);
  });
});

describe('RFC 7541 C.2 header field representations', () => {
  it('C.2.1 literal with indexing', () => {
    const { d } = decoder();
    expect(block(d, '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')).toEqual([['custom-key', 'custom-header']]);
    expect(table(d)).toEqual([['custom-key', 'custom-header']]);
    expect(d.dynamicBytes).toBe(55);
  });
  it('C.2.2 literal without indexing', () => {
    const { d } = decoder();
    expect(block(d, '040c 2f73 616d 706c 652f 7061 7468')).toEqual([[':path', '/sample/path']]);
    expect(d.dynamicCount).toBe(0);
  });
  it('C.2.3 literal never indexed', () => {
    const { d } = decoder();
    const b = hex('1008 7061 7373 776f 7264 0673 6563 7265 74');
    const out: HpackField[] = [];
    expect(d.decodeBlock(b, 0, b.length, out)).toBe(true);
    expect(out).toEqual([{ name: 'password', value: 'secret', neverIndexed: true }]);
    expect(d.dynamicCount).toBe(0);
  });
  it('C.2.4 indexed field', () => {
    const { d } = decoder();
    expect(block(d, '82')).toEqual([[':method', 'GET']]);
    expect(d.dynamicCount).toBe(0);
  });
});

const REQ1: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', '/'],
  [':authority', 'www.example.com'],
];
const REQ2: [string, string][] = [...REQ1, ['cache-control', 'no-cache']];
const REQ3: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':path', '/index.html'],
  [':authority', 'www.example.com'],
  ['custom-key', 'custom-value'],
];

function requests(label: string, blocks: string[]): void {
  it(`${label}: three requests on one connection`, () => {
    const { d, log } = decoder();
    expect(block(d, blocks[0]!)).toEqual(REQ1);
    expect(table(d)).toEqual([[':authority', 'www.example.com']]);
    expect(d.dynamicBytes).toBe(57);
    expect(block(d, blocks[1]!)).toEqual(REQ2);
    expect(table(d)).toEqual([
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ]);
    expect(d.dynamicBytes).toBe(110);
    expect(block(d, blocks[2]!)).toEqual(REQ3);
    expect(table(d)).toEqual([
      ['custom-key', 'custom-value'],
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ]);
    expect(d.dynamicBytes).toBe(164);
    expect(log.total).toBe(0);
  });
}

describe('RFC 7541 C.3 / C.4 request examples', () => {
  requests('C.3 without Huffman', [
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ]);
  requests('C.4 with Huffman', [
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ]);
});

const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const DATE2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const LOC = 'https://www.example.com';
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';

function responses(label: string, blocks: string[]): void {
  it(`${label}: three responses with a 256-octet table (evictions)`, () => {
    const { d, log } = decoder();
    // the examples assume a 256-octet maximum: a size update (3fe101 = 256) sets it first
    expect(block(d, '3fe101' + blocks[0]!.replace(/\s+/g, ''))).toEqual([
      [':status', '302'],
      ['cache-control', 'private'],
      ['date', DATE1],
      ['location', LOC],
    ]);
    expect(table(d)).toEqual([
      ['location', LOC],
      ['date', DATE1],
      ['cache-control', 'private'],
      [':status', '302'],
    ]);
    expect(d.dynamicBytes).toBe(222);
    expect(block(d, blocks[1]!)).toEqual([
      [':status', '307'],
      ['cache-control', 'private'],
      ['date', DATE1],
      ['location', LOC],
    ]);
    expect(table(d)).toEqual([
      [':status', '307'],
      ['location', LOC],
      ['date', DATE1],
      ['cache-control', 'private'],
    ]);
    expect(d.dynamicBytes).toBe(222);
    expect(block(d, blocks[2]!)).toEqual([
      [':status', '200'],
      ['cache-control', 'private'],
      ['date', DATE2],
      ['location', LOC],
      ['content-encoding', 'gzip'],
      ['set-cookie', COOKIE],
    ]);
    expect(table(d)).toEqual([
      ['set-cookie', COOKIE],
      ['content-encoding', 'gzip'],
      ['date', DATE2],
    ]);
    expect(d.dynamicBytes).toBe(215);
    expect(log.total).toBe(0);
  });
}

describe('RFC 7541 C.5 / C.6 response examples', () => {
  responses('C.5 without Huffman', [
    '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '4803 3330 37c1 c0bf',
    '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
  ]);
  responses('C.6 with Huffman', [
    '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
    '4883 640e ffc1 c0bf',
    '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
  ]);
});

describe('size updates and eviction', () => {
  it('a size update to 0 empties the table; an entry larger than the table is not added', () => {
    const { d } = decoder();
    block(d, '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572');
    expect(d.dynamicCount).toBe(1);
    expect(block(d, '20')).toEqual([]);
    expect(d.dynamicCount).toBe(0);
    // max 54, entry of 55: decoded, not added, table stays empty
    expect(block(d, '3f17 400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')).toEqual([['custom-key', 'custom-header']]);
    expect(d.dynamicCount).toBe(0);
    expect(block(d, 'be')).toBe(false);
  });
  it('a size update above SETTINGS_HEADER_TABLE_SIZE is flagged and applied; above the limit it is held at the limit', () => {
    const { d, log } = decoder({ maxHpackTableBytes: 8192 });
    d.setSettingsTableSize(4096);
    expect(block(d, '3fe11f')).toEqual([]); // 31 + 4065 = 4096
    expect(log.total).toBe(0);
    expect(block(d, '3fe13f')).toEqual([]); // 8192
    expect(log.countsObject()).toEqual({ hpack_table_size_update_invalid: 1 });
    expect(d.dynamicMaxBytes).toBe(8192);
    expect(block(d, '3fe0ffffff0f')).toEqual([]); // a 4 GB table (2^32 - 1): the HPACK bomb's first step
    expect(d.dynamicMaxBytes).toBe(8192);
    expect(log.counts.get('limit_reached')).toBe(1);
    expect(log.kept.at(-1)!.detail).toBe('maxHpackTableBytes');
  });
  it('a size update after a field is flagged', () => {
    const { d, log } = decoder();
    expect(block(d, '82 20')).toEqual([[':method', 'GET']]);
    expect(log.kept[0]!.code).toBe('hpack_table_size_update_invalid');
  });
});

describe('hostile blocks', () => {
  const cases: [string, string, RegExp][] = [
    ['index 0', '80', /index 0/],
    ['an index past the tables', 'be', /index 62 outside/],
    ['a name index past the tables', '7f00 01 61', /name index 63 outside/],
    ['an integer cut short', 'ff', /cut short/],
    ['an integer over 2^32', 'ff ffffffff7f', /too large/],
    ['a string longer than the block', '40 05 61', /overruns the block/],
    ['a value missing', '40 01 61', /string missing/],
    ['EOS in a Huffman string', '40 01 61 84 ffffffff', /EOS/],
    ['Huffman padding not all ones', '40 01 61 81 18', /padding/],
  ];
  for (const [what, h, detail] of cases) {
    it(`${what} is hpack_malformed and stops the decoder`, () => {
      const { d, log } = decoder();
      expect(block(d, h)).toBe(false);
      expect(log.kept[0]!.code).toBe('hpack_malformed');
      expect(log.kept[0]!.detail).toMatch(detail);
      expect(d.failed).toBe(true);
      expect(block(d, '82')).toBe(false);
      expect(log.total).toBe(1);
    });
  }

  it('past the header list caps, the block is still decoded into the table but no more fields are returned', () => {
    const { d, log } = decoder({ maxHttpHeaders: 2 });
    // three literals with indexing: a: 1, b: 2, c: 3
    expect(block(d, '4001 6101 31 4001 6201 32 4001 6301 33')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(table(d)).toEqual([
      ['c', '3'],
      ['b', '2'],
      ['a', '1'],
    ]);
    expect(log.kept[0]).toMatchObject({ code: 'limit_reached', detail: 'maxHttpHeaders' });
    const bytes = decoder({ maxHttpHeaderBytes: 70 });
    expect(block(bytes.d, '4001 6101 31 4001 6201 32 4001 6301 33')).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(bytes.log.kept[0]).toMatchObject({ code: 'limit_reached', detail: 'maxHttpHeaderBytes' });
  });

  it('a table of many small entries stays within its size (eviction keeps up)', () => {
    const { d } = decoder();
    const parts: string[] = [];
    for (let i = 0; i < 5000; i++) parts.push('4001 61 02' + Buffer.from(String(i % 100).padStart(2, '0')).toString('hex'));
    const out = block(d, parts.join(''));
    expect(out && out.length).toBe(DEFAULT_LIMITS.maxHttpHeaders);
    expect(d.dynamicBytes).toBeLessThanOrEqual(4096);
    expect(d.dynamicCount).toBe(Math.floor(4096 / 35));
    expect(d.dynamicEntry(0)).toEqual(['a', '99']);
  });
});
