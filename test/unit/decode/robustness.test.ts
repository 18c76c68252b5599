import { describe, expect, it } from 'vitest';
import { layerNames, TCP_ACK, TCP_SYN } from '../../../src/decode/packet.js';
import * as synth from '../../../test-support/synth/packets.js';
import { setup } from './helpers.js';

const ends = { src: '192.0.2.1', dst: '198.51.100.2' };
const ends6 = { src: '2001:db8::1', dst: '2001:db8::2' };
const good = synth.ethernet(
  { type: 0x8100 },
  synth.vlan(
    { vid: 5, type: 0x0800 },
    synth.ipv4(
      { ...ends, proto: 6, id: 9 },
      synth.tcp(
        { sport: 51000, dport: 443, seq: 1000, ack: 2000, flags: TCP_ACK, options: Uint8Array.from([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]) },
        new TextEncoder().encode('hello'),
        ends,
      ),
    ),
  ),
);

function expectGood(p: ReturnType<ReturnType<typeof setup>['decoder']['decode']>): void {
  expect(layerNames(p)).toEqual(['ethernet', 'vlan', 'ipv4', 'tcp']);
  expect([p.srcPort, p.dstPort, p.tcpSeq, p.tcpAck, p.payloadEnd - p.payloadOff, p.truncated, p.reassembled, p.fragment]).toEqual([
    51000,
    443,
    1000,
    2000,
    5,
    false,
    false,
    false,
  ]);
}

describe('robustness', () => {
  it('decodes a good packet correctly after each kind of malformed one', () => {
    const { decoder } = setup();
    const bad = [
      synth.ipv4({ ...ends, proto: 6, ihl: 3 }, new Uint8Array(20)),
      synth.ipv4({ ...ends, proto: 6 }, synth.tcp({ sport: 1, dport: 2, seq: 3, flags: 0, dataOffset: 2 }, new Uint8Array(0), ends)),
      synth.ipv4({ ...ends, proto: 6 }, synth.tcp({ sport: 1, dport: 2, seq: 3, flags: 0, options: Uint8Array.from([3, 0]) }, new Uint8Array(0), ends)),
      synth.ipv4({ ...ends, proto: 17 }, synth.udp({ sport: 1, dport: 2, length: 3 }, new Uint8Array(0), ends)),
      synth.ipv6({ ...ends6, nextHeader: 17, extensions: Array.from({ length: 30 }, () => ({ type: 0 })) }, new Uint8Array(8)),
      synth.ipv4Fragments({ ...ends, proto: 17, id: 1 }, new Uint8Array(64), 16)[1],
      new Uint8Array(3),
    ];
    for (const b of bad) {
      decoder.decode(b, 101, 0);
      expectGood(decoder.decode(good, 1, 0));
    }
    // and after a reassembled datagram (buf pointed elsewhere)
    for (const f of synth.ipv4Fragments({ ...ends, proto: 17, id: 2 }, synth.udp({ sport: 1, dport: 2 }, new Uint8Array(40), ends), 16))
      decoder.decode(f, 228, 0);
    const p = decoder.decode(good, 1, 0);
    expectGood(p);
    expect(p.buf).toBe(good);
  });

  it('survives random byte flips of valid frames with only its own outcomes (mutation fuzz)', () => {
    const { decoder, log } = setup();
    const seeds = [
      good,
      synth.ethernet(
        { type: 0x86dd },
        synth.ipv6(
          { ...ends6, nextHeader: 17, extensions: [{ type: 0, data: new Uint8Array(6) }] },
          synth.udp(
            { sport: 2152, dport: 2152 },
            synth.gtpu({ teid: 1 }, synth.ipv4({ ...ends, proto: 6 }, synth.tcp({ sport: 1, dport: 2, seq: 3, flags: TCP_SYN }, new Uint8Array(12), ends))),
            ends6,
          ),
        ),
      ),
      synth.ethernet(
        { type: 0x8864 },
        synth.pppoe(
          { pppProtocol: 0x0021 },
          synth.ipv4(
            { ...ends, proto: 47 },
            synth.gre(
              { protocol: 0x6558, key: 1 },
              synth.ethernet({ type: 0x0800 }, synth.ipv4({ ...ends, proto: 17 }, synth.udp({ sport: 1, dport: 2 }, new Uint8Array(9), ends))),
            ),
          ),
        ),
      ),
    ];
    let state = 12345;
    const rand = (n: number) => (state = (state * 1103515245 + 12345) & 0x7fffffff) % n;
    let decoded = 0;
    for (let round = 0; round < 3000; round++) {
      const seed = seeds[round % seeds.length];
      const m = seed.slice(0, seed.length - rand(8));
      for (let k = 0; k < 1 + rand(4); k++) m[rand(m.length)] = rand(256);
      const p = decoder.decode(m, 1, round); // must not throw
      expect(p.payloadOff).toBeLessThanOrEqual(p.payloadEnd);
      expect(p.payloadEnd).toBeLessThanOrEqual(p.buf.length);
      if (p.transportOk) decoded++;
    }
    expect(decoded).toBeGreaterThan(500);
    expect(log.counts.has('internal_decoder_error')).toBe(false);
    expectGood(decoder.decode(good, 1, 0));
  });
});

describe('builders round-trip through the decoder', () => {
  it('Ethernet/IPv4/TCP with the fields given', () => {
    const { decoder, log } = setup();
    const p = decoder.decode(good, 1, 0);
    expectGood(p);
    expect(p.tcpFlags).toBe(synth.tcpFlags.ACK);
    expect(log.total).toBe(0);
  });

  it.each([
    [
      'sll',
      113,
      synth.sll({ protocol: 0x86dd }, synth.ipv6({ ...ends6, nextHeader: 17, hopLimit: 3 }, synth.udp({ sport: 5, dport: 6 }, new Uint8Array(1), ends6))),
      ['sll', 'ipv6', 'udp'],
    ],
    [
      'sll2',
      276,
      synth.sll2({ protocol: 0x0800 }, synth.ipv4({ ...ends, proto: 17, ttl: 3 }, synth.udp({ sport: 5, dport: 6 }, new Uint8Array(1), ends))),
      ['sll2', 'ipv4', 'udp'],
    ],
    [
      'null',
      0,
      synth.nullLoopback(2, synth.ipv4({ ...ends, proto: 17, ttl: 3 }, synth.udp({ sport: 5, dport: 6 }, new Uint8Array(1), ends))),
      ['null', 'ipv4', 'udp'],
    ],
  ])('%s', (_name, linkType, frame, layers) => {
    const { decoder, log } = setup();
    const p = decoder.decode(frame, linkType, 0);
    expect(layerNames(p)).toEqual(layers);
    expect([p.srcPort, p.dstPort, p.ipTtl, p.payloadEnd - p.payloadOff]).toEqual([5, 6, 3, 1]);
    expect(log.total).toBe(0);
  });

  it('checksums are valid: the ones-complement sum over pseudo header and segment is 0xffff', () => {
    const seg = synth.tcp({ sport: 1, dport: 2, seq: 3, flags: TCP_SYN }, new Uint8Array([1, 2, 3]), ends6);
    const pseudo = [...synth.ipv6({ ...ends6, nextHeader: 6 }, new Uint8Array(0)).subarray(8, 40), 0, 0, 0, seg.length, 0, 0, 0, 6];
    let sum = 0;
    const words = [...pseudo, ...seg, 0];
    for (let i = 0; i + 1 < words.length; i += 2) sum += (words[i] << 8) | words[i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
  });
});
