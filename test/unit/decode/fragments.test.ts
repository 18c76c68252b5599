import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../src/decode/addr.js';
import { layerNames } from '../../../src/decode/packet.js';
import * as synth from '../../../test-support/synth/packets.js';
import { corpus, readClassicPcap, setup } from './helpers.js';

const A = '192.0.2.1',
  B = '198.51.100.2';
const A6 = '2001:db8::1',
  B6 = '2001:db8::2';
/** 40 distinct payload bytes in a UDP datagram of 48 bytes: fragments of 16 → 3 pieces */
const payload = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
const datagram = synth.udp({ sport: 1000, dport: 53 }, payload, { src: A, dst: B });
const v4 = synth.ipv4Fragments({ src: A, dst: B, proto: 17, id: 0x4242 }, datagram, 16); // [0,16) [16,32) [32,48)
const datagram6 = synth.udp({ sport: 1000, dport: 53 }, payload, { src: A6, dst: B6 });
const v6 = synth.ipv6Fragments({ src: A6, dst: B6, nextHeader: 17, extensions: [{ type: 60 }] }, datagram6, 16, 0xdeadbeef);

/** a copy of fragment `i` whose payload bytes are all `fill` */
function altered(frags: Uint8Array[], i: number, headerLen: number, fill: number): Uint8Array {
  const f = frags[i].slice();
  f.fill(fill, headerLen);
  return f;
}

