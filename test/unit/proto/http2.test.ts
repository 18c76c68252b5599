/** HTTP/2 connection parser on crafted frames: flags, CONTINUATION, bodies, resets, limits, damage. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/limits.js';
import { Http2Connection, type Http2Request, type Http2Response } from '../../../src/proto/http2.js';
import { data, frame, H2, headers, hpackBlock, HTTP2_PREFACE, settings } from '../../../test-support/http2-frames.js';

const cat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const req = (path: string, extra: [string, string][] = [], method = 'GET'): [string, string][] => [
  [':method', method],
  [':scheme', 'https'],
  [':authority', 'api.example'],
  [':path', path],
  ...extra,
];

function run(client: Uint8Array[], server: Uint8Array[] = [], l: Partial<Limits> = {}, chunk = 1 << 20) {
  const reqs: Http2Request[] = [];
  const res: Http2Response[] = [];
  const at: number[] = [];
  const log = new AnomalyLog();
  const h2 = new Http2Connection({ ...DEFAULT_LIMITS, ...l }, log, {
    request: (r, a) => {
      reqs.push(r);
      at.push(a);
    },
    response: (r) => res.push(r),
  });
  const c = cat([HTTP2_PREFACE, settings(), ...client]);
  const s = cat([settings(), ...server]);
  for (let o = 0; o < Math.max(c.length, s.length); o += chunk) {
    if (o < c.length) h2.pushClient(c, o, Math.min(o + chunk, c.length));
    if (o < s.length) h2.pushServer(s, o, Math.min(o + chunk, s.length));
  }
  h2.end();
  return { reqs, res, at, log, h2 };
}

describe('requests and responses', () => {
  it('a GET and a POST with a body in two DATA frames, answered; any split', () => {
    for (const chunk of [1 << 20, 1, 5]) {
      const { reqs, res, log, at } = run(
        [
          ...headers(1, req('/a?x=1'), true),
          ...headers(3, req('/b', [['content-type', 'application/json']], 'POST'), false),
          ...data(3, Buffer.from('{"imei":"8612'), false),
          ...data(3, Buffer.from('34"}'), true),
        ],
        [...headers(1, [[':status', '200']], false), ...data(1, Buffer.from('ok'), true), ...headers(3, [[':status', '204']], true)],
        {},
        chunk,
      );
      expect(log.countsObject()).toEqual({});
      expect(reqs.map((r) => [r.streamId, r.method, r.host, r.uri, r.scheme, r.version])).toEqual([
        [1, 'GET', 'api.example', '/a?x=1', 'https', 'HTTP/2'],
        [3, 'POST', 'api.example', '/b', 'https', 'HTTP/2'],
      ]);
      expect(Buffer.from(reqs[1]!.body).toString()).toBe('{"imei":"861234"}');
      expect(reqs[1]!.bodyWireBytes).toBe(17);
      expect(reqs[1]!.contentType).toBe('application/json');
      expect(at[0]).toBe(HTTP2_PREFACE.length + 9);
      expect(res.map((r) => [r.streamId, r.status, r.bodyWireBytes, r.incomplete])).toEqual([
        [1, 200, 2, false],
        [3, 204, 0, false],
      ]);
    }
  });

  it('PADDED and PRIORITY flags on HEADERS, PADDED DATA', () => {
    const block = hpackBlock(req('/p', [['x-id', '42']], 'POST'));
    const hp = cat([Uint8Array.of(3), Uint8Array.of(0, 0, 0, 0, 16), block, new Uint8Array(3)]);
    const dp = cat([Uint8Array.of(4), Buffer.from('body'), new Uint8Array(4)]);
    const { reqs, log } = run([frame(H2.HEADERS, H2.END_HEADERS | H2.PADDED | H2.PRIORITY_FLAG, 1, hp), frame(H2.DATA, H2.END_STREAM | H2.PADDED, 1, dp)]);
    expect(log.countsObject()).toEqual({});
    expect(reqs[0]!.headers).toEqual([{ name: 'x-id', value: '42' }]);
    expect(Buffer.from(reqs[0]!.body).toString()).toBe('body');
    expect(reqs[0]!.bodyWireBytes).toBe(4);
  });

  it('a header block split over CONTINUATION frames; trailers appended', () => {
    const big: [string, string][] = [
      ['cookie', 'c'.repeat(5000)],
      ['x-mi-imei', '861234567890123'],
    ];
    const { reqs, log } = run([
      ...headers(5, req('/c', big, 'POST'), false, 1000),
      ...data(5, Buffer.from('x'), false),
      ...headers(5, [['x-trailer', 't']], true),
    ]);
    expect(log.countsObject()).toEqual({});
    expect(reqs[0]!.headers.map((h) => [h.name, h.value.length])).toEqual([
      ['cookie', 5000],
      ['x-mi-imei', 15],
      ['x-trailer', 1],
    ]);
  });

  it('Content-Encoding: gzip bodies are decoded', () => {
    const body = gzipSync(Buffer.from('{"oaid":"e1f2"}'));
    const { reqs } = run([...headers(1, req('/g', [['content-encoding', 'gzip']], 'POST'), false), ...data(1, body, true)]);
    expect(Buffer.from(reqs[0]!.body).toString()).toBe('{"oaid":"e1f2"}');
    expect(reqs[0]!.bodyWireBytes).toBe(body.length);
    expect(reqs[0]!.bodyDecodeError).toBeNull();
  });

  it('unknown frame types, PING, WINDOW_UPDATE, PRIORITY and GOAWAY are skipped', () => {
    const { reqs, log } = run([
      frame(0xfa, 0, 0, new Uint8Array(300)),
      frame(H2.PING, 0, 0, new Uint8Array(8)),
      frame(H2.WINDOW_UPDATE, 0, 0, Uint8Array.of(0, 0, 1, 0)),
      frame(H2.PRIORITY, 0, 1, new Uint8Array(5)),
      ...headers(1, req('/after'), true),
      frame(H2.GOAWAY, 0, 0, new Uint8Array(8)),
    ]);
    expect(log.countsObject()).toEqual({});
    expect(reqs.map((r) => r.uri)).toEqual(['/after']);
  });

  it("PUSH_PROMISE blocks are decoded (the server's table stays in step) but not reported as client requests", () => {
    // the promise adds `a: b` to the server's dynamic table (literal with indexing); the response then uses index 62
    const promise = cat([Uint8Array.of(0, 0, 0, 2), hpackBlock(req('/pushed.css')), Uint8Array.of(0x40, 1, 0x61, 1, 0x62)]);
    const { reqs, res, log } = run(
      [...headers(1, req('/'), true)],
      [frame(H2.PUSH_PROMISE, H2.END_HEADERS, 1, promise), frame(H2.HEADERS, H2.END_HEADERS | H2.END_STREAM, 1, Uint8Array.of(0x88, 0xbe))],
    );
    expect(log.countsObject()).toEqual({});
    expect(reqs.map((r) => r.uri)).toEqual(['/']);
    expect(res.map((r) => [r.streamId, r.status, r.headers])).toEqual([[1, 200, [{ name: 'a', value: 'b' }]]]);
  });

  it('an interim 100 response is skipped; the final one is reported', () => {
    const { res } = run([...headers(1, req('/'), true)], [...headers(1, [[':status', '100']], false), ...headers(1, [[':status', '404']], true)]);
    expect(res.map((r) => r.status)).toEqual([404]);
  });

  it('RST_STREAM by the client reports the request cut short; the response half ends quietly', () => {
    const { reqs, res, log } = run(
      [...headers(1, req('/up', [], 'POST'), false), ...data(1, Buffer.from('part'), false), frame(H2.RST_STREAM, 0, 1, Uint8Array.of(0, 0, 0, 8))],
      [...headers(1, [[':status', '200']], false), ...data(1, Buffer.from('xx'), false)],
    );
    expect(reqs.map((r) => [r.uri, r.incomplete, Buffer.from(r.body).toString()])).toEqual([['/up', true, 'part']]);
    expect(res.map((r) => [r.status, r.incomplete, r.bodyWireBytes])).toEqual([[200, true, 2]]);
    expect(log.countsObject()).toEqual({});
  });

  it('the capture ending inside a request reports it incomplete (http2_stream_incomplete)', () => {
    const { reqs, log } = run([...headers(1, req('/cut', [], 'POST'), false), ...data(1, Buffer.from('abc'), false)]);
    expect(reqs.map((r) => [r.uri, r.incomplete])).toEqual([['/cut', true]]);
    expect(log.countsObject()).toEqual({ http2_stream_incomplete: 1 });
  });
});

describe('limits and damage', () => {
  it('endless CONTINUATION: the block stops at maxHttp2HeaderBlockBytes; later blocks are not decoded (HPACK lost)', () => {
    const frames = [frame(H2.HEADERS, 0, 1, hpackBlock(req('/x')))];
    for (let i = 0; i < 100; i++) frames.push(frame(H2.CONTINUATION, 0, 1, new Uint8Array(1000).fill(0x82)));
    const { reqs, log } = run([...frames, frame(H2.CONTINUATION, H2.END_HEADERS, 1), ...headers(3, req('/y'), true)], [], { maxHttp2HeaderBlockBytes: 20_000 });
    expect(reqs).toEqual([]);
    expect(log.kept.map((a) => [a.code, a.detail?.slice(0, 30)])).toEqual([
      ['limit_reached', 'maxHttp2HeaderBlockBytes'],
      ['hpack_malformed', 'a header block was not decoded'],
    ]);
  });

  it('endless empty CONTINUATION frames stop at maxHttp2ContinuationFrames', () => {
    const frames = [frame(H2.HEADERS, 0, 1, hpackBlock(req('/x')))];
    for (let i = 0; i < 50; i++) frames.push(frame(H2.CONTINUATION, 0, 1));
    const { reqs, log } = run(frames, [], { maxHttp2ContinuationFrames: 10 });
    expect(reqs).toEqual([]);
    expect(log.counts.get('limit_reached')).toBe(1);
    expect(log.kept[0]!.detail).toBe('maxHttp2ContinuationFrames');
  });

  it('a body beyond maxHttpBodyBytes is kept up to the cap and counted in full', () => {
    const { reqs, log } = run([...headers(1, req('/big', [], 'POST'), false), ...data(1, new Uint8Array(50_000).fill(0x61), true, 16384)], [], {
      maxHttpBodyBytes: 10_000,
    });
    expect([reqs[0]!.body.length, reqs[0]!.bodyWireBytes, reqs[0]!.bodyTruncated]).toEqual([10_000, 50_000, true]);
    expect(log.kept[0]).toMatchObject({ code: 'limit_reached', detail: 'maxHttpBodyBytes' });
  });

  it('bodies across streams stop at maxHttp2BufferedBodyBytes', () => {
    const frames: Uint8Array[] = [];
    for (let s = 1; s <= 9; s += 2) frames.push(...headers(s, req(`/s${s}`, [], 'POST'), false), ...data(s, new Uint8Array(4000), false));
    for (let s = 1; s <= 9; s += 2) frames.push(frame(H2.DATA, H2.END_STREAM, s));
    const { reqs, log } = run(frames, [], { maxHttp2BufferedBodyBytes: 10_000 });
    expect(reqs.map((r) => r.body.length)).toEqual([4000, 4000, 2000, 0, 0]);
    expect(reqs.every((r) => r.bodyWireBytes === 4000)).toBe(true);
    expect(log.counts.get('limit_reached')).toBe(3);
  });

  it('open streams beyond maxHttp2OpenStreams are not tracked', () => {
    const frames: Uint8Array[] = [];
    for (let s = 1; s <= 21; s += 2) frames.push(...headers(s, req(`/s${s}`), false));
    const { reqs, log } = run(frames, [], { maxHttp2OpenStreams: 4 });
    expect(reqs.map((r) => r.uri)).toEqual(['/s1', '/s3', '/s5', '/s7']);
    expect(log.counts.get('limit_reached')).toBe(1);
  });

  it('requests never answered (a one-sided capture) make room for new streams: all are reported', () => {
    const frames: Uint8Array[] = [];
    for (let s = 1; s <= 41; s += 2) frames.push(...headers(s, req(`/s${s}`), true));
    const { reqs, res, log } = run(frames, [...headers(41, [[':status', '200']], true)], { maxHttp2OpenStreams: 4 });
    expect(reqs.length).toBe(21);
    expect(res.map((r) => [r.streamId, r.status])).toEqual([[41, 200]]);
    expect(log.countsObject()).toEqual({});
  });

  it("the SETTINGS_HEADER_TABLE_SIZE a side announces bounds the other side's size updates", () => {
    // server allows 100; the client's block starts with a size update to 200 (3f a9 01)
    const block = cat([Uint8Array.of(0x3f, 0xa9, 0x01), hpackBlock(req('/t'))]);
    const log = new AnomalyLog();
    const reqs: Http2Request[] = [];
    const h2 = new Http2Connection(DEFAULT_LIMITS, log, { request: (r) => reqs.push(r), response: () => {} });
    h2.pushServer(settings([[1, 100]]));
    h2.pushClient(cat([HTTP2_PREFACE, settings(), frame(H2.HEADERS, H2.END_HEADERS | H2.END_STREAM, 1, block)]));
    expect(reqs.map((r) => r.uri)).toEqual(['/t']);
    expect(log.kept[0]).toMatchObject({ code: 'hpack_table_size_update_invalid' });
  });

  it('no preface: the connection is not parsed', () => {
    const log = new AnomalyLog();
    const h2 = new Http2Connection(DEFAULT_LIMITS, log, {
      request: () => {
        throw new Error('no');
      },
      response: () => {},
    });
    h2.pushClient(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(h2.stopped).toBe(true);
    expect(log.countsObject()).toEqual({ http2_preface_missing: 1 });
  });

  it('a gap stops its direction; requests complete before it are kept', () => {
    const log = new AnomalyLog();
    const reqs: Http2Request[] = [];
    const h2 = new Http2Connection(DEFAULT_LIMITS, log, { request: (r) => reqs.push(r), response: () => {} });
    h2.pushClient(cat([HTTP2_PREFACE, settings(), ...headers(1, req('/before'), true), ...headers(3, req('/cut', [], 'POST'), false)]));
    h2.gapClient(500);
    h2.pushClient(cat(headers(5, req('/after'), true)));
    h2.end();
    expect(reqs.map((r) => [r.uri, r.incomplete])).toEqual([
      ['/before', false],
      ['/cut', true],
    ]);
    expect(log.countsObject()).toEqual({ http2_gap: 1, http2_stream_incomplete: 1 });
  });

  it('malformed frames are skipped: padding over the frame, DATA on stream 0, a frame inside a header block', () => {
    const { reqs, log } = run([frame(H2.DATA, H2.PADDED, 1, Uint8Array.of(9, 1, 2)), frame(H2.DATA, 0, 0, Uint8Array.of(1)), ...headers(1, req('/ok'), true)]);
    expect(reqs.map((r) => r.uri)).toEqual(['/ok']);
    expect(log.kept.map((a) => a.code)).toEqual(['http2_frame_malformed', 'http2_frame_malformed']);
    const inside = run([frame(H2.HEADERS, 0, 1, hpackBlock(req('/x'))), frame(H2.PING, 0, 0, new Uint8Array(8)), ...headers(3, req('/y'), true)]);
    expect(inside.reqs).toEqual([]);
    expect(inside.log.kept.map((a) => a.code)).toEqual(['http2_frame_malformed', 'hpack_malformed']);
  });

  it('a request without :path is http2_message_invalid; the next stream is still read', () => {
    const { reqs, log } = run([...headers(1, [[':method', 'GET']], true), ...headers(3, req('/next'), true)]);
    expect(reqs.map((r) => r.uri)).toEqual(['/next']);
    expect(log.countsObject()).toEqual({ http2_message_invalid: 1 });
  });
});
