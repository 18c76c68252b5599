import { describe, it, expect } from 'vitest';
import { PcapWriter, PcapngWriter, concatBytes, type WrittenPacket } from '../../../src/capture/writer.js';
import { resolveLimits } from '../../../src/limits.js';
import { parse, hexBytes } from './helpers.js';

// Three small Ethernet-ish payloads of odd lengths (padding in pcapng matters).
const payloads = [hexBytes('00112233445566778899aabb0800'), hexBytes('ffffffffffff0011223344550806000108'), hexBytes('01')];
const packets: WrittenPacket[] = [
  { tsSec: 1_600_000_000, tsNsec: 123_456_789, data: payloads[0] },
  { tsSec: 1_600_000_001, tsNsec: 999_999_999, data: payloads[1], origlen: 60 },
  { tsSec: 1_600_000_002, tsNsec: 0, data: payloads[2] },
];

function pcapFile(opts: ConstructorParameters<typeof PcapWriter>[0]): Uint8Array {
  const w = new PcapWriter(opts);
  return concatBytes([w.header(), ...packets.map((p) => w.packet(p))]);
}

/** pcapng: section 1 with Ethernet (ns) and raw IP (µs default) interfaces; section 2 with one 2^-20 interface */
function pcapngFile(byteOrder: 'little' | 'big'): Uint8Array {
  const w = new PcapngWriter({ byteOrder });
  return concatBytes([
    w.section(),
    w.interface({ linkType: 1, tsresol: 9, name: 'eth0', snaplen: 65535 }),
    w.block(4, hexBytes('0001000c c0a80001 6578616d706c6500 0000 0000')), // name resolution: skipped
    w.interface({ linkType: 101 }),
    w.enhancedPacket(0, packets[0]),
    w.enhancedPacket(1, packets[1]),
    w.block(0x00000bad, hexBytes('0000a4f7 deadbeef')), // custom block: skipped
    w.section(),
    w.interface({ linkType: 113, tsresol: 0x80 | 20, tsOffsetSec: 100 }),
    w.enhancedPacket(0, packets[2]),
    w.block(5, new Uint8Array(20)), // interface statistics: skipped
  ]);
}

describe('classic pcap header and record, byte literal', () => {
  // zeek__trunc-hdr.pcap (whole file, xxd):
  // 00000000: d4c3 b2a1 0200 0400 0000 0000 0000 0000  ................
  // 00000010: 0100 0000 0100 0000 969c b153 17f8 0e00  ...........S....
  // 00000020: 0800 0000 4e00 0000 0026 88e7 8d81 a820  ....N....&.....
  const bytes = hexBytes(`d4c3b2a1 02000400 00000000 00000000 01000000 01000000
    969cb153 17f80e00 08000000 4e000000 002688e78d81a820`);

  it('reads the header, the record and flags caplen above snaplen', () => {
    const { frames, summary, log } = parse(bytes);
    expect(summary.header).toEqual({
      format: 'pcap',
      byteOrder: 'little',
      compression: null,
      version: '2.4',
      tsPrecision: 'us',
      sections: 1,
      interfaces: [{ linkType: 1, snaplen: 1, tsResolution: 'us', tsOffsetSec: 0 }],
    });
    expect(frames).toEqual([
      {
        index: 1,
        tsSec: 0x53b19c96,
        tsNsec: 981_015_000,
        caplen: 8,
        origlen: 78,
        linkType: 1,
        interfaceId: 0,
        fileOffset: 24,
        hex: '002688e78d81a820',
      },
    ]);
    expect(summary.damage).toBeNull();
    expect(log.kept).toEqual([{ code: 'pcap_caplen_exceeds_snaplen', packet: 1, offset: 32, detail: 'caplen 8 > snaplen 1' }]);
    expect(summary).toMatchObject({ frames: 1, capturedBytes: 8, wireBytes: 78, fileBytes: 48 });
    expect(summary.firstTs).toEqual({ sec: 0x53b19c96, nsec: 981_015_000 });
  });

  it('masks FCS bits off the link type and swaps lengths of a 2.0 file (nDPI__fuzz-2021-10-13.pcap header)', () => {
    // 4d3c b2a1 0200 0000 4100 0100 b001 0606 0000 0000 0000 0040 | 72aa 733a 8023 2f70 d500 0800 c500 0000
    const head = hexBytes('4d3cb2a1 02000000 41000100 b0010606 00000000 00000040 72aa733a 80232f70 d5000800 c5000000');
    const data = new Uint8Array(197).fill(7);
    const { frames, summary, log } = parse(concatBytes([head, data]));
    expect(summary.header.version).toBe('2.0');
    expect(summary.header.tsPrecision).toBe('ns');
    expect(summary.header.interfaces[0].linkType).toBe(0); // 0x40000000 → NULL/loopback, as tshark shows
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ caplen: 197, origlen: 524501, tsSec: 0x3a73aa72 + 1, tsNsec: 0x702f2380 - 1e9 });
    expect([...log.counts.keys()].sort()).toEqual(['pcap_lengths_swapped', 'pcap_timestamp_fraction_invalid']);
  });
});

