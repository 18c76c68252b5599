/** HTTP/1.x parsers on crafted streams: framing edge cases, caps and malformed input. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/limits.js';
import { HttpRequestParser, header, looksLikeHttpRequest, type HttpRequest, type HttpResponse } from '../../../src/proto/http1.js';
import { responseParser } from '../../helpers/http.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function requests(
  stream: Uint8Array | string,
  limits: Partial<Limits> = {},
  parts?: number[],
): { reqs: HttpRequest[]; log: AnomalyLog; parser: HttpRequestParser } {
  const bytes = typeof stream === 'string' ? enc(stream) : stream;
  const log = new AnomalyLog();
  const reqs: HttpRequest[] = [];
  const parser = new HttpRequestParser({ ...DEFAULT_LIMITS, ...limits }, log, (r) => reqs.push(r));
  let at = 0;
  for (const cut of parts ?? []) {
    parser.push(bytes.subarray(at, cut));
    at = cut;
  }
  parser.push(bytes.subarray(at));
  parser.end();
  return { reqs, log, parser };
}

function responses(stream: string, methods: string[]): { res: HttpResponse[]; log: AnomalyLog } {
  const log = new AnomalyLog();
  const res: HttpResponse[] = [];
  const p = responseParser(DEFAULT_LIMITS, log, (r) => res.push(r), [...methods]);
  p.push(enc(stream));
  p.end();
  return { res, log };
}

describe('looksLikeHttpRequest', () => {
  it.each([
    ['GET / HTTP/1.1\r\n', true],
    ['POST /sa?project=x HTTP/1.1\r\n', true],
    ['PROPFIND /dav HTTP/1.1\r\n', true],
    ['OPTIONS * HTTP/1.1\r\n', true],
    ['GET/ HTTP/1.1', false], // no space after the method
    ['get / HTTP/1.1', false], // not a known method, and its line is not complete
    ['get / HTTP/1.1\r\n', true], // methods are case-sensitive tokens: `get` is another one (RFC 9110 §9.1)
    ['GE', false], // too short to tell
    ['MIREPORT /v1/health HTTP/1.1\r\n', true], // an unregistered method with its whole request line
    ['MIREPORT /v1/health HTTP/1.1\n', true],
    ['X-MS-ENUMATTS * HTTP/1.0\r\n', true],
    ['MIREPORT /v1/health HTTP/1.', false], // the line is not there yet: known methods only
    ['MIREPORT /v1/health\r\n', false], // HTTP/0.9-style line: no version, not taken on content alone
    ['FOO bar baz\r\n', false],
    ['MIRE\x01ORT / HTTP/1.1\r\n', false], // not a token
    ['M-SEARCH * HTTP/1.1\r\n', true], // any token over TCP (SSDP is UDP and never reaches HTTP detection)
    ['\x16\x03\x01\x02\x00', false], // a TLS record
    ['HTTP/1.1 200 OK\r\n', false],
  ])('%j → %s', (s, want) => {
    const b = enc(s);
    expect(looksLikeHttpRequest(b, 0, b.length)).toBe(want);
  });

  it('respects off and end', () => {
    const b = enc('xxGET / HTTP/1.1');
    expect(looksLikeHttpRequest(b, 2, b.length)).toBe(true);
    expect(looksLikeHttpRequest(b, 2, 5)).toBe(false);
  });
});

describe('header()', () => {
  it('finds the first value case-insensitively and keeps __proto__ as an ordinary name', () => {
    const h = [
      { name: '__proto__', value: 'x' },
      { name: 'Host', value: 'a:8080' },
      { name: 'host', value: 'b' },
    ];
    expect(header(h, 'HOST')).toBe('a:8080');
    expect(header(h, '__proto__')).toBe('x');
    expect(header(h, 'cookie')).toBeNull();
  });

  it('folds only the letters A-Z: token characters whose codes differ by 0x20 from others stay distinct', () => {
    // '@' | 0x20 is '`', '[' | 0x20 is '{', '^' | 0x20 is '~': none of them is a case pair
    const h = [
      { name: 'X-@B', value: 'at' },
      { name: 'x-[b', value: 'bracket' },
      { name: 'A^', value: 'caret' },
      { name: 'CONTENT-length', value: '5' },
    ];
    expect(header(h, 'x-`b')).toBeNull();
    expect(header(h, 'x-@b')).toBe('at');
    expect(header(h, 'x-{b')).toBeNull();
    expect(header(h, 'X-[B')).toBe('bracket');
    expect(header(h, 'a~')).toBeNull();
    expect(header(h, 'content-length')).toBe('5');
    expect(header(h, 'content-lengtx')).toBeNull();
  });

  it('frames the body by Content-Length and Transfer-Encoding in any case', () => {
    const { reqs } = requests('POST /a HTTP/1.1\r\ncONTENT-lENGTH: 3\r\n\r\nabcPOST /b HTTP/1.1\r\nTRANSFER-ENCODING: Chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n');
    expect(reqs.map((r) => [r.uri, dec(r.body)])).toEqual([
      ['/a', 'abc'],
      ['/b', 'xy'],
    ]);
  });
});

describe('HttpRequestParser', () => {
  it('reads request line, ordered headers, Host with port, keep-alive requests', () => {
    const { reqs, log } = requests(
      'GET /a?b=1 HTTP/1.1\r\nHost: x.miui.com:18080\r\nUser-Agent: ua\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nHEAD /b HTTP/1.0\r\nHost: y\r\n\r\n',
    );
    expect(log.total).toBe(0);
    expect(reqs.map((r) => [r.method, r.uri, r.version, r.host])).toEqual([
      ['GET', '/a?b=1', 'HTTP/1.1', 'x.miui.com:18080'],
      ['HEAD', '/b', 'HTTP/1.0', 'y'],
    ]);
    expect(reqs[0]!.headers).toEqual([
      { name: 'Host', value: 'x.miui.com:18080' },
      { name: 'User-Agent', value: 'ua' },
      { name: 'X-Dup', value: '1' },
      { name: 'x-dup', value: '2' },
    ]);
    expect(reqs[0]!.userAgent).toBe('ua');
    expect(reqs[0]!.body.length).toBe(0);
  });

  it('tolerates bare LF line ends, blank lines between requests and obs-fold', () => {
    const { reqs, log } = requests('\r\n\r\nGET / HTTP/1.1\nHost: h\nX-Long: a\n  b\n\n\r\nGET /2 HTTP/1.1\nHost: h\n\n');
    expect(log.total).toBe(0);
    expect(reqs.map((r) => r.uri)).toEqual(['/', '/2']);
    expect(header(reqs[0]!.headers, 'x-long')).toBe('a b');
  });

  it('keeps a request-target with a raw space as sent', () => {
    const { reqs } = requests('GET /a b HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(reqs[0]!.uri).toBe('/a b');
  });

  it('reads heads the same from Buffers and plain byte arrays, byte-order marks and bad UTF-8 included', () => {
    const s = 'GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\nX-Bom: a\xef\xbb\xbfv\r\nX-Bad: a\xff\xc3b\r\n\r\n';
    const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
    const fromArray = requests(bytes).reqs;
    const fromBuffer = requests(Buffer.from(bytes)).reqs;
    const split = requests(Buffer.from(bytes), {}, [20, 40]).reqs; // carried across pushes
    expect(fromArray[0]!.uri).toBe('/café');
    expect(header(fromArray[0]!.headers, 'x-bom')).toBe('a\ufeffv');
    expect(header(fromArray[0]!.headers, 'x-bad')).toBe('a\ufffd\ufffdb');
    expect(fromBuffer).toEqual(fromArray);
    expect(split).toEqual(fromArray);
  });

  it('trims field values exactly as String.prototype.trim does, whatever white space and bytes surround them', () => {
    // ASCII white space, NBSP, a BOM, U+2028, U+3000, bad UTF-8 and plain text, in random mixes
    const pieces = [
      [0x20],
      [0x09],
      [0x0b],
      [0x0c],
      [0xc2, 0xa0],
      [0xef, 0xbb, 0xbf],
      [0xe2, 0x80, 0xa8],
      [0xe3, 0x80, 0x80],
      [0xff],
      [0xc3],
      [0x61],
      [0x7a, 0x7a],
      [0x1f],
      [0x85],
    ];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 400; round++) {
      const value: number[] = [];
      for (let i = rand(6); i >= 0; i--) value.push(...pieces[rand(pieces.length)]!);
      const head = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nX-V:'), Buffer.from(value), Buffer.from('\r\n\r\n')]);
      const { reqs } = requests(new Uint8Array(head));
      expect(header(reqs[0]!.headers, 'x-v'), Buffer.from(value).toString('hex')).toBe(Buffer.from(value).toString('utf8').trim());
    }
  });

  it('reads heads right when streams take turns in different buffers and a buffer is refilled in place', () => {
    // the reader hands every stream views of one reused chunk, rewritten between reads;
    // another stream's carry buffer comes in between
    const chunk = new Uint8Array(4096);
    const log = new AnomalyLog();
    const a: HttpRequest[] = [];
    const b: HttpRequest[] = [];
    const pa = new HttpRequestParser(DEFAULT_LIMITS, log, (r) => a.push(r));
    const pb = new HttpRequestParser(DEFAULT_LIMITS, log, (r) => b.push(r));
    const fill = (s: string): Uint8Array => {
      chunk.set(enc(s), 100);
      return chunk.subarray(100, 100 + enc(s).length);
    };
    pb.push(enc('GET /b1 HTTP/1.1\r\nHo')); // carried: b's head continues in its own buffer
    pa.push(fill('GET /a1 HTTP/1.1\r\nHost: first\r\n\r\n'));
    pb.push(fill('st: bee\r\n\r\n'));
    pa.push(fill('POST /a2 HTTP/1.1\r\nHost: second\r\nContent-Length: 0\r\n\r\n'));
    expect(a.map((r) => [r.method, r.uri, r.host])).toEqual([
      ['GET', '/a1', 'first'],
      ['POST', '/a2', 'second'],
    ]);
    expect(b.map((r) => [r.uri, r.host])).toEqual([['/b1', 'bee']]);
  });

  it('reads a Content-Length body split over pushes', () => {
    const s = 'POST /sa HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789GET / HTTP/1.1\r\n\r\n';
    const { reqs, log } = requests(s, {}, [5, 40, 55, 60]);
    expect(log.total).toBe(0);
    expect(reqs.map((r) => [r.method, dec(r.body), r.bodyWireBytes, r.incomplete])).toEqual([
      ['POST', '0123456789', 10, false],
      ['GET', '', 0, false],
    ]);
  });

  it('de-chunks, ignores chunk extensions and trailers', () => {
    const s = 'POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n006\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nGET /n HTTP/1.1\r\n\r\n';
    const { reqs, log } = requests(s);
    expect(log.total).toBe(0);
    expect(reqs.map((r) => [r.uri, dec(r.body), r.bodyWireBytes, r.transferEncoding])).toEqual([
      ['/c', 'hello world', 11, 'chunked'],
      ['/n', '', 0, null],
    ]);
  });

  it('decodes a gzip body and flags Expect: 100-continue', () => {
    const gz = gzipSync(enc('{"imei":"864811045123671"}'));
    const head = enc(`POST /h HTTP/1.1\r\nExpect: 100-continue\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`);
    const { reqs, log } = requests(Buffer.concat([head, gz]));
    expect(log.total).toBe(0);
    expect(reqs[0]!.expectContinue).toBe(true);
    expect(reqs[0]!.contentEncoding).toBe('gzip');
    expect(dec(reqs[0]!.body)).toBe('{"imei":"864811045123671"}');
    expect(reqs[0]!.bodyWireBytes).toBe(gz.length);
  });

  it('keeps at most maxHttpBodyBytes of a body and counts the rest', () => {
    const { reqs, log } = requests('POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\n01234567890123456789', { maxHttpBodyBytes: 8 }, [40, 45]);
    expect(reqs[0]!.body.length).toBe(8);
    expect(dec(reqs[0]!.body)).toBe('01234567');
    expect(reqs[0]!.bodyWireBytes).toBe(20);
    expect(reqs[0]!.bodyTruncated).toBe(true);
    expect(log.countsObject()).toEqual({ limit_reached: 1 });
    expect(log.kept[0]!.detail).toBe('maxHttpBodyBytes');
  });

  it('stops a gzip bomb at maxDecompressedBytes', () => {
    const bomb = gzipSync(new Uint8Array(8 * 1024 * 1024)); // 8 MiB of zeros in ~8 KB
    const head = enc(`POST /bomb HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`);
    const { reqs, log } = requests(Buffer.concat([head, bomb]), { maxDecompressedBytes: 64 * 1024 });
    expect(reqs[0]!.body.length).toBeLessThanOrEqual(64 * 1024);
    expect(reqs[0]!.body.length).toBeGreaterThan(60 * 1024);
    expect(reqs[0]!.bodyDecodeError).toBeNull();
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxDecompressedBytes']]);
  });

  it('reports a body that is not what its Content-Encoding says and keeps the raw bytes', () => {
    const { reqs, log } = requests('POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nplain');
    expect(dec(reqs[0]!.body)).toBe('plain');
    expect(reqs[0]!.bodyDecodeError).toBe('incorrect header check');
    expect(log.kept.map((a) => a.code)).toEqual(['http_body_decode_failed']);
  });

  it('emits a request whose body never completes at end(), flagged incomplete', () => {
    const { reqs, log } = requests('POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial');
    expect(reqs.map((r) => [r.uri, dec(r.body), r.incomplete])).toEqual([['/x', 'partial', true]]);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['http_message_incomplete', 'body']]);
  });

  it('reports a head cut short at end() without emitting it', () => {
    const { reqs, log } = requests('GET /x HTTP/1.1\r\nHost: h\r\n');
    expect(reqs).toHaveLength(0);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['http_message_incomplete', 'head']]);
  });

  it.each([
    ['not hex', 'zz\r\n', 'chunk size is not hex'],
    ['overflow', 'fffffffffffffffff\r\n', 'chunk size overflows'],
    ['no CRLF after data', '3\r\nabcX\r\n0\r\n\r\n', 'no CRLF after chunk data'],
  ])('chunk %s → anomaly, the stream stops cleanly', (_n, chunks, detail) => {
    const { reqs, log, parser } = requests(`POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}GET /after HTTP/1.1\r\n\r\n`);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['http_chunk_malformed', detail]]);
    expect(reqs.map((r) => [r.uri, r.incomplete])).toEqual([['/c', true]]);
    expect(parser.failed).toBe(true);
  });

  it('caps the header count (the rest are dropped but framing headers still count)', () => {
    const many = Array.from({ length: 10 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    const { reqs, log } = requests(`POST / HTTP/1.1\r\n${many}Content-Length: 2\r\n\r\nokGET /n HTTP/1.1\r\n\r\n`, { maxHttpHeaders: 4 });
    expect(reqs[0]!.headers).toHaveLength(4);
    expect(dec(reqs[0]!.body)).toBe('ok');
    expect(reqs.map((r) => r.uri)).toEqual(['/', '/n']);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxHttpHeaders']]); // once per message
  });

  it('caps the head size, including a head that never ends', () => {
    const { reqs, log, parser } = requests(`GET / HTTP/1.1\r\nX: ${'a'.repeat(300)}`, { maxHttpHeaderBytes: 128 }, [10, 100, 200]);
    expect(reqs).toHaveLength(0);
    expect(parser.failed).toBe(true);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxHttpHeaderBytes']]);
  });

  it('caps requests per stream', () => {
    const { reqs, log } = requests('GET /1 HTTP/1.1\r\n\r\n'.repeat(5), { maxHttpRequestsPerStream: 3 });
    expect(reqs).toHaveLength(3);
    expect(log.kept.map((a) => a.detail)).toEqual(['maxHttpRequestsPerStream']);
  });

  it('stops at non-HTTP bytes after a request, without waiting for a whole head of them', () => {
    const { reqs, log, parser } = requests(new Uint8Array([...enc('GET / HTTP/1.1\r\n\r\n'), 0x16, 0x03, 0x01, 0x00, 0x05]));
    expect(reqs).toHaveLength(1);
    expect(parser.failed).toBe(true);
    expect(log.kept.map((a) => [a.code, a.offset])).toEqual([['http_request_malformed', 18]]);
  });

  it('refuses a request line without an HTTP version', () => {
    const { reqs, log } = requests('GET /index.html\r\nHost: h\r\n\r\n');
    expect(reqs).toHaveLength(0);
    expect(log.kept.map((a) => a.code)).toEqual(['http_request_malformed']);
  });

  it('uses chunked framing when Transfer-Encoding and Content-Length are both present, and says so', () => {
    const { reqs, log } = requests('POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n');
    expect(dec(reqs[0]!.body)).toBe('ab');
    expect(log.kept.map((a) => a.code)).toEqual(['http_te_and_cl']);
  });

  it.each([
    ['Content-Length: abc', 'http_content_length_invalid'],
    ['Content-Length: 3\r\nContent-Length: 4', 'http_content_length_invalid'],
    ['Transfer-Encoding: gzip', 'http_transfer_encoding_unsupported'],
  ])('%j → %s, the head is still reported', (h, code) => {
    const { reqs, log, parser } = requests(`POST /p HTTP/1.1\r\n${h}\r\n\r\nabcd`);
    expect(reqs.map((r) => [r.uri, r.incomplete])).toEqual([['/p', true]]);
    expect(log.kept.map((a) => a.code)).toEqual([code]);
    expect(parser.failed).toBe(true);
  });

  it('accepts "12, 12" (duplicates joined by a proxy)', () => {
    const { reqs, log } = requests('POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nok');
    expect(dec(reqs[0]!.body)).toBe('ok');
    expect(log.total).toBe(0);
  });

  it('skips a header line without a colon with an anomaly and goes on', () => {
    const { reqs, log } = requests('GET / HTTP/1.1\r\nbroken line\r\nHost: h\r\n\r\n');
    expect(reqs[0]!.host).toBe('h');
    expect(log.kept.map((a) => a.code)).toEqual(['http_header_malformed']);
  });

  it('stops quietly after CONNECT and after an Upgrade (the rest is another protocol)', () => {
    const c = requests(new Uint8Array([...enc('CONNECT a.com:443 HTTP/1.1\r\nHost: a.com:443\r\n\r\n'), 0x16, 0x03, 0x01]));
    expect(c.reqs.map((r) => [r.method, r.uri])).toEqual([['CONNECT', 'a.com:443']]);
    expect(c.log.total).toBe(0);
    expect(c.parser.failed).toBe(false);
    expect(c.parser.stopped).toBe(true);
    const u = requests(new Uint8Array([...enc('GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'), 0x81, 0x85, 1, 2]));
    expect(u.reqs).toHaveLength(1);
    expect(u.log.total).toBe(0);
  });

  it('still works on a good stream after a malformed one (no shared state)', () => {
    requests('\x00\x01garbage');
    const { reqs, log } = requests('GET /ok HTTP/1.1\r\n\r\n');
    expect(reqs.map((r) => r.uri)).toEqual(['/ok']);
    expect(log.total).toBe(0);
  });
});

describe('HttpResponseParser', () => {
  it('skips Content-Length and chunked bodies, counting their bytes', () => {
    const { res, log } = responses(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      ['GET', 'GET'],
    );
    expect(log.total).toBe(0);
    expect(res.map((r) => [r.status, r.reason, r.bodyWireBytes])).toEqual([
      [200, 'OK', 5],
      [404, 'Not Found', 3],
    ]);
  });

  it('knows HEAD, 204 and 304 responses have no body, whatever Content-Length says', () => {
    const { res, log } = responses(
      'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
      ['HEAD', 'GET', 'GET', 'GET'],
    );
    expect(log.total).toBe(0);
    expect(res.map((r) => [r.status, r.bodyWireBytes])).toEqual([
      [200, 0],
      [204, 0],
      [304, 0],
      [200, 2],
    ]);
  });

  it('does not emit 100 Continue: the real response answers the request', () => {
    const { res } = responses('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n', ['POST']);
    expect(res.map((r) => r.status)).toEqual([201]);
  });

  it('reads a body until close and a status line without a reason', () => {
    const { res } = responses('HTTP/1.0 200\r\nServer: x\r\n\r\nall of this until the end', ['GET']);
    expect(res.map((r) => [r.version, r.status, r.reason, r.bodyWireBytes])).toEqual([['HTTP/1.0', 200, '', 25]]);
  });

  it('stops after 101 Switching Protocols', () => {
    const { res, log } = responses('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello', ['GET']);
    expect(res.map((r) => r.status)).toEqual([101]);
    expect(log.total).toBe(0);
  });

  it('reports a stream that is not HTTP', () => {
    const { res, log } = responses('SSH-2.0-OpenSSH_9.6\r\n', ['GET']);
    expect(res).toHaveLength(0);
    expect(log.kept.map((a) => a.code)).toEqual(['http_response_malformed']);
  });
});

describe('capture gaps (bytes the capture lost, reported by reassembly)', () => {
  /** feeds `pieces`: a string is bytes, a number is that many lost bytes */
  function withGaps(pieces: (string | number)[]): { reqs: HttpRequest[]; log: AnomalyLog } {
    const log = new AnomalyLog();
    const reqs: HttpRequest[] = [];
    const parser = new HttpRequestParser(DEFAULT_LIMITS, log, (r) => reqs.push(r));
    for (const p of pieces) typeof p === 'number' ? parser.gap(p) : parser.push(enc(p));
    parser.end();
    return { reqs, log };
  }
  const post = (body: string) => `POST /one HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n`;
  const body = 'a='.padEnd(30, 'x');

  it('a hole inside a Content-Length body: the parser stays in step, the next request is read', () => {
    const { reqs, log } = withGaps([post(body) + body.slice(0, 10), 12, body.slice(22), 'GET /two?q=secret HTTP/1.1\r\nHost: h\r\n\r\n']);
    expect(reqs.map((r) => [r.uri, r.incomplete, dec(r.body), r.bodyWireBytes])).toEqual([
      ['/one', true, body.slice(0, 10) + body.slice(22), 30],
      ['/two?q=secret', false, '', 0],
    ]);
    expect(log.total).toBe(0);
  });

  it('a hole at the very end of a body completes the message there', () => {
    const { reqs } = withGaps([post(body) + body.slice(0, 20), 10, 'GET /two HTTP/1.1\r\n\r\n']);
    expect(reqs.map((r) => [r.uri, r.incomplete])).toEqual([
      ['/one', true],
      ['/two', false],
    ]);
  });

  it('a hole past the end of a body (it swallowed the next request line): the body ends incomplete and parsing resumes at the next start line', () => {
    const { reqs } = withGaps([post(body) + body.slice(0, 20), 40, 'ost: h\r\nX-Lost: 1\r\n\r\nGET /three HTTP/1.1\r\nHost: h\r\n\r\n']);
    expect(reqs.map((r) => [r.uri, r.incomplete])).toEqual([
      ['/one', true],
      ['/three', false],
    ]);
  });

  it('a hole at a message boundary took the start of the next message: its remainder is skipped, not misread', () => {
    const { reqs, log } = withGaps(['GET /one HTTP/1.1\r\n\r\n', 9, 'wo HTTP/1.1\r\nHost: h\r\n\r\nGET /three HTTP/1.1\r\n\r\n']);
    expect(reqs.map((r) => r.uri)).toEqual(['/one', '/three']);
    expect(log.total).toBe(0); // no request_malformed: the bytes after a hole are not a start line
  });

  it('a hole inside a head reads on across it and reports the message incomplete (its start line is known)', () => {
    const { reqs } = withGaps(['GET /one HTTP/1.1\r\nHo', 5, '\r\nAccept: */*\r\n\r\n', 'GET /two HTTP/1.1\r\n\r\n']);
    expect(reqs.map((r) => [r.uri, r.incomplete])).toEqual([
      ['/one', true],
      ['/two', false],
    ]);
  });

  it('a hole in chunked data keeps the chunk framing', () => {
    const { reqs } = withGaps(['POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabcd', 8, 'mnop\r\n0\r\n\r\n', 'GET /next HTTP/1.1\r\n\r\n']);
    expect(reqs.map((r) => [r.uri, r.incomplete, dec(r.body)])).toEqual([
      ['/c', true, 'abcdmnop'],
      ['/next', false, ''],
    ]);
  });

  it('a start line split over two pushes after a hole is still found', () => {
    const { reqs } = withGaps(['GET /one HTTP/1.1\r\n\r\n', 3, 'junk\r\nGET /tw', 'o HTTP/1.1\r\n\r\n']);
    expect(reqs.map((r) => r.uri)).toEqual(['/one', '/two']);
  });
});

