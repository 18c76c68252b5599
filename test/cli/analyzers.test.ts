/**
 * `events --type anomaly` through the built CLI: the anomalies a capture's log keeps, each bound
 * to where it happened (file, frame, and the stream when it belongs to one), and SSLv2
 * ClientHellos reported as `tls` (issue 19).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANOMALY_CODES } from '../../src/anomaly.js';
import { FLOW_ANOMALIES } from '../../src/flow/anomalies.js';
import { PROTO_ANOMALIES } from '../../src/proto/anomalies.js';
import { REPO_ROOT, corpusFile } from '../helpers/paths.js';
import { readFramesSync } from '../helpers/capture.js';
import { formatTimestamp } from '../../src/capture/frame.js';

function ndjson(args: string[]): Record<string, unknown>[] {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args, '--format', 'ndjson', '-q'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** codes raised while parsing a stream's bytes or reassembling it: these belong to a stream */
const STREAM_CODES = new Set([...Object.keys(PROTO_ANOMALIES), ...Object.keys(FLOW_ANOMALIES)]);

describe('events --type anomaly', () => {
  for (const name of ['nDPI__1kxun.pcap', 'nDPI__netflix.pcap']) {
    it(`binds every stream anomaly of ${name} to its stream, with the stream's endpoints and a frame inside it`, () => {
      const file = corpusFile(name);
      const anomalies = ndjson(['events', file, '--type', 'anomaly']);
      const streams = new Map(ndjson(['streams', file, '--udp']).map((s) => [`${s.proto}:${s.id}`, s]));
      const ofStreams = anomalies.filter((a) => STREAM_CODES.has(a.code as string));
      expect(ofStreams.length).toBeGreaterThan(0);
      for (const a of anomalies) {
        expect(a).toMatchObject({ type: 'anomaly', file });
        expect(typeof a.frame).toBe('number');
      }
      for (const a of ofStreams) {
        expect(a.stream, JSON.stringify(a)).not.toBeNull();
        const s = streams.get(`${a.proto}:${a.stream}`);
        expect(s, JSON.stringify(a)).toBeDefined();
        expect([a.src, a.sport, a.dst, a.dport]).toEqual([s!.client, s!.client_port, s!.server, s!.server_port]);
        expect(a.frame as number).toBeGreaterThanOrEqual(s!.first_frame as number);
        expect(a.frame as number).toBeLessThanOrEqual(s!.last_frame as number);
      }
    });
  }

  it('lists only anomaly records with --type anomaly, each with a documented code', () => {
    const records = ndjson(['events', corpusFile('nDPI__netflix.pcap'), '--type', 'anomaly']);
    expect(new Set(records.map((r) => r.type))).toEqual(new Set(['anomaly']));
    for (const r of records) expect(Object.keys(ANOMALY_CODES)).toContain(r.code);
  });
});

describe('SSLv2 ClientHello', () => {
  it('is a tls observation offering version 2.0, as tshark reports it (zeek__ssl-v2.pcap frame 4)', () => {
    const tls = ndjson(['events', corpusFile('zeek__ssl-v2.pcap'), '--type', 'tls']);
    expect(tls).toHaveLength(1);
    expect(tls[0]).toMatchObject({ frame: 4, src: '192.168.4.149', dst: '91.227.4.92', dport: 443, sni: null, versions: ['2.0'], cut: false });
  });
});

describe('observation times', () => {
  it('every record carries the time of the frame it names, also a response completed by a capture gap (nDPI__netflix.pcap frames 400, 407)', () => {
    const file = corpusFile('nDPI__netflix.pcap');
    const frames = readFramesSync(file);
    const records = ndjson(['events', file]).filter((r) => (r.frame as number) > 0);
    expect(records.some((r) => r.type === 'http_response' && r.frame === 400)).toBe(true);
    for (const r of records) {
      const f = frames[(r.frame as number) - 1]!;
      expect(r.ts, JSON.stringify(r)).toBe(formatTimestamp(f.tsSec, f.tsNsec));
    }
  });
});
