/**
 * The http2 analyzer in the whole pipeline (scanCapture, analyzeCaptures) on a cleartext HTTP/2
 * capture the project writes (prior knowledge, RFC 9113 §3.3): detection by the preface,
 * `http` records with http_version and stream_id, responses paired by stream id, leaks found in
 * HTTP/2 headers and bodies as in HTTP/1 ones; tshark (decode-as http2) sees the same requests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import type { HttpObservation, HttpResponseObservation, Observation } from '../../../src/engine/observations.js';
import { scanCapture } from '../../../src/engine/scan.js';
import { observationSummary } from '../../../src/report/schemas/event.js';
import { writePcapFile } from '../../../test-support/synth/pcap-file.js';
import { TrafficBuilder } from '../../../test-support/synth/session.js';
import { data, headers, HTTP2_PREFACE, settings } from '../../../test-support/http2-frames.js';

const enc = new TextEncoder();
const cat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const HOST = 'tracking.intl.miui.com';
const IMEI = '864811045123671';
const BODY = `data=${encodeURIComponent(Buffer.from(JSON.stringify({ imei: IMEI, url: 'https://duckduckgo.com/?q=divorce+lawyer' })).toString('base64'))}`;

describe('http2 analyzer on a cleartext HTTP/2 capture', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'h2c-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'h2c.pcap');
  await writePcapFile(file, (sink) => {
    const t = new TrafficBuilder(sink, 1_767_225_600);
    const req = (stream: number, p: string, method: string, extra: [string, string][]): Uint8Array[] =>
      headers(
        stream,
        [[':method', method], [':scheme', 'http'], [':authority', HOST], [':path', p], ['user-agent', 'MiuiBrowser/12'], ...extra],
        method === 'GET',
      );
    t.tcpConnection({ ip: '192.168.1.23', port: 40000 }, { ip: '203.0.113.9', port: 8080 }, [
      { from: 'client', data: cat([HTTP2_PREFACE, settings(), ...req(1, `/api/v5/config?imei=${IMEI}`, 'GET', [])]) },
      { from: 'server', data: cat([settings(), settings(), ...headers(1, [[':status', '200']], false), ...data(1, enc.encode('{}'), true)]) },
      {
        from: 'client',
        data: cat([...req(3, '/track/v4', 'POST', [['content-type', 'application/x-www-form-urlencoded']]), ...data(3, enc.encode(BODY), true)]),
      },
      { from: 'server', data: cat([...headers(3, [[':status', '204']], true)]) },
    ]);
  });

  const observations: Observation[] = [];
  await scanCapture(file, { onObservation: (o) => observations.push(o), sha256: false });
  const reqs = observations.filter((o): o is HttpObservation => o.type === 'http');
  const resps = observations.filter((o): o is HttpResponseObservation => o.type === 'http_response');

  it('reports each request with http_version 2 and its stream id', () => {
    expect(reqs.map((r) => [r.method, r.host, r.uri, r.version, r.http_version, r.stream_id, r.request_index, r.body_bytes])).toEqual([
      ['GET', HOST, `/api/v5/config?imei=${IMEI}`, 'HTTP/2', '2', 1, 0, 0],
      ['POST', HOST, '/track/v4', 'HTTP/2', '2', 3, 1, BODY.length],
    ]);
  });

  it('events say the stream', () => {
    expect(observationSummary(reqs[1]!)).toBe(`POST ${HOST} /track/v4 [${BODY.length} B body] (h2 stream 3)`);
    expect(observationSummary(resps[0]!)).toBe('200 (h2 stream 1)');
  });

  it('pairs responses with their requests by stream id', () => {
    expect(resps.map((r) => [r.status, r.stream_id, r.request_frame])).toEqual([
      [200, 1, reqs[0]!.frame],
      [204, 3, reqs[1]!.frame],
    ]);
  });

  it('tshark (decode-as http2) sees the same requests', () => {
    const rows = execFileSync(
      'tshark',
      [
        '-r',
        file,
        '-d',
        'tcp.port==8080,http2',
        '-Y',
        'http2.headers.method',
        '-T',
        'fields',
        '-e',
        'frame.number',
        '-e',
        'http2.headers.method',
        '-e',
        'http2.headers.path',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    )
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.map((r) => [Number(r[0]), r[1], r[2]])).toEqual(reqs.map((r) => [r.frame, r.method, r.uri]));
  });

  it('analyze finds the leaks in the HTTP/2 query string and body', async () => {
    const report = await analyzeCaptures([{ name: file, source: file }]);
    const host = report.hosts.find((h) => h.host === HOST)!;
    expect(host).toBeDefined();
    const kinds = new Map(host.leaks.map((l) => [`${l.kind}=${l.value}`, l]));
    expect(kinds.has(`imei=${IMEI}`)).toBe(true);
    expect([...kinds.keys()].some((k) => k.startsWith('url_visited=') || k.startsWith('search_query='))).toBe(true);
    // the evidence names the HTTP/2 stream before the request's own layers
    expect(
      kinds
        .get(`imei=${IMEI}`)!
        .evidence.map((e) => e.chain)
        .sort(),
    ).toEqual(['h2 stream 1 → uri query:imei', 'h2 stream 3 → body form:data → base64 → json $.imei']);
  });
});
