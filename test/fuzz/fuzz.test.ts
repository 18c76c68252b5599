/**
 * The mutation fuzzer inside `npm test`: 4,000 deterministic mutations of small captures
 * (editcap -E byte errors, truncations, duplicated/removed/swapped records, lying length
 * fields) through the whole pipeline. The loop is bench/fuzz.mjs's, run here over the
 * TypeScript sources; `npm run fuzz -- --iterations N` runs as many as asked over dist/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCapture } from '../../src/engine/scan.js';
import { captureLayout, mutateCapture } from '../../test-support/synth/mutate.js';
import { PcapngWriter, concatBytes } from '../../src/capture/writer.js';
import { buildClientHelloRecord } from '../../test-support/synth/tls.js';
import { buildDnsQuery, buildDnsResponse } from '../../test-support/synth/dns.js';
import { ETHERTYPE, IP_PROTO, ethernet, ipv4, ipv6, tcp, tcpFlags, udp } from '../../test-support/synth/packets.js';
import { REPO_ROOT } from '../helpers/paths.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { keylogBeside, runFuzz } from '../../bench/fuzz.mjs';
import { KeyStore } from '../../src/decrypt/key-sources.js';

interface FuzzSummary {
  iterations: number;
  outcomes: { ok: number; damaged: number; notACapture: number };
  kinds: Record<string, number>;
  failures: { iteration: number; input: string; applied: string[]; failure: string }[];
  cleanAfter: { input: string; same: boolean }[];
  anomalyCodes: Record<string, number>;
}

const lib = { scanCapture, mutateCapture, captureLayout, KeyStore };

/** A pcapng (two interfaces, IPv4 and IPv6) holding a TLS ClientHello and a DNS exchange, from the project's builders. */
function generatedPcapng(): Uint8Array {
  const w = new PcapngWriter();
  const c4 = { src: '192.0.2.5', dst: '203.0.113.9' };
  const c6 = { src: '2001:db8::5', dst: '2001:db8::53' };
  const hello = buildClientHelloRecord({ serverName: 'tracking.intl.miui.com', alpn: ['h2', 'http/1.1'] });
  const frame = (d: Uint8Array, ts: number) => ({ tsSec: 1588327200 + ts, tsNsec: 0, data: d });
  return concatBytes([
    w.section(),
    w.interface({ linkType: 1, tsresol: 9 }),
    w.interface({ linkType: 101 }),
    w.enhancedPacket(
      0,
      frame(
        ethernet(
          { type: ETHERTYPE.IPV4 },
          ipv4({ ...c4, proto: IP_PROTO.TCP }, tcp({ sport: 50000, dport: 443, seq: 1, flags: tcpFlags.SYN }, new Uint8Array(0), c4)),
        ),
        0,
      ),
    ),
    w.enhancedPacket(
      0,
      frame(
        ethernet(
          { type: ETHERTYPE.IPV4 },
          ipv4(
            { src: c4.dst, dst: c4.src, proto: IP_PROTO.TCP },
            tcp({ sport: 443, dport: 50000, seq: 100, ack: 2, flags: tcpFlags.SYN | tcpFlags.ACK }, new Uint8Array(0), { src: c4.dst, dst: c4.src }),
          ),
        ),
        1,
      ),
    ),
    w.enhancedPacket(
      0,
      frame(
        ethernet(
          { type: ETHERTYPE.IPV4 },
          ipv4({ ...c4, proto: IP_PROTO.TCP }, tcp({ sport: 50000, dport: 443, seq: 2, ack: 101, flags: tcpFlags.ACK | tcpFlags.PSH }, hello, c4)),
        ),
        2,
      ),
    ),
    w.enhancedPacket(1, frame(ipv6({ ...c6, nextHeader: IP_PROTO.UDP }, udp({ sport: 40000, dport: 53 }, buildDnsQuery(7, 'data.mistat.xiaomi.com'), c6)), 3)),
    w.enhancedPacket(
      1,
      frame(
        ipv6(
          { src: c6.dst, dst: c6.src, nextHeader: IP_PROTO.UDP },
          udp(
            { sport: 53, dport: 40000 },
            buildDnsResponse(7, 'data.mistat.xiaomi.com', 'A', [{ name: 'data.mistat.xiaomi.com', type: 'A', data: '161.117.2.20' }]),
            { src: c6.dst, dst: c6.src },
          ),
        ),
        4,
      ),
    ),
  ]);
}