describe('what a gap did, for pairing responses with requests', () => {
  const fresh = () => new HttpRequestParser(DEFAULT_LIMITS, new AnomalyLog(), () => {});

  it('gap() is true when the hole lies inside a body of known length, false when a message start may have been lost', () => {
    const inBody = fresh();
    inBody.push(enc('POST /a HTTP/1.1\r\nContent-Length: 30\r\n\r\n0123456789'));
    expect(inBody.gap(10)).toBe(true);
    const pastBody = fresh();
    pastBody.push(enc('POST /a HTTP/1.1\r\nContent-Length: 30\r\n\r\n0123456789'));
    expect(pastBody.gap(40)).toBe(false);
    const atBoundary = fresh();
    atBoundary.push(enc('GET /a HTTP/1.1\r\n\r\n'));
    expect(atBoundary.gap(40)).toBe(false);
    expect(atBoundary.inMessage).toBe(false);
    const inHead = fresh();
    inHead.push(enc('GET /a HTTP/1.1\r\nHo'));
    expect(inHead.gap(5)).toBe(false); // the hole may have held more than the rest of this head
    expect(inHead.inMessage).toBe(true); // and the request it cut is still to be reported
    const untilClose = responseParser(DEFAULT_LIMITS, new AnomalyLog(), () => {}, ['GET']);
    untilClose.push(enc('HTTP/1.0 200 OK\r\n\r\nsome'));
    expect(untilClose.gap(100)).toBe(true);
  });

  it('a response is reported incomplete when a hole fell in its body, also in a body read until the connection closes', () => {
    const seen: [number, boolean][] = [];
    const p = responseParser(DEFAULT_LIMITS, new AnomalyLog(), (r) => seen.push([r.bodyWireBytes, r.incomplete]), ['GET', 'GET', 'GET']);
    p.push(enc('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123'));
    p.gap(2);
    p.push(enc('6789HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    p.push(enc('HTTP/1.0 200 OK\r\n\r\nsome'));
    p.gap(100);
    p.push(enc('more'));
    p.end();
    expect(seen).toEqual([
      [10, true],
      [2, false],
      [108, true],
    ]);
  });

  it('offset counts every byte of the direction: parsed, held in an unfinished head, or lost', () => {
    const p = fresh();
    p.push(enc('GET /a HTTP/1.1\r\n\r\nGET /b HT'));
    expect(p.offset).toBe(28);
    p.gap(7);
    expect(p.offset).toBe(35);
    p.push(enc('junk\r\n'));
    expect(p.offset).toBe(41);
  });
});

describe('HttpResponseParser responseStarts: where each response starts, and which request it answers', () => {
  function run(pieces: (string | number)[], answer: (at: number, interim: boolean) => string | null) {
    const starts: [number, boolean][] = [];
    const res: HttpResponse[] = [];
    const log = new AnomalyLog();
    const p = responseParser(
      DEFAULT_LIMITS,
      log,
      (r) => res.push(r),
      [],
      (at, interim) => {
        starts.push([at, interim]);
        return answer(at, interim);
      },
    );
    for (const x of pieces) typeof x === 'number' ? p.gap(x) : p.push(enc(x));
    p.end();
    return { starts, res, log };
  }

  it('is called once per response, interim ones included, with the offset of its status line, however the bytes are split', () => {
    const s = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\r\nHTTP/1.1 204 No Content\r\n\r\n';
    const want = [
      [0, true],
      [25, false],
      [67, false],
    ];
    expect(run([s], () => 'GET').starts).toEqual(want);
    for (const cut of [1, 24, 26, 40, 63, 65, 66, 68]) expect(run([s.slice(0, cut), s.slice(cut)], () => 'GET').starts).toEqual(want);
  });

  it('frames the body by the method it returns: HEAD has none, unknown (null) is read as GET', () => {
    const s = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
    const { res, log } = run([s], (at) => (at === 0 ? 'HEAD' : null));
    expect(res.map((r) => r.bodyWireBytes)).toEqual([0, 5]);
    expect(log.total).toBe(0);
  });

  it('offsets stay true after a gap that dropped bytes held back (an unfinished chunk-size line)', () => {
    const first = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1'; // the "1" is held: its line is not finished
    const { starts, res } = run([first, 10, 'xx\r\nHTTP/1.1 404 Gone\r\n\r\n'], () => 'GET');
    expect(starts).toEqual([
      [0, false],
      [first.length + 10 + 4, false],
    ]);
    expect(res.map((r) => r.status)).toEqual([200, 404]);
  });
});
