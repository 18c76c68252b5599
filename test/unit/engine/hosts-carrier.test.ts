/**
 * Evidence chains of decrypted requests start at the encryption: an `http` record carried by TLS
 * (the TLS analyzer's child, with `carrier` and `http_version`) on a connection whose ServerHello
 * said TLS 1.3 gets `tls1.3 → h2 stream 5 → …`, one over HTTP/1.1 `tls1.2 → …`, one of HTTP/3
 * over QUIC `quic → h3 stream 0 → …`.
 */
import { describe, expect, it } from 'vitest';
import { ReportStage } from '../../../src/engine/report-stage.js';
import type { HttpObservation, Observation } from '../../../src/engine/observations.js';
import { resolveLimits } from '../../../src/limits.js';
import type { HttpRequest } from '../../../src/proto/http1.js';
import { SignatureDb } from '../../../src/signatures/db.js';

const base = { file: 'x', frame: 7, ts: '2026-01-01T00:00:00Z', src: '192.168.1.23', sport: 40000, dst: '203.0.113.9', dport: 443, proto: 'tcp' } as const;

function request(uri: string): HttpRequest {
  return {
    method: 'GET',
    uri,
    version: 'HTTP/2',
    headers: [],
    host: 'tracking.intl.miui.com',
    userAgent: null,
    contentType: null,
    contentEncoding: null,
    transferEncoding: null,
    expectContinue: false,
    body: new Uint8Array(0),
    bodyWireBytes: 0,
    bodyTruncated: false,
    bodyDecodeError: null,
    incomplete: false,
  };
}

function chains(stream: number, tlsVersion: string | null, fields: Partial<HttpObservation>): string[] {
  const agg = new ReportStage({ signatures: SignatureDb.bundled(), limits: resolveLimits() });
  agg.beginCapture('x');
  if (tlsVersion !== null)
    agg.observe({ type: 'tls_server', ...base, stream, version: tlsVersion, cipher_suite: 0x1301, alpn: 'h2' } as unknown as Observation);
  const req = request('/api/v5/config?imei=864811045123671');
  const obs = {
    type: 'http',
    ...base,
    stream,
    method: 'GET',
    host: req.host,
    uri: req.uri,
    version: req.version,
    user_agent: null,
    content_type: null,
    content_encoding: null,
    body_bytes: 0,
    request_index: 0,
    incomplete: false,
    ...fields,
  } as unknown as Observation;
  agg.observe(obs, { http: req });
  const host = agg.records({ allHosts: true }).find((h) => h.host === 'tracking.intl.miui.com')!;
  return host.leaks.filter((l) => l.kind === 'imei').flatMap((l) => l.evidence.map((e) => e.chain));
}

describe('evidence chains name the carrier', () => {
  it('TLS 1.3 → HTTP/2 stream', () => {
    expect(chains(1, '1.3', { carrier: 'tls', http_version: '2', stream_id: 5 })).toEqual(['tls1.3 → h2 stream 5 → uri query:imei']);
  });
  it("TLS 1.2 → HTTP/1.1: the TLS version, then the request's own layers", () => {
    expect(chains(2, '1.2', { carrier: 'tls', http_version: '1.1' })).toEqual(['tls1.2 → uri query:imei']);
  });
  it("the record's tls_version wins over the ServerHello seen", () => {
    expect(chains(5, null, { carrier: 'tls', tls_version: '1.3', http_version: '2', stream_id: 3 } as Partial<HttpObservation>)).toEqual([
      'tls1.3 → h2 stream 3 → uri query:imei',
    ]);
  });
  it('QUIC → HTTP/3 stream', () => {
    expect(chains(3, null, { carrier: 'quic', http_version: '3', stream_id: 0 })).toEqual(['quic → h3 stream 0 → uri query:imei']);
  });
  it('plaintext HTTP/1 keeps its own chain', () => {
    expect(chains(4, null, {})).toEqual(['uri query:imei']);
  });
});