describe('pcapng blocks, byte literal', () => {
  // tcpdump__empty.pcapng (whole file): SHB (28 bytes) and IDB (20 bytes), no packets
  // 00000000: 0a0d 0d0a 1c00 0000 4d3c 2b1a 0100 0000  ........M<+.....
  // 00000010: ffff ffff ffff ffff 1c00 0000 0100 0000  ................
  // 00000020: 1400 0000 0100 0000 0000 0400 1400 0000  ................
  const bytes = hexBytes(`0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffff ffffffff 1c000000 01000000
    14000000 01000000 00000400 14000000`);

  it('reads an empty capture as zero frames, no damage', () => {
    const { frames, summary } = parse(bytes);
    expect(frames).toEqual([]);
    expect(summary.damage).toBeNull();
    expect(summary.header).toEqual({
      format: 'pcapng',
      byteOrder: 'little',
      compression: null,
      version: '1.0',
      tsPrecision: 'us',
      sections: 1,
      interfaces: [{ linkType: 1, snaplen: 262144, tsResolution: 'us', tsOffsetSec: 0 }],
    });
    expect(summary.firstTs).toBeNull();
  });

  it('rejects a block whose trailing length differs', () => {
    const bad = bytes.slice();
    bad[44] = 0x18; // IDB trailer 0x14 → 0x18
    const { summary, log } = parse(bad);
    expect(summary.damage).toEqual({ offset: 28, frame: 0, expected: 'a trailing block length equal to the leading 20, found 24' });
    expect(log.counts.get('pcapng_block_length_invalid')).toBe(1);
  });

  it.each([
    ['not a multiple of 4', 0x15],
    ['below 12', 8],
  ])('rejects a block length %s', (_what, len) => {
    const bad = bytes.slice();
    bad[32] = len;
    const { summary } = parse(bad);
    expect(summary.damage?.offset).toBe(28);
    expect(summary.damage?.expected).toContain(`found ${len}`);
  });
});