describe('IPv4 fragment reassembly', () => {
  it.each([
    ['in order', [0, 1, 2]],
    ['reversed', [2, 1, 0]],
    ['shuffled', [1, 2, 0]],
    ['with duplicates', [0, 0, 1, 2]],
  ])('%s: the last fragment completes the datagram', (_name, order) => {
    const { decoder, log } = setup();
    const results = order.map((i) => {
      const p = decoder.decode(v4[i], 228, 100);
      return { reassembled: p.reassembled, transportOk: p.transportOk };
    });
    expect(results.slice(0, -1).every((r) => !r.reassembled && !r.transportOk)).toBe(true);
    const p = decoder.decode(v4[order[order.length - 1]], 228, 100); // fed again: a new datagram, not complete
    expect(p.reassembled).toBe(false);
    expect(results[results.length - 1]).toEqual({ reassembled: true, transportOk: true });
    expect(log.total).toBe(0);
    expect([decoder.counts.fragments, decoder.counts.reassembled]).toEqual([order.length + 1, 1]);
  });

  it('the joined datagram: header rewritten, transport decoded from `buf`', () => {
    const { decoder } = setup();
    decoder.decode(v4[2], 228, 1);
    decoder.decode(v4[0], 228, 1);
    const p = decoder.decode(synth.ethernet({ type: 0x0800 }, v4[1]), 1, 1);
    expect(layerNames(p)).toEqual(['ethernet', 'ipv4', 'udp']);
    expect([p.reassembled, p.fragment, p.ipOff, p.buf.length]).toEqual([true, true, 0, 20 + 48]);
    expect([(p.buf[2] << 8) | p.buf[3], p.buf[6] & 0x3f, p.buf[7]]).toEqual([68, 0, 0]);
    expect(formatIp(p.buf, p.srcAddrOff, 4)).toBe(A);
    expect([p.srcPort, p.dstPort]).toEqual([1000, 53]);
    expect(Array.from(p.buf.subarray(p.payloadOff, p.payloadEnd))).toEqual(Array.from(payload));
  });

  it('a lone fragment leaves the IP layer only', () => {
    const { decoder } = setup();
    const p = decoder.decode(v4[1], 228, 0);
    expect(layerNames(p)).toEqual(['ipv4']);
    expect([p.ipVersion, p.ipProto, p.fragment, p.transportOk, p.reassembled]).toEqual([4, 17, true, false, false]);
  });

  it('overlap with equal bytes is silent; with different bytes the first-arrived bytes win and it is reported', () => {
    const { decoder, log } = setup();
    // a fragment covering [8, 24) with the original bytes: equal overlap
    const mid = synth.ipv4({ src: A, dst: B, proto: 17, id: 0x4242, flags: 1, fragOffset: 8 }, datagram.subarray(8, 24));
    decoder.decode(v4[0], 228, 0);
    decoder.decode(mid, 228, 0);
    expect(log.total).toBe(0);
    // a conflicting copy of [16, 32) arrives before the real one
    decoder.decode(altered(v4, 1, 20, 0xee), 228, 0);
    expect(log.kept.map((a) => a.code)).toEqual(['ip_fragment_overlap_conflict']); // against `mid`'s [16, 24)
    decoder.decode(v4[1], 228, 0);
    const p = decoder.decode(v4[2], 228, 0);
    expect(p.reassembled).toBe(true);
    // [16, 24) came first from `mid` (original bytes), [24, 32) first from the altered copy
    expect(Array.from(p.buf.subarray(20 + 16, 20 + 24))).toEqual(Array.from(datagram.subarray(16, 24)));
    expect(Array.from(p.buf.subarray(20 + 24, 20 + 32))).toEqual(new Array(8).fill(0xee));
    expect(log.kept.map((a) => a.code)).toEqual(['ip_fragment_overlap_conflict', 'ip_fragment_overlap_conflict']);
  });

  it('teardrop (filesamples__teardrop.pcap frames 8–9): overlapping fragments whose last one ends early', () => {
    const frames = readClassicPcap(corpus('filesamples__teardrop.pcap'));
    const { decoder, log } = setup();
    const results = frames.map((f) => {
      const p = decoder.decode(f.data, f.linkType, f.tsSec); // the one reused packet: read it now
      return { reassembled: p.reassembled, transportOk: p.transportOk, len: p.buf.length, l: layerNames(p).join(':') };
    });
    // tshark: frame 9 reassembles 28 bytes (udp), the first fragment's extra 8 bytes are dropped
    expect(results[8]).toEqual({ reassembled: true, transportOk: true, len: 20 + 28, l: 'ethernet:ipv4:udp' });
    // the last fragment ends at 28 inside the first one's 36 bytes, with different bytes there,
    // and the joined UDP header still claims 36 bytes (tshark flags the same three)
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([
      ['ip_fragment_inconsistent_length', 'data past the last fragment'],
      ['ip_fragment_overlap_conflict', 'bytes 24-28'],
      ['udp_length_beyond_ip', '36 > 28'],
    ]);
    expect([decoder.counts.fragments, decoder.counts.reassembled, decoder.counts.udp]).toEqual([2, 1, 3]);
    // 802.3/LLC, loopback test (0x9000) and ARP frames are `other`
    expect(decoder.counts.other).toBe(11);
  });

  it('nDPI__dns_fragmented.pcap: every fragmented DNS response is joined, as tshark joins it', () => {
    const frames = readClassicPcap(corpus('nDPI__dns_fragmented.pcap'));
    const { decoder, log } = setup();
    const joined = new Map<number, number>();
    for (const f of frames) {
      const p = decoder.decode(f.data, f.linkType, f.tsSec);
      if (p.reassembled) joined.set(f.index, p.ipVersion === 4 ? p.buf.length - 20 : p.buf.length - 40);
    }
    // tshark ip.reassembled.length / ipv6.reassembled.length (frames 3, 6, 9, 12, 17 among the first 20)
    expect(joined.get(3)).toBe(1710);
    expect(joined.get(6)).toBe(1509);
    expect(joined.get(9)).toBe(1498);
    expect(joined.get(12)).toBe(1498);
    expect(joined.get(17)).toBe(1710);
    expect(joined.size).toBe(decoder.counts.reassembled);
    expect(decoder.counts.fragments).toBe(14);
    expect(log.total).toBe(0);
  });
});

