/**
 * The keyed benchmark capture decrypts: tshark, given the key log the generator wrote, sees every
 * request inside its TLS 1.3 and TLS 1.2 connections, and leakscope's HTTP/2 parser reads the
 * HTTP/2 ones from tshark's decrypted bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { Http2Connection, type Http2Request } from '../../../src/proto/http2.js';
import { writePcapFile } from '../../../test-support/synth/pcap-file.js';
import { generateKeyedBenchTraffic } from '../../../test-support/keyed-bench.js';
import { tsharkHttp2Streams } from '../../../test-support/tshark-http2.js';

describe('keyed benchmark capture', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyed-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pcap = path.join(dir, 'k.pcap');
  const keys = path.join(dir, 'k.keys');
  const keyLog: string[] = [];
  await writePcapFile(pcap, (sink) => generateKeyedBenchTraffic(sink, 1.5e6, keyLog));
  writeFileSync(keys, keyLog.join('\n') + '\n');
  const rows = execFileSync(
    'tshark',
    [
      '-r',
      pcap,
      '-o',
      `tls.keylog_file:${keys}`,
      '-Y',
      'http2.headers.method or http.request',
      '-T',
      'fields',
      '-e',
      'tls.record.version',
      '-e',
      'http2.headers.method',
      '-e',
      'http2.headers.path',
      '-e',
      'http.request.method',
      '-e',
      'http.request.uri',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
    .toString()
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  const h2Requests = rows.flatMap((r) => (r[1] ? r[1].split(',') : []));
  const h1Requests = rows.filter((r) => r[3]).length;

  it('writes key log lines for TLS 1.3 (four secrets) and TLS 1.2 (CLIENT_RANDOM) sessions', () => {
    const labels = new Set(keyLog.map((l) => l.split(' ')[0]));
    expect([...labels].sort()).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_RANDOM',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_TRAFFIC_SECRET_0',
    ]);
  });

  it('tshark decrypts every request: per round two downloads (HTTP/2, or HTTP/1.1 every fourth) and two telemetry POSTs (HTTP/2 or HTTP/1.1)', () => {
    const rounds = keyLog.filter((l) => l.startsWith('CLIENT_RANDOM') || l.startsWith('CLIENT_TRAFFIC_SECRET_0')).length / 3;
    expect(rounds).toBeGreaterThan(4);
    expect(h2Requests.length + h1Requests).toBe(rounds * 4);
    expect(h2Requests.filter((m) => m === 'POST').length).toBe(Math.ceil(rounds / 2) * 2);
    expect(rows.filter((r) => r[3] === 'POST').length).toBe(Math.floor(rounds / 2) * 2);
    // both versions carry both protocols
    const versions = new Set(rows.map((r) => `${r[0]}/${r[1] ? 'h2' : 'h1'}`));
    expect(versions.has('0x0303/h2')).toBe(true);
  });

  it("the HTTP/2 parser reads the same requests from tshark's decrypted bytes, bodies included", () => {
    const reqs: Http2Request[] = [];
    const log = new AnomalyLog();
    for (const conn of tsharkHttp2Streams(pcap, keys, [443])) {
      const h2 = new Http2Connection(DEFAULT_LIMITS, log, { request: (r) => reqs.push(r), response: () => {} });
      for (const p of conn.pieces) p.toServer ? h2.pushClient(p.bytes) : h2.pushServer(p.bytes);
      h2.end();
    }
    expect(log.countsObject()).toEqual({});
    expect(reqs.length).toBe(h2Requests.length);
    for (const r of reqs.filter((x) => x.method === 'POST')) {
      expect(r.headers.find((h) => h.name === 'x-mi-imei')?.value).toBe('864811045123671');
      expect(Buffer.from(r.body).toString()).toMatch(/^data(_list)?=/);
      expect(r.body.length).toBe(Number(r.headers.find((h) => h.name === 'content-length')?.value));
    }
  });
});
