/**
 * HTTP/1.x parsers over real captures from ../shared, compared with tshark's answers
 * (captures/oracle/*.http.tsv, corpus/oracle/*.http.tsv: frame, src, dst, dport, method, host,
 * uri) and with the truth files' body lengths and hashes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { responseParser } from '../../helpers/http.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/limits.js';
import { HttpRequestParser, looksLikeHttpRequest, type HttpRequest, type HttpResponse } from '../../../src/proto/http1.js';
import { CORPUS_FILES, CORPUS_ORACLE, SHARED_CAPTURES } from '../../helpers/paths.js';
import { concat, readSegments, tcpChunks, type TestSegment } from './tls-test-capture.js';

const limits: Limits = { ...DEFAULT_LIMITS };

interface Seen {
  frame: number;
  src: string;
  dst: string;
  dport: number;
  method: string;
  host: string;
  uri: string;
}

/** TCP connections of a capture (client and server address and port), in the order they open */
function connections(segs: TestSegment[]): { cport: number; sport: number; client: string; server: string; from: number }[] {
  const out: { cport: number; sport: number; client: string; server: string; from: number }[] = [];
  const seen = new Set<string>();
  for (const s of segs) {
    // SYN without ACK: the client opens; captures that start mid-connection: the first request
    const opens = (s.flags & 0x12) === 0x02 || looksLikeHttpRequest(s.payload, 0, s.payload.length);
    if (s.proto !== 6 || !opens) continue;
    const key = `${s.src}|${s.sport}|${s.dst}|${s.dport}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // mid-connection, start at the request: scapy__http_chunk.pcap opens with a 1-byte keep-alive probe
    out.push({ cport: s.sport, sport: s.dport, client: s.src, server: s.dst, from: s.flags & 0x02 ? 0 : s.frame });
  }
  return out;
}

/** compress an IPv6 address the way the tsv files print it (only ::1 occurs in these captures) */
const ipText = (a: string): string => (a === '0:0:0:0:0:0:0:1' ? '::1' : a);

/** Runs every client direction that starts like HTTP through HttpRequestParser. */
function requestsOf(file: string): { seen: Seen[]; reqs: HttpRequest[]; log: AnomalyLog } {
  const segs = readSegments(file);
  const log = new AnomalyLog();
  const seen: Seen[] = [];
  const reqs: HttpRequest[] = [];
  for (const c of connections(segs)) {
    const chunks = tcpChunks(
      segs.filter((s) => s.frame >= c.from),
      c.cport,
      c.sport,
    ).filter((ch) => segs.find((s) => s.frame === ch.frame)!.src === c.client);
    if (chunks.length === 0 || !looksLikeHttpRequest(chunks[0]!.bytes, 0, chunks[0]!.bytes.length)) continue;
    let frame = 0;
    const p = new HttpRequestParser(limits, log, (r) => {
      reqs.push(r);
      seen.push({ frame, src: ipText(c.client), dst: ipText(c.server), dport: c.sport, method: r.method, host: r.host ?? '', uri: r.uri });
    });
    for (const ch of chunks) {
      frame = ch.frame;
      p.push(ch.bytes);
    }
    p.end();
  }
  seen.sort((a, b) => a.frame - b.frame);
  return { seen, reqs, log };
}

function oracle(file: string): Seen[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [frame, src, dst, dport, method, host, uri] = l.split('\t');
      return { frame: Number(frame), src: src!, dst: dst!, dport: Number(dport), method: method!, host: host!, uri: uri! };
    });
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('HttpRequestParser on the shared captures matches tshark', () => {
  const cases = [
    ['captures', 'http_mixed.pcap', 18],
    ['captures', 'sensors_node.pcap', 7],
    ['captures', 'sensors_js.pcap', 22],
    ['corpus', 'zeek__pipelined-requests.pcap', 0],
    ['corpus', 'scapy__http_chunk.pcap', 1],
    ['corpus', 'zeek__100-continue.pcap', 1],
    ['corpus', 'zeek__http-post-large.pcap', 2],
    ['corpus', 'zeek__get-gzip.pcap', 1],
    ['corpus', 'scapy__http_compressed.pcap', 1],
  ] as const;
  it.each(cases)('%s/%s', (where, name, count) => {
    const file = where === 'captures' ? path.join(SHARED_CAPTURES, name) : path.join(CORPUS_FILES, name);
    const want = oracle(where === 'captures' ? path.join(SHARED_CAPTURES, 'oracle', `${name}.http.tsv`) : path.join(CORPUS_ORACLE, `${name}.http.tsv`));
    if (count > 0) expect(want).toHaveLength(count);
    const { seen, log } = requestsOf(file);
    expect(seen).toEqual(want);
    expect(log.countsObject()).toEqual({});
  });
});

describe('http_mixed.pcap bodies match the truth file', () => {
  const truth = JSON.parse(readFileSync(path.join(SHARED_CAPTURES, 'http_mixed.truth.json'), 'utf8')) as {
    flows: {
      tcp_stream: number;
      requests: {
        method: string;
        uri: string;
        body_len: number;
        body_sha256: string | null;
        content_encoding: string | null;
        transfer_encoding: string | null;
        expect: string | null;
      }[];
    }[];
  };
  const { reqs } = requestsOf(path.join(SHARED_CAPTURES, 'http_mixed.pcap'));
  const byUri = new Map(reqs.map((r) => [`${r.method} ${r.uri}`, r]));
  const rows = truth.flows.flatMap((f) => f.requests);

  it('has every request', () => {
    expect(rows).toHaveLength(18);
    for (const t of rows) expect(byUri.has(`${t.method} ${t.uri}`)).toBe(true);
  });

  it.each(rows.map((t) => [`${t.method} ${t.uri.slice(0, 40)}`, t] as const))('%s', (_n, t) => {
    const r = byUri.get(`${t.method} ${t.uri}`)!;
    expect(r.contentEncoding).toBe(t.content_encoding);
    expect(r.transferEncoding).toBe(t.transfer_encoding);
    expect(r.expectContinue).toBe(t.expect === '100-continue');
    expect(r.incomplete).toBe(false);
    expect(r.bodyTruncated).toBe(false);
    expect(r.bodyDecodeError).toBeNull();
    // the truth's body is the wire body (de-chunked, still compressed): its length is bodyWireBytes
    expect(r.bodyWireBytes).toBe(t.body_len);
    if (t.content_encoding === null && t.body_sha256) expect(sha256(r.body)).toBe(t.body_sha256);
  });

  it('gunzips the gzip bodies (chunked and Content-Length, and the 92 KB Expect: 100-continue one)', () => {
    const batch = byUri.get('POST /track/v4/batch?gz=1')!;
    expect(new TextDecoder().decode(batch.body)).toContain('"imei":"864811045123671"');
    const session = byUri.get('POST /mistats/v3/session')!;
    expect(new TextDecoder().decode(session.body)).toContain('"session":"b7c1e2"');
    const history = byUri.get('POST /track/v4/history')!;
    expect(history.bodyWireBytes).toBe(92366);
    expect(history.body.length).toBeGreaterThan(92366);
    expect(JSON.parse(new TextDecoder().decode(history.body))).toBeTruthy();
  });
});

/** Server directions of a capture's HTTP connections through HttpResponseParser, paired with the requests. */
function responsesOf(file: string): { per: { reqs: HttpRequest[]; res: HttpResponse[] }[]; log: AnomalyLog } {
  const segs = readSegments(file);
  const log = new AnomalyLog();
  const per: { reqs: HttpRequest[]; res: HttpResponse[] }[] = [];
  for (const c of connections(segs)) {
    const client = tcpChunks(
      segs.filter((s) => s.frame >= c.from),
      c.cport,
      c.sport,
    ).filter((ch) => segs.find((s) => s.frame === ch.frame)!.src === c.client);
    if (client.length === 0 || !looksLikeHttpRequest(client[0]!.bytes, 0, client[0]!.bytes.length)) continue;
    const server = tcpChunks(segs, c.sport, c.cport).filter((ch) => segs.find((s) => s.frame === ch.frame)!.src === c.server);
    const entry = { reqs: [] as HttpRequest[], res: [] as HttpResponse[] };
    const methods: string[] = [];
    const rp = responseParser(limits, log, (r) => entry.res.push(r), methods);
    const qp = new HttpRequestParser(limits, log, (r) => {
      entry.reqs.push(r);
      methods.push(r.method);
    });
    // feed both directions in frame order, as the flow table does
    const all = [...client.map((x) => ({ ...x, toServer: true })), ...server.map((x) => ({ ...x, toServer: false }))].sort((a, b) => a.frame - b.frame);
    for (const x of all) (x.toServer ? qp : rp).push(x.bytes);
    qp.end();
    rp.end();
    per.push(entry);
  }
  return { per, log };
}

describe('HttpResponseParser pairs every response with its request', () => {
  it('http_mixed.pcap: 18 requests, 18 final responses; chunked and gzip bodies skipped exactly; 100 Continue not counted', () => {
    const { per, log } = responsesOf(path.join(SHARED_CAPTURES, 'http_mixed.pcap'));
    expect(per.map((p) => p.reqs.length)).toEqual(per.map((p) => p.res.length));
    expect(per.reduce((n, p) => n + p.res.length, 0)).toBe(18);
    expect(per.flatMap((p) => p.res.map((r) => r.status)).every((s) => s >= 200 && s < 600)).toBe(true);
    expect(log.countsObject()).toEqual({});
  });

  it('zeek__100-continue.pcap: the interim 100 is skipped, the real response answers the POST', () => {
    const { per, log } = responsesOf(path.join(CORPUS_FILES, 'zeek__100-continue.pcap'));
    expect(per).toHaveLength(1);
    expect(per[0]!.reqs.map((r) => [r.method, r.expectContinue])).toEqual([['POST', true]]);
    expect(per[0]!.res).toHaveLength(1);
    expect(per[0]!.res[0]!.status).not.toBe(100);
    expect(log.countsObject()).toEqual({});
  });

  it('zeek__pipelined-requests.pcap: responses come back in request order', () => {
    const { per } = responsesOf(path.join(CORPUS_FILES, 'zeek__pipelined-requests.pcap'));
    const reqs = per.reduce((n, p) => n + p.reqs.length, 0);
    const res = per.reduce((n, p) => n + p.res.length, 0);
    expect(reqs).toBe(oracle(path.join(CORPUS_ORACLE, 'zeek__pipelined-requests.pcap.http.tsv')).length);
    expect(res).toBe(reqs);
  });
});

describe('every split position gives the same requests', () => {
  // http_mixed.pcap stream 0 (127.0.0.1:55872 → :18080): a form POST, a GET, a chunked gzip POST
  const segs = readSegments(path.join(SHARED_CAPTURES, 'http_mixed.pcap'));
  const stream0 = concat(tcpChunks(segs, 55872, 18080));
  // stream 6 (:55918): Expect: 100-continue with a 92 KB gzip body; stream 7 (:55926): chunked form POST
  const stream7 = concat(tcpChunks(segs, 55926, 18080));

  const run = (parts: Uint8Array[]): unknown[] => {
    const log = new AnomalyLog();
    const out: unknown[] = [];
    const p = new HttpRequestParser(limits, log, (r) => out.push({ ...r, body: Buffer.from(r.body).toString('hex') }));
    for (const x of parts) p.push(x);
    p.end();
    expect(log.total).toBe(0);
    return out;
  };

  it.each([
    ['stream 0', stream0],
    ['stream 7', stream7],
  ] as const)('%s, in two pieces at every offset and byte by byte', (_n, bytes) => {
    const whole = run([bytes]);
    expect(whole.length).toBeGreaterThan(0);
    for (let i = 1; i < bytes.length; i++) expect(run([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole);
    expect(run(Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1)))).toEqual(whole);
  });
});