describe('every format variant via the writer', () => {
  it.each([
    ['µs little-endian', { nanosecond: false, byteOrder: 'little' as const }],
    ['µs big-endian', { nanosecond: false, byteOrder: 'big' as const }],
    ['ns little-endian', { nanosecond: true, byteOrder: 'little' as const }],
    ['ns big-endian', { nanosecond: true, byteOrder: 'big' as const, linkType: 101, snaplen: 9000 }],
  ])('pcap %s', (_name, opts) => {
    const { frames, summary, log } = parse(pcapFile(opts));
    expect(summary.header.byteOrder).toBe(opts.byteOrder);
    expect(summary.header.tsPrecision).toBe(opts.nanosecond ? 'ns' : 'us');
    expect(frames.map((f) => f.hex)).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
    expect(frames.map((f) => f.tsNsec)).toEqual(opts.nanosecond ? [123_456_789, 999_999_999, 0] : [123_456_000, 999_999_000, 0]);
    expect(frames.map((f) => f.origlen)).toEqual([14, 60, 1]);
    expect(frames.map((f) => f.fileOffset)).toEqual([24, 24 + 16 + 14, 24 + 16 + 14 + 16 + 17]);
    expect(frames.every((f) => f.linkType === (opts.linkType ?? 1))).toBe(true);
    expect(summary.lastTs).toEqual({ sec: 1_600_000_002, nsec: 0 });
    expect(log.total).toBe(0);
  });

  it.each(['little', 'big'] as const)('pcapng %s-endian: two sections, interfaces of three link types, skipped blocks', (order) => {
    const { frames, summary, log } = parse(pcapngFile(order));
    expect(log.total).toBe(0);
    expect(summary.damage).toBeNull();
    expect(summary.header).toMatchObject({ format: 'pcapng', byteOrder: order, version: '1.0', sections: 2, tsPrecision: 'mixed' });
    expect(summary.header.interfaces).toEqual([
      { linkType: 1, snaplen: 65535, tsResolution: 'ns', tsOffsetSec: 0, name: 'eth0' },
      { linkType: 101, snaplen: 0, tsResolution: 'us', tsOffsetSec: 0 },
      { linkType: 113, snaplen: 0, tsResolution: '2^-20', tsOffsetSec: 100 },
    ]);
    expect(frames.map((f) => [f.index, f.interfaceId, f.linkType, f.tsSec, f.tsNsec, f.caplen, f.origlen])).toEqual([
      [1, 0, 1, 1_600_000_000, 123_456_789, 14, 14],
      [2, 1, 101, 1_600_000_001, 999_999_000, 17, 60],
      // 2^-20 s units: 0 ns stays 0, and the section's interface 0 gets file-unique id 2
      [3, 2, 113, 1_600_000_002, 0, 1, 1],
    ]);
    expect(frames[1].hex).toBe(Buffer.from(payloads[1]).toString('hex'));
  });

  it('pcapng simple packet blocks take caplen from interface 0 snaplen; obsolete packet blocks read', () => {
    const w = new PcapngWriter({ byteOrder: 'big' });
    const data = hexBytes('0102030405060708090a');
    const { frames, log } = parse(
      concatBytes([
        w.section(),
        w.interface({ linkType: 1, snaplen: 6 }),
        w.simplePacket(data), // 10 bytes in the block, snaplen 6 → 6 captured
        w.simplePacket(data.subarray(0, 3), 3),
        w.enhancedPacket(0, packets[0], true),
      ]),
    );
    expect(log.total).toBe(0);
    expect(frames.map((f) => [f.caplen, f.origlen, f.hex, f.tsSec])).toEqual([
      [6, 10, '010203040506', 0],
      [3, 3, '010203', 0],
      [14, 14, Buffer.from(payloads[0]).toString('hex'), 1_600_000_000],
    ]);
  });

  it('pcapng timestamps: decimal resolutions, 2^-n, nanoseconds beyond 2^53, if_tsoffset', () => {
    const w = new PcapngWriter();
    const p = { tsSec: 1_700_000_000, tsNsec: 987_654_321, data: payloads[2] };
    const { frames } = parse(
      concatBytes([
        w.section(),
        w.interface({ linkType: 1, tsresol: 9 }),
        w.interface({ linkType: 1, tsresol: 3 }),
        w.interface({ linkType: 1, tsresol: 12 }),
        w.interface({ linkType: 1, tsresol: 0x80 | 10 }),
        w.interface({ linkType: 1, tsresol: 6, tsOffsetSec: -3600 }),
        w.enhancedPacket(0, p),
        w.enhancedPacket(1, p),
        w.enhancedPacket(2, { ...p, tsSec: 1_000_000 }),
        w.enhancedPacket(3, p),
        w.enhancedPacket(4, p),
      ]),
    );
    expect(frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [1_700_000_000, 987_654_321],
      [1_700_000_000, 987_000_000],
      [1_000_000, 987_654_321], // 10^-12 units: 64 bits hold only ~213 days of picoseconds
      [1_700_000_000, 987_304_687], // floor(0.987654321 × 1024) = 1011 units of 2^-10 s
      [1_700_000_000, 987_654_000],
    ]);
  });
});

describe('chunk boundaries', () => {
  const files: Array<[string, Uint8Array]> = [
    ['pcap µs LE', pcapFile({})],
    ['pcap ns BE', pcapFile({ nanosecond: true, byteOrder: 'big' })],
    ['pcapng LE', pcapngFile('little')],
    ['pcapng BE', pcapngFile('big')],
  ];
  it.each(files)('%s: same frames whether pushed whole, 1 byte at a time or in odd sizes', (_name, bytes) => {
    const whole = parse(bytes);
    for (const sizes of [[1], [2], [3, 7], [5, 1, 13], [17], [64, 1]]) {
      const cut = parse(bytes, sizes);
      expect(cut.frames).toEqual(whole.frames);
      expect(cut.summary).toEqual(whole.summary);
    }
  });
});

