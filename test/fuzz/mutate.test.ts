/** The fuzzer's mutator: deterministic, structure-aware, and doing what each operator says. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng, captureLayout, editcapErrors, iterationSeed, lengthFields, mutateCapture } from '../../test-support/synth/mutate.js';
import { PcapngWriter, concatBytes } from '../../src/capture/writer.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { pcapOf, udpFrame } from '../adversarial/helpers.js';
import { buildDnsQuery } from '../../test-support/synth/dns.js';

const loopback = new Uint8Array(readFileSync(path.join(REPO_ROOT, 'fixtures/captures/loopback_clients.pcap')));

describe('Rng (mulberry32)', () => {
  it("gives the sequence of the reference mulberry32 (Tommy Ettinger's, as commonly published in JS)", () => {
    function reference(a: number) {
      return () => {
        let t = (a += 0x6d2b79f5);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (t ^ (t >>> 14)) >>> 0;
      };
    }
    const r = new Rng(1);
    const ref = reference(1);
    expect([r.u32(), r.u32(), r.u32()]).toEqual([ref(), ref(), ref()]);
    expect(new Rng(1).u32()).toBe(2693262067);
  });
  it('below(n) stays in range and spreads', () => {
    const r = new Rng(42);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.below(10));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('iteration seeds differ for neighbouring iterations and base seeds', () => {
    expect(new Set([iterationSeed(0), iterationSeed(1), iterationSeed(2), iterationSeed(0, 1)]).size).toBe(4);
  });
});

describe('captureLayout', () => {
  it('splits loopback_clients.pcap into its 71 records, ending exactly at the end of the file', () => {
    const l = captureLayout(loopback)!;
    expect([l.format, l.littleEndian, l.headerLength, l.linkType, l.units.length]).toEqual(['pcap', true, 24, 1, 71]);
    const last = l.units[l.units.length - 1];
    expect(last.offset + last.length).toBe(loopback.length);
    expect(l.units[0]).toMatchObject({ offset: 24, dataOffset: 40 });
  });
  it("splits a pcapng into blocks and finds each packet block's data", () => {
    const w = new PcapngWriter();
    const data = Uint8Array.from([1, 2, 3, 4, 5]);
    const l = captureLayout(concatBytes([w.section(), w.interface({ linkType: 1 }), w.enhancedPacket(0, { tsSec: 1, tsNsec: 0, data })]))!;
    expect(l.format).toBe('pcapng');
    expect(l.units.map((u) => [u.offset, u.length, u.dataOffset, u.dataLength])).toEqual([
      [0, 28, 0, 0],
      [28, 20, 0, 0],
      [48, 40, 76, 5],
    ]);
  });
  it('refuses bytes that are not a capture', () => {
    expect(captureLayout(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBeUndefined();
  });
});

describe('mutateCapture', () => {
  it('is deterministic in (input, iteration, base seed) and never changes its input', () => {
    const before = loopback.slice();
    const a = mutateCapture(loopback, 17);
    const b = mutateCapture(loopback, 17);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.applied).toEqual(b.applied);
    expect(Buffer.from(mutateCapture(loopback, 17, { baseSeed: 1 }).bytes).equals(Buffer.from(a.bytes))).toBe(false);
    expect(Buffer.from(loopback).equals(Buffer.from(before))).toBe(true);
  });

  it('editcap errors stay inside packet data: every record header is unchanged', () => {
    const m = mutateCapture(loopback, 3, { kinds: ['editcap'], maxOperators: 1 });
    expect(m.applied[0]).toMatch(/^editcap p=/);
    const l = captureLayout(loopback)!;
    for (const u of l.units)
      expect(Buffer.from(m.bytes.subarray(u.offset, u.offset + 16)).equals(Buffer.from(loopback.subarray(u.offset, u.offset + 16)))).toBe(true);
    expect(Buffer.from(m.bytes).equals(Buffer.from(loopback))).toBe(false);
  });

  it('remove / duplicate keep a well-formed file one record shorter / longer', () => {
    const removed = mutateCapture(loopback, 5, { kinds: ['remove'], maxOperators: 1 });
    const duplicated = mutateCapture(loopback, 5, { kinds: ['duplicate'], maxOperators: 1 });
    expect(captureLayout(removed.bytes)!.units.length).toBe(70);
    expect(captureLayout(duplicated.bytes)!.units.length).toBe(72);
  });

  it('truncate cuts the file and says where', () => {
    const m = mutateCapture(loopback, 9, { kinds: ['truncate'], maxOperators: 1 });
    const at = Number(/truncate at=(\d+)/.exec(m.applied[0])![1]);
    expect(m.bytes.length).toBe(at);
  });

  it('editcapErrors with probability 1 hits the first byte and never writes outside [off, end)', () => {
    const b = new Uint8Array(32);
    const hits = editcapErrors(b, 8, 16, 1, new Rng(5));
    expect(hits).toBeGreaterThan(0);
    expect([...b.subarray(0, 8), ...b.subarray(16)].every((x) => x === 0)).toBe(true);
  });
});

describe('lengthFields', () => {
  it('finds the IPv4, UDP and DNS count fields of a DNS query frame', () => {
    const frame = udpFrame(true, 45000, 53, buildDnsQuery(1, 'a.example'));
    const pcap = pcapOf([frame]);
    const names = lengthFields(pcap, 40, pcap.length, 1).map((f) => `${f.name}=${f.truth}`);
    expect(names).toEqual([
      'ipv4.ihl=5',
      `ipv4.total_length=${frame.length - 14}`,
      `udp.length=${frame.length - 34}`,
      'dns.qdcount=1',
      'dns.ancount=0',
      'dns.nscount=0',
      'dns.arcount=0',
    ]);
  });
});
