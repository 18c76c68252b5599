/**
 * Packet loss in a plaintext connection, end to end (reader, reassembly, HTTP, leak detection):
 * a lost segment must neither hide the requests after it nor fold them into an earlier body.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter, concatBytes } from '../../../src/capture/writer.js';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import { scanCapture } from '../../../src/engine/scan.js';
import type { Observation } from '../../../src/engine/observations.js';
import { TrafficBuilder } from '../../../src/synth/session.js';
import { buildClientHelloRecord } from '../../../src/synth/tls.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-gaps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const enc = new TextEncoder();

/**
 * Writes the frames of `build` without the frames numbered in `drop` (0-based) into a capture.
 */
function writeWithout(name: string, drop: number[], build: (tb: TrafficBuilder) => void): string {
  const frames: { tsSec: number; tsNsec: number; data: Uint8Array }[] = [];
  build(new TrafficBuilder({ write: (tsSec, tsNsec, data) => frames.push({ tsSec, tsNsec, data }) }, 1_700_000_000));
  const w = new PcapWriter();
  const file = path.join(tmp, `${name}.pcap`);
  writeFileSync(file, concatBytes([w.header(), ...frames.filter((_, i) => !drop.includes(i)).map((f) => w.packet(f))]));
  return file;
}

/**
 * A keep-alive connection: a POST with a 3,000-byte body (three segments), then a GET carrying a
 * search. Frames: 0–2 handshake, 3–5 the POST's segments, 6 ACK, 7 response, 8 ACK, 9 the GET, …
 */
function capture(name: string, drop: number[]): string {
  const body = 'data='.padEnd(3000, 'x');
  return writeWithout(name, drop, (tb) => tb.tcpConnection({ ip: '10.0.0.1', port: 40000 }, { ip: '203.0.113.9', port: 80 }, [
    { from: 'client', data: enc.encode(`POST /upload HTTP/1.1\r\nHost: data.mistat.xiaomi.com\r\nContent-Length: ${body.length}\r\n\r\n${body}`) },
    { from: 'server', data: enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
    { from: 'client', data: enc.encode('GET /track?url=https%3A%2F%2Fwww.google.com%2Fsearch%3Fq%3Dsecret%2Bwords HTTP/1.1\r\nHost: data.mistat.xiaomi.com\r\n\r\n') },
    { from: 'server', data: enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
  ]));
}

async function httpEvents(file: string): Promise<string[]> {
  const out: string[] = [];
  await scanCapture(file, { onObservation: (o: Observation) => { if (o.type === 'http') out.push(`${o.method} ${o.uri.split('?')[0]}`); } });
  return out;
}

describe('a lost segment in a plaintext HTTP connection', () => {
  it('nothing lost: both requests', async () => {
    expect(await httpEvents(capture('whole', []))).toEqual(['POST /upload', 'GET /track']);
  });

  it('the middle of the POST body lost: the POST (incomplete) and the GET after it are both reported', async () => {
    const file = capture('body-hole', [4]);
    expect(await httpEvents(file)).toEqual(['POST /upload', 'GET /track']);
    const flags: boolean[] = [];
    await scanCapture(file, { onObservation: (o: Observation) => { if (o.type === 'http') flags.push(o.incomplete); } });
    expect(flags).toEqual([true, false]);
  });

  it('the POST head lost: the GET after it is still found, and its search leaks', async () => {
    const file = capture('head-lost', [3]);
    expect(await httpEvents(file)).toEqual(['GET /track']);
    const { hosts } = await analyzeCaptures([{ name: file, source: file }]);
    const leaks = hosts.flatMap((h) => h.leaks.map((l) => `${l.kind}:${l.value}`));
    expect(leaks).toContain('search_query:secret words');
  });
});

describe('a lost segment of a TLS ClientHello', () => {
  it('the server name from the segment that arrived is still reported, marked cut, without a fingerprint of half a hello', async () => {
    // a post-quantum hello of ~1.9 KB: frames 3 and 4 carry it; frame 4 is lost
    const file = writeWithout('hello-cut', [4], (tb) => tb.tcpConnection({ ip: '10.0.0.1', port: 40001 }, { ip: '203.0.113.9', port: 443 }, [
      { from: 'client', data: buildClientHelloRecord({ serverName: 'tracking.intl.miui.com', tls13: true, postQuantum: true }) },
      { from: 'server', data: new Uint8Array(100) },
    ]));
    const tls: Observation[] = [];
    const res = await scanCapture(file, { onObservation: (o: Observation) => { if (o.type === 'tls') tls.push(o); } });
    expect(tls.map((o) => o.type === 'tls' && [o.sni, o.cut, o.ja4, o.ja3])).toEqual([['tracking.intl.miui.com', true, null, null]]);
    expect(res.anomalies.counts.get('tls_gap')).toBe(1);
  });
});
