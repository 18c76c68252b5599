/**
 * HTTP/2 over real decrypted bytes: h2_node_curl_sdk.pcap (Node's http2 client and curl against a
 * Node server, TLS 1.3), decrypted by tshark with the shipped key log at test time
 * (test-support/tshark-http2.ts), parsed whole and split into small pieces, compared with the
 * truth file's requests.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { Http2Connection, type Http2Request, type Http2Response } from '../../../src/proto/http2.js';
import { tsharkHttp2Streams, type DecryptedHttp2 } from '../../../test-support/tshark-http2.js';
import { SHARED } from '../../helpers/paths.js';

const DIR = path.join(SHARED, 'keyed', 'clients');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface TruthRequest {
  method: string;
  http_version: string;
  stream_id: number | null;
  authority_or_host_header: string;
  uri: string;
  content_encoding: string | null;
  body_len: number;
  body_sha256: string | null;
  header_count: number;
  payload_decoded: { body?: unknown } | null;
}
interface TruthFlow {
  tcp_stream: number;
  client: string;
  requests: TruthRequest[];
}

/** Feeds the frames in capture order, each cut into pieces of `chunk` bytes. */
function parse(conn: DecryptedHttp2, chunk: number): { reqs: Http2Request[]; res: Http2Response[]; log: AnomalyLog } {
  const reqs: Http2Request[] = [];
  const res: Http2Response[] = [];
  const log = new AnomalyLog();
  const h2 = new Http2Connection(DEFAULT_LIMITS, log, { request: (r) => reqs.push(r), response: (r) => res.push(r) });
  for (const { toServer, bytes } of conn.pieces) {
    for (let o = 0; o < bytes.length; o += chunk) {
      const to = Math.min(o + chunk, bytes.length);
      if (toServer) h2.pushClient(bytes, o, to);
      else h2.pushServer(bytes, o, to);
    }
  }
  h2.end();
  return { reqs, res, log };
}

describe('h2_node_curl_sdk.pcap decrypted by tshark: requests match the truth file', () => {
  const truth = JSON.parse(readFileSync(path.join(DIR, 'h2_node_curl_sdk.truth.json'), 'utf8')) as { flows: TruthFlow[] };
  const conns = tsharkHttp2Streams(path.join(DIR, 'h2_node_curl_sdk.pcap'), path.join(DIR, 'h2_node_curl_sdk.keys'), [19443]);
  const h2Flows = truth.flows.filter((f) => f.requests.some((r) => r.http_version === 'HTTP/2'));

  it('has the four HTTP/2 connections of the truth file', () => {
    expect(h2Flows.map((f) => f.tcp_stream)).toEqual([0, 1, 2, 3]);
    expect(conns.map((c) => c.tcpStream)).toEqual([0, 1, 2, 3]);
  });

  for (const chunk of [1 << 20, 1, 7, 100]) {
    it(`every request, pieces of ${chunk} bytes`, () => {
      for (const flow of h2Flows) {
        const conn = conns.find((c) => c.tcpStream === flow.tcp_stream)!;
        expect(conn.clientPort).toBe(Number(flow.client.split(':').at(-1)));
        const { reqs, res, log } = parse(conn, chunk);
        expect(log.countsObject()).toEqual({});
        const want = [...flow.requests].sort((a, b) => a.stream_id! - b.stream_id!);
        const got = [...reqs].sort((a, b) => a.streamId - b.streamId);
        expect(got.map((r) => [r.streamId, r.method, r.host, r.uri, r.version])).toEqual(
          want.map((t) => [t.stream_id, t.method, t.authority_or_host_header, t.uri, 'HTTP/2']),
        );
        for (let i = 0; i < want.length; i++) {
          const t = want[i]!;
          const r = got[i]!;
          expect(r.incomplete).toBe(false);
          expect(r.bodyWireBytes).toBe(t.body_len);
          expect(r.contentEncoding).toBe(t.content_encoding);
          // header_count in the truth counts pseudo-headers too
          expect(r.headers.length + 3 + (r.scheme === null ? 0 : 1)).toBe(t.header_count);
          if (t.content_encoding === null) {
            if (t.body_sha256 !== null) expect(sha256(r.body)).toBe(t.body_sha256);
          } else {
            // the body is reported decoded: compare with the decoded JSON the truth holds
            expect(r.bodyDecodeError).toBeNull();
            expect(JSON.parse(Buffer.from(r.body).toString('utf8'))).toEqual(t.payload_decoded!.body);
          }
        }
        // every request was answered (Node's server: 200 with a JSON body)
        expect(res.map((x) => x.streamId).sort((a, b) => a - b)).toEqual(got.map((r) => r.streamId));
        for (const x of res) {
          expect(x.status).toBe(200);
          expect(x.incomplete).toBe(false);
          expect(x.bodyWireBytes).toBeGreaterThan(0);
        }
      }
    });
  }

  it('streams 3, 5 and 7 of the MIUI connection reuse the dynamic table (indexed fields), with the same header values', () => {
    const conn = conns.find((c) => c.tcpStream === 0)!;
    const { reqs } = parse(conn, 1 << 20);
    const imei = reqs.map((r) => r.headers.find((h) => h.name === 'x-mi-imei')?.value);
    expect(new Set(imei).size).toBe(1);
    expect(imei[0]).toMatch(/^\d{15}$/);
    const cookie = reqs.map((r) => r.headers.find((h) => h.name === 'cookie')?.value?.length ?? 0);
    expect(Math.min(...cookie)).toBeGreaterThan(1000);
  });
});

describe('chromium_h2_dsb.pcapng (Chromium against caddy, keys in a pcapng DSB) decrypted by tshark', () => {
  const truth = JSON.parse(readFileSync(path.join(DIR, 'chromium_h2_dsb.truth.json'), 'utf8')) as { flows: TruthFlow[] };
  const conns = tsharkHttp2Streams(path.join(DIR, 'chromium_h2_dsb.pcapng'), null, [19447]);

  for (const chunk of [1 << 20, 3]) {
    it(`every request of every connection, Huffman-coded and dynamic-table fields, pieces of ${chunk} bytes`, () => {
      let n = 0;
      for (const flow of truth.flows) {
        const conn = conns.find((c) => c.tcpStream === flow.tcp_stream);
        if (conn === undefined) {
          // preconnects that carried no frame tshark shows
          expect(flow.requests ?? []).toEqual([]);
          continue;
        }
        const { reqs, log } = parse(conn, chunk);
        expect(log.countsObject()).toEqual({});
        // Chromium's stream ids are not in the truth (caddy's log): compare as sets
        const key = (method: string, host: string | null, uri: string, len: number, sha: string | null): string => `${method} ${host} ${uri} ${len} ${sha}`;
        expect(reqs.map((r) => key(r.method, r.host, r.uri, r.bodyWireBytes, r.bodyWireBytes > 0 ? sha256(r.body) : null)).sort()).toEqual(
          (flow.requests ?? []).map((t) => key(t.method, t.authority_or_host_header, t.uri, t.body_len, t.body_len > 0 ? t.body_sha256 : null)).sort(),
        );
        for (const r of reqs) expect(r.streamId % 2).toBe(1);
        n += reqs.length;
      }
      expect(n).toBe(12);
    });
  }
});