describe('truncation at every offset', () => {
  const files: Array<[string, Uint8Array, number]> = [
    ['pcap', pcapFile({}), 24],
    ['pcapng', pcapngFile('little'), 28],
  ];
  it.each(files)('%s: never throws past the file header, keeps every frame before the cut', (name, bytes, headerLen) => {
    const whole = parse(bytes).frames;
    // where each frame's record or block ends
    const ends = whole.map((f) => f.fileOffset + (name === 'pcap' ? 16 + f.caplen : 32 + ((f.caplen + 3) & ~3)));
    for (let cut = headerLen; cut < bytes.length; cut++) {
      for (const sizes of [[cut], [3]]) {
        const { frames, summary } = parse(bytes.subarray(0, cut), sizes);
        expect(frames).toEqual(whole.filter((_f, i) => ends[i] <= cut));
        if (summary.damage) {
          expect(summary.damage.frame).toBe(frames.length);
          expect(summary.damage.expected).toMatch(/found \d+ bytes before end of file$/);
        }
      }
    }
  });

  it('a cut record is described with its size', () => {
    const bytes = pcapFile({});
    const { summary, log } = parse(bytes.subarray(0, 24 + 16 + 14 + 20));
    expect(summary.damage).toEqual({
      offset: 54,
      frame: 1,
      expected: 'a 33-byte record (16-byte header and 17 bytes of data), found 20 bytes before end of file',
    });
    expect(log.kept[0]).toMatchObject({ code: 'pcap_record_truncated', packet: 0, offset: 54 });
  });
});

describe('length limits', () => {
  it('a pcap caplen above maxRecordBytes stops the read with limit_reached', () => {
    const w = new PcapWriter();
    const big = new Uint8Array(100);
    const { frames, summary, log } = parse(
      concatBytes([w.header(), w.packet(packets[0]), w.packet({ ...packets[0], data: big })]),
      undefined,
      resolveLimits({ maxRecordBytes: 64 }),
    );
    expect(frames).toHaveLength(1);
    expect(summary.damage).toEqual({ offset: 54, frame: 1, expected: 'a record of at most maxRecordBytes (64) bytes, found a caplen of 100' });
    expect(log.countsObject()).toEqual({ limit_reached: 1, pcap_caplen_exceeds_limit: 1 });
    expect(log.kept[0].detail).toBe('maxRecordBytes');
  });

  it('a pcapng block above maxBlockBytes stops the read before buffering it', () => {
    const w = new PcapngWriter();
    const bytes = concatBytes([w.section(), w.interface({ linkType: 1 }), w.enhancedPacket(0, { ...packets[0], data: new Uint8Array(200) })]);
    const { summary, log } = parse(bytes.subarray(0, 60), [7], resolveLimits({ maxBlockBytes: 128 }));
    expect(summary.damage?.offset).toBe(48);
    expect(log.countsObject()).toEqual({ limit_reached: 1, pcapng_block_length_invalid: 1 });
  });

  it('a pcapng packet with an unknown interface or a caplen beyond its block stops the read', () => {
    const w = new PcapngWriter();
    const head = [w.section(), w.interface({ linkType: 1 })];
    const unknown = parse(concatBytes([...head, w.enhancedPacket(0, packets[0]), w.enhancedPacket(3, packets[0])]));
    expect(unknown.frames).toHaveLength(1);
    expect(unknown.log.counts.get('pcapng_interface_unknown')).toBe(1);
    const epb = w.enhancedPacket(0, packets[0]);
    new DataView(epb.buffer).setUint32(20, 100, true); // caplen 100 in a block holding 16
    const over = parse(concatBytes([...head, epb]));
    expect(over.summary.damage?.expected).toBe("a captured length of at most the block's 16 data bytes, found 100");
  });
});

describe('recovery after damage is not attempted, but state is clean for a new parser', () => {
  it('a good file parses normally after a damaged one', () => {
    expect(parse(pcapFile({}).subarray(0, 30)).summary.damage).not.toBeNull();
    expect(parse(pcapFile({})).frames).toHaveLength(3);
  });
});