const fixture = (rel: string) => ({ name: rel, bytes: new Uint8Array(readFileSync(path.join(REPO_ROOT, rel))) });

describe('mutation fuzzer', () => {
  const inputs = [
    fixture('fixtures/captures/loopback_clients.pcap'),
    fixture('fixtures/captures/mi_browser_demo.pcap'),
    fixture('../shared/captures/dns.pcap'),
    fixture('../shared/corpus/files/tcpdump__quic_handshake.pcap'),
    { name: 'generated.pcapng', bytes: generatedPcapng() },
  ];

  it('the generated pcapng seed decodes to a TLS and a DNS observation before it is mutated', async () => {
    const seen: string[] = [];
    await scanCapture((await import('node:stream')).Readable.from([Buffer.from(inputs[4].bytes)]), {
      onObservation: (o) => seen.push(`${o.type}:${'sni' in o ? o.sni : 'qname' in o ? o.qname : ''}`),
    });
    expect(seen.sort()).toEqual(['dns:data.mistat.xiaomi.com', 'tls:tracking.intl.miui.com']);
  });

  it('4,000 mutations: no throw but CaptureFormatError, no decoder error, bounded output, no hang, clean inputs unchanged after', async () => {
    const summary = (await runFuzz(lib, inputs, { iterations: 4000, seed: 0, timeoutMs: 20_000 })) as FuzzSummary;
    expect(summary.failures).toEqual([]);
    expect(summary.iterations).toBe(4000);
    expect(summary.outcomes.ok + summary.outcomes.damaged + summary.outcomes.notACapture).toBe(4000);
    // every operator ran, and the mutations reached the deep layers (damage found past the reader)
    for (const kind of ['editcap', 'truncate', 'duplicate', 'remove', 'swap', 'record-length', 'field-length', 'file-header'])
      expect(summary.kinds[kind] ?? 0).toBeGreaterThan(50);
    expect(summary.outcomes.damaged).toBeGreaterThan(100);
    expect(summary.cleanAfter.map((c) => c.same)).toEqual([true, true, true, true, true]);
    expect(Object.keys(summary.anomalyCodes).length).toBeGreaterThan(10);
  });

  it('1,500 mutations of keyed captures and their key logs: decryption fails into typed anomalies, never a throw or a hang', async () => {
    const keyed = (rel: string) => {
      const file = path.join(REPO_ROOT, rel);
      return { name: rel, bytes: new Uint8Array(readFileSync(file)), keylog: keylogBeside(file) as string | undefined };
    };
    const inputs = [
      keyed('../shared/keyed/clients/partial_keys.pcap'),
      keyed('../shared/keyed/corpus/files/wireshark-wireshark__tls13-rfc8446.pcap'),
      keyed('../shared/keyed/corpus/files/wireshark-wireshark__tls12-dsb.pcapng'),
    ];
    expect(inputs.map((i) => i.keylog !== undefined)).toEqual([true, true, false]);
    const summary = (await runFuzz(lib, inputs, { iterations: 1500, seed: 0, timeoutMs: 20_000 })) as FuzzSummary;
    expect(summary.failures).toEqual([]);
    expect(summary.cleanAfter.map((c) => c.same)).toEqual([true, true, true]);
    // key logs were damaged, and damaged records or keys ended in the decryptor's anomalies
    for (const kind of ['keylog-flip', 'keylog-cut', 'keylog-drop', 'keylog-garbage']) expect(summary.kinds[kind] ?? 0).toBeGreaterThan(20);
    expect(summary.anomalyCodes.tls_decrypt_failed ?? 0).toBeGreaterThan(10);
  });
});
