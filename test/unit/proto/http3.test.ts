import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits } from '../../../src/limits.js';
import { Http3Connection, type Http3Request, type Http3Response } from '../../../src/proto/http3.js';
import { readTestDsbKeyLog, readTestKeyLog } from '../../helpers/keylog.js';
import { SHARED } from '../../helpers/paths.js';
import { decryptCaptureQuic } from '../../helpers/quic.js';
import { varint } from '../../../test-support/quic-packets.js';

const H3 = `${SHARED}/keyed/clients/h3_chromium_caddy`;
const CORPUS = `${SHARED}/keyed/corpus`;

interface Found {
  flow: string;
  req: Http3Request;
}

/** every HTTP/3 request and response of a capture, decrypted and parsed by the real parts */
function http3Of(file: string, keys: Parameters<typeof decryptCaptureQuic>[1], limits = resolveLimits()) {
  const log = new AnomalyLog();
  const requests: Found[] = [];
  const responses: Array<{ flow: string; res: Http3Response }> = [];
  const conns: Http3Connection[] = [];
  decryptCaptureQuic(file, keys, limits, log, (flow) => {
    const h3 = new Http3Connection(limits, log, {
      onRequest: (req) => requests.push({ flow: flow.client, req }),
      onResponse: (res) => responses.push({ flow: flow.client, res }),
    });
    conns.push(h3);
    return h3;
  });
  for (const c of conns) c.finish();
  return { requests, responses, log };
}

describe('HTTP/3 requests from decrypted QUIC', () => {
  it('h3_chromium_caddy: every request of the truth file, with method, authority, path and body digest', () => {
    const truth = JSON.parse(readFileSync(`${H3}.truth.json`, 'utf8')) as {
      flows: Array<{
        client: string;
        requests: Array<{ stream_id: number; method: string; authority: string; uri: string; body_len: number; body_sha256: string | null }>;
      }>;
      findings: Array<{ kind?: string; type?: string }>;
    };
    const { requests, responses, log } = http3Of(`${H3}.pcap`, readTestKeyLog(`${H3}.keys`));
    expect(log.total).toBe(0);
    const want = truth.flows.flatMap((f) => f.requests.map((r) => ({ flow: f.client, ...r })));
    expect(want).toHaveLength(12);
    expect(requests).toHaveLength(want.length);
    for (const w of want) {
      const got = requests.find((r) => r.flow === w.flow && r.req.streamId === w.stream_id);
      expect(got, `${w.flow} stream ${w.stream_id}`).toBeDefined();
      const r = got!.req;
      expect([r.method, r.authority, r.uri]).toEqual([w.method, w.authority, w.uri]);
      expect(r.version).toBe('HTTP/3');
      expect(r.incomplete).toBe(false);
      expect(r.bodyWireBytes).toBe(w.body_len);
      if (w.body_sha256 !== null) expect(createHash('sha256').update(r.body).digest('hex')).toBe(w.body_sha256);
      expect(r.userAgent).toMatch(/MiuiBrowser/);
    }
    // every request was answered
    expect(responses).toHaveLength(12);
    expect(responses.every((x) => x.res.status === 200)).toBe(true);
  });

  it('quic_follow_multistream (draft-29, QPACK dynamic table): the 22 requests of the oracle', async () => {
    const file = `${CORPUS}/files/wireshark-wireshark__quic_follow_multistream.pcapng`;
    const oracle = readFileSync(`${CORPUS}/oracle/wireshark-wireshark__quic_follow_multistream.pcapng.requests.tsv`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));
    const { requests, log } = http3Of(file, await readTestDsbKeyLog(file));
    expect(log.countsObject()).toEqual({});
    expect(requests.map((r) => [String(r.req.streamId), r.req.method, r.req.authority, r.req.uri])).toEqual(oracle.map((o) => [o[2], o[3], o[4], o[5]]));
  });

  it('quic-fragmented-handshakes: the one HTTP/3 request (ChaCha20 connections among draft-29 and v1)', async () => {
    const file = `${CORPUS}/files/wireshark-wireshark__quic-fragmented-handshakes.pcapng`;
    const oracle = readFileSync(`${CORPUS}/oracle/wireshark-wireshark__quic-fragmented-handshakes.pcapng.requests.tsv`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));
    const { requests } = http3Of(file, await readTestDsbKeyLog(file));
    expect(requests.map((r) => [String(r.req.streamId), r.req.method, r.req.authority, r.req.uri])).toEqual(oracle.map((o) => [o[2], o[3], o[4], o[5]]));
  });
});