describe('IPv6 fragment reassembly', () => {
  it.each([
    ['in order', [0, 1, 2]],
    ['reversed', [2, 1, 0]],
    ['with a duplicate', [1, 1, 0, 2]],
  ])('%s', (_name, order) => {
    const { decoder, log } = setup();
    let p = decoder.decode(v6[order[0]], 229, 0);
    for (const i of order.slice(1)) p = decoder.decode(v6[i], 229, 0);
    expect(layerNames(p)).toEqual(['ipv6', 'ipv6ext', 'udp']); // the destination options header stays
    expect([p.reassembled, p.ipProto, p.buf.length, (p.buf[4] << 8) | p.buf[5]]).toEqual([true, 17, 40 + 8 + 48, 56]);
    expect(Array.from(p.buf.subarray(p.payloadOff, p.payloadEnd))).toEqual(Array.from(payload));
    expect(log.total).toBe(0);
  });

  it('zeek__ipv6-fragmented-dns.pcap: frames 6–8 join into 3238 bytes; the lone frame 4 never completes', () => {
    const frames = readClassicPcap(corpus('zeek__ipv6-fragmented-dns.pcap'));
    const { decoder, log } = setup();
    const out = frames.map((f) => {
      const p = decoder.decode(f.data, f.linkType, f.tsSec);
      return [p.fragment, p.reassembled, p.transportOk, p.reassembled ? p.buf.length - 40 : 0];
    });
    expect(out[3]).toEqual([true, false, false, 0]);
    expect(out[7]).toEqual([true, true, true, 3238]);
    expect(decoder.counts.udp).toBe(5);
    expect(log.total).toBe(0);
  });
});

describe('fragment limits', () => {
  it('expires partial datagrams after fragmentTimeoutSec of capture time', () => {
    const { decoder, log } = setup({ fragmentTimeoutSec: 30 });
    decoder.decode(v4[0], 228, 1000);
    decoder.decode(v4[1], 228, 1031); // the datagram from t=1000 expired before this one arrived
    expect(decoder.decode(v4[2], 228, 1031).reassembled).toBe(false);
    expect(log.kept.map((a) => a.code)).toEqual(['ip_fragment_timeout']);
  });

  it('evicts the oldest datagram beyond maxFragmentDatagrams', () => {
    const { decoder, log } = setup({ maxFragmentDatagrams: 1 });
    const other = synth.ipv4Fragments({ src: A, dst: B, proto: 17, id: 7 }, datagram, 16);
    decoder.decode(v4[0], 228, 0);
    decoder.decode(other[0], 228, 0); // evicts id 0x4242
    decoder.decode(v4[1], 228, 0); // evicts id 7
    expect(decoder.decode(v4[2], 228, 0).reassembled).toBe(false);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([
      ['limit_reached', 'maxFragmentDatagrams'],
      ['limit_reached', 'maxFragmentDatagrams'],
    ]);
  });

  it('drops a datagram with more than maxFragmentsPerDatagram fragments', () => {
    const { decoder, log } = setup({ maxFragmentsPerDatagram: 2 });
    for (const f of v4) decoder.decode(f, 228, 0);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxFragmentsPerDatagram']]);
    expect(decoder.counts.reassembled).toBe(0);
  });

  it('keeps held bytes under maxFragmentBytesTotal', () => {
    const { decoder, log } = setup({ maxFragmentBytesTotal: 40 });
    for (const f of v4) decoder.decode(f, 228, 0);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxFragmentBytesTotal']]);
    expect(decoder.counts.reassembled).toBe(0);
  });

  it('drops a fragment ending past 65535 bytes (ping of death)', () => {
    const { decoder, log } = setup();
    const f = synth.ipv4({ src: A, dst: B, proto: 1, id: 1, fragOffset: 65528 }, new Uint8Array(16));
    decoder.decode(f, 228, 0);
    expect(log.kept.map((a) => a.code)).toEqual(['ip_fragment_too_large']);
  });

  it('reports two last fragments that disagree on the length', () => {
    const { decoder, log } = setup();
    decoder.decode(v4[2], 228, 0);
    decoder.decode(synth.ipv4({ src: A, dst: B, proto: 17, id: 0x4242, fragOffset: 40 }, new Uint8Array(16)), 228, 0);
    // [40, 56) also overlaps [32, 48) with different bytes
    expect(log.kept.map((a) => a.code)).toEqual(['ip_fragment_inconsistent_length', 'ip_fragment_overlap_conflict']);
  });
});
