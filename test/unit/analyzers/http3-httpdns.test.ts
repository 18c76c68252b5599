/**
 * HTTPDNS over HTTP/3: the HTTP/3 analyzer keeps the answer's body for a request that is an
 * HTTPDNS query and reports `dns` records (transport `httpdns`) as the HTTP/1.x and HTTP/2
 * analyzers do. No capture of HTTPDNS over QUIC exists to read: the streams here are built
 * frame by frame (QPACK static-table references and literals, RFC 9204 §4.5) and fed to the
 * real Http3Analyzer through the same QuicStreamSink calls the QUIC decryptor makes.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalyzerContext } from '../../../src/analyzers/analyzer.js';
import { Http3Analyzer } from '../../../src/analyzers/http3.js';
import { AnomalyLog } from '../../../src/anomaly.js';
import type { DnsObservation, Observation, ObservationBase } from '../../../src/engine/observations.js';
import { resolveLimits } from '../../../src/limits.js';
import { varint } from '../../../test-support/quic-packets.js';

const frame = (type: number, payload: Buffer): Buffer => Buffer.concat([varint(type), varint(payload.length), payload]);
/** a QPACK field line with a static-table name reference and a literal value (`01NT` + 4-bit index) */
const literal = (staticIndex: number, value: string): Buffer => Buffer.concat([Buffer.from([0x50 | staticIndex, value.length]), Buffer.from(value)]);
/** a field section: required insert count 0, base 0, then the lines */
const section = (...lines: Buffer[]): Buffer => Buffer.concat([Buffer.from([0, 0]), ...lines]);
const GET = Buffer.from([0xd1]); // static 17 :method GET
const HTTPS = Buffer.from([0xd7]); // static 23 :scheme https
const STATUS_200 = Buffer.from([0xd9]); // static 25 :status 200
const GZIP = Buffer.from([0xeb]); // static 43 content-encoding gzip

function analyzer() {
  const emitted: Observation[] = [];
  const base: ObservationBase = {
    file: 'x',
    frame: 1,
    ts: '2026-01-01T00:00:00Z',
    src: '192.168.1.23',
    sport: 50000,
    dst: '203.107.1.33',
    dport: 443,
    stream: 0,
  } as ObservationBase;
  const ctx = {
    limits: resolveLimits(),
    anomalies: new AnomalyLog(),
    base: () => ({ ...base }),
    emit: (o: Observation) => emitted.push(o),
  } as unknown as AnalyzerContext;
  return { a: new Http3Analyzer(ctx), emitted };
}

const request = (name: string) => frame(1, section(GET, HTTPS, literal(0, '203.107.1.33'), literal(1, `/100000/d?host=${name}`)));

describe('HTTPDNS over HTTP/3', () => {
  it('a gzip-encoded Alibaba answer on the request stream is a NOERROR dns record with its addresses; an unanswered query is rcode null', () => {
    const { a, emitted } = analyzer();
    a.packet({ frame: 5, tsSec: 1, tsNsec: 0 });
    a.onStreamData(0, 0, request('api.io.mi.com'), true);
    a.onStreamData(0, 4, request('account.xiaomi.com'), true);
    const body = gzipSync('{"host":"api.io.mi.com","ips":["161.117.71.36"],"ttl":60}');
    a.packet({ frame: 6, tsSec: 1, tsNsec: 1000 });
    // the answer in two pieces, as QUIC may deliver it
    const answer = Buffer.concat([frame(1, section(STATUS_200, GZIP)), frame(0, body)]);
    a.onStreamData(1, 0, answer.subarray(0, 7), false);
    a.onStreamData(1, 0, answer.subarray(7), true);
    a.close();
    const dns = emitted.filter((o): o is DnsObservation => o.type === 'dns');
    expect(dns.map((d) => ({ qname: d.qname, transport: d.transport, rcode: d.rcode, answers: d.answers }))).toEqual([
      { qname: 'api.io.mi.com', transport: 'httpdns', rcode: 'NOERROR', answers: ['161.117.71.36'] },
      { qname: 'account.xiaomi.com', transport: 'httpdns', rcode: null, answers: [] },
    ]);
    // the requests and the response are reported as always
    expect(emitted.filter((o) => o.type === 'http')).toHaveLength(2);
    expect(emitted.filter((o) => o.type === 'http_response')).toHaveLength(1);
  });

  it('an ordinary request keeps no response body', () => {
    const { a, emitted } = analyzer();
    a.packet({ frame: 5, tsSec: 1, tsNsec: 0 });
    a.onStreamData(0, 0, frame(1, section(GET, HTTPS, literal(0, 'www.example.com'), literal(1, '/index.html'))), true);
    a.onStreamData(1, 0, Buffer.concat([frame(1, section(STATUS_200)), frame(0, Buffer.alloc(5000, 0x61))]), true);
    a.close();
    expect(emitted.filter((o) => o.type === 'dns')).toHaveLength(0);
    expect(emitted.find((o) => o.type === 'http_response')).toMatchObject({ status: 200, body_bytes: 5000 });
  });
});