describe('HTTP/3 hostile input', () => {
  const limits = resolveLimits({ maxQpackBlockedSections: 16 });
  const frame = (type: number, payload: Buffer): Buffer => Buffer.concat([varint(type), varint(payload.length), payload]);
  const run = (feed: (h3: Http3Connection) => void) => {
    const log = new AnomalyLog();
    const requests: Http3Request[] = [];
    const h3 = new Http3Connection(limits, log, { onRequest: (r) => requests.push(r), onResponse() {} });
    feed(h3);
    h3.finish();
    return { log, requests, h3 };
  };

  it('endless blocked streams: held up to maxQpackBlockedSections, then refused; unresolved ones counted', () => {
    const { log, requests, h3 } = run((h3) => {
      h3.onStreamData(1, 3, Buffer.concat([varint(0), frame(4, Buffer.concat([varint(1), varint(4096)]))]), false); // server SETTINGS
      // Required Insert Count 5 (encoded 6), never inserted
      for (let id = 0; id < 4000; id += 4) h3.onStreamData(0, id, frame(1, Buffer.from('0600c1', 'hex')), true);
    });
    expect(requests).toHaveLength(0);
    expect(h3.counts.blockedUnresolved).toBe(16);
    expect(log.counts.get('qpack_blocked_unresolved')).toBe(16);
    expect(log.counts.get('limit_reached')).toBe(1000 - 16);
  });

  it("a request that arrives before the server's SETTINGS and the encoder stream waits for both", () => {
    const { log, requests } = run((h3) => {
      h3.onStreamData(0, 0, frame(1, Buffer.from('0381d11011', 'hex')), true);
      h3.onStreamData(1, 3, Buffer.concat([varint(0), frame(4, Buffer.concat([varint(1), varint(220)]))]), false);
      expect(h3.counts.requests).toBe(0);
      h3.onStreamData(0, 2, Buffer.concat([varint(2), Buffer.from('3fbd01c00f7777772e6578616d706c652e636f6dc10c2f73616d706c652f70617468', 'hex')]), false);
    });
    expect(log.total).toBe(0);
    expect(requests.map((r) => [r.method, r.authority, r.uri])).toEqual([['GET', 'www.example.com', '/sample/path']]);
  });

  it('a blocked request is reported once its inserts arrive, after its FIN', () => {
    const { log, requests } = run((h3) => {
      h3.onStreamData(1, 3, Buffer.concat([varint(0), frame(4, Buffer.concat([varint(1), varint(220)]))]), false);
      h3.onStreamData(0, 0, Buffer.concat([frame(1, Buffer.from('0381 d1 10 11'.replace(/ /g, ''), 'hex')), frame(0, Buffer.from('abc'))]), true);
      h3.onStreamData(0, 2, Buffer.concat([varint(2), Buffer.from('3fbd01c00f7777772e6578616d706c652e636f6dc10c2f73616d706c652f70617468', 'hex')]), false);
    });
    expect(log.total).toBe(0);
    expect(requests.map((r) => [r.method, r.authority, r.uri, Buffer.from(r.body).toString()])).toEqual([['GET', 'www.example.com', '/sample/path', 'abc']]);
  });

  it('a QPACK capacity bomb and an oversized HEADERS frame end in anomalies', () => {
    const { log, requests } = run((h3) => {
      h3.onStreamData(0, 2, Buffer.concat([varint(2), Buffer.from('3fe1ffffff0f', 'hex')]), false); // capacity ~4 GB
      h3.onStreamData(0, 0, Buffer.concat([varint(1), varint(1 << 30)]), false);
    });
    expect(requests).toHaveLength(0);
    expect(log.counts.get('qpack_encoder_stream_malformed')).toBe(1);
    expect(log.counts.get('http3_frame_malformed')).toBe(1);
  });

  it('random bytes on every kind of stream never throw', () => {
    let seed = 3;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      run((h3) => {
        for (let i = 0; i < 20; i++) {
          const b = Buffer.alloc(1 + rnd(60));
          for (let k = 0; k < b.length; k++) b[k] = rnd(256);
          expect(() => h3.onStreamData(rnd(2) as 0 | 1, rnd(16), b, rnd(4) === 0)).not.toThrow();
        }
      });
    }
  });
});
