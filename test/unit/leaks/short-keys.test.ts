/**
 * Values under keys too short to name them (`d=9b2e4f7a1c6d3e85`): read only when the request
 * goes to a host a signature pack names as a tracking vendor's, only for the Android ID's exact
 * shape, and reported as probable with the reason.
 */
import { describe, expect, it } from 'vitest';
import { classifyShortKey } from '../../../src/leaks/kinds.js';
import { findLeaksInHttpRequest } from '../../../src/leaks/detect.js';
import { RequestInspector } from '../../../src/engine/findings.js';
import { HttpRequestParser, type HttpRequest } from '../../../src/proto/http1.js';
import { SignatureDb } from '../../../src/signatures/db.js';
import { resolveLimits } from '../../../src/limits.js';
import { request } from './helpers.js';

const limits = resolveLimits();
const ANDROID_ID = '9b2e4f7a1c6d3e85';

describe('classifyShortKey', () => {
  it('reads 16 lowercase hex digits under an unknown key of one or two characters as an Android ID', () => {
    expect(classifyShortKey('d', ANDROID_ID)).toEqual({ kind: 'android_id', value: ANDROID_ID });
    expect(classifyShortKey('k2', ANDROID_ID)).toEqual({ kind: 'android_id', value: ANDROID_ID });
  });

  it('leaves other shapes and known or longer keys alone', () => {
    for (const [key, value] of [
      ['d', '1234567890123456'], // a number, not hex
      ['d', 'deadbeefcafebabe'], // hex letters only: a word-like constant
      ['d', '9B2E4F7A1C6D3E85'], // Android IDs are lowercase
      ['d', `${ANDROID_ID}00`], // 18 digits
      ['d', 'e3b0c44298fc1c149afbf4c8996fb924'], // 32 hex: a hash, not an Android ID
      ['abc', ANDROID_ID], // three letters are a name the tables either know or do not
      ['trace', ANDROID_ID],
      ['m', ANDROID_ID], // `m` is a model key: its meaning is kept
      ['u', ANDROID_ID],
      ['$d', ANDROID_ID], // normalised: Sensors' `$` prefix dropped, still `d`
    ] as const) {
      const got = classifyShortKey(key, value);
      if (key === '$d') expect(got, `${key}=${value}`).toEqual({ kind: 'android_id', value });
      else expect(got, `${key}=${value}`).toBeNull();
    }
  });
});

describe('findLeaksInHttpRequest: short keys', () => {
  const req = () =>
    request({ host: 'collector.example', uri: `/x?d=${ANDROID_ID}&n=3`, body: `v=1&k=${ANDROID_ID}`, contentType: 'application/x-www-form-urlencoded' });

  it('without a vendor for the host, a short key says nothing', () => {
    expect(findLeaksInHttpRequest(req(), { limits })).toEqual([]);
    expect(findLeaksInHttpRequest(req(), { limits, vendorOf: () => null })).toEqual([]);
  });

  it("at a vendor's host, each place it is found is a probable Android ID that says why", () => {
    let asked = 0;
    const leaks = findLeaksInHttpRequest(req(), {
      limits,
      vendorOf: () => {
        asked++;
        return 'Xiaomi';
      },
    });
    expect(leaks.map((l) => [l.kind, l.value, l.chain, l.key])).toEqual([
      ['android_id', ANDROID_ID, 'uri query:d', 'd'],
      ['android_id', ANDROID_ID, 'body form:k', 'k'],
    ]);
    for (const l of leaks)
      expect(l.probable).toMatch(/^16 lowercase hex digits, an Android ID's shape, under the short key "[dk]" of a request to a Xiaomi host/);
    expect(asked).toBe(1); // the vendor is looked up once per request, and only when needed
  });

  it('a value found by its key stays certain', () => {
    const leaks = findLeaksInHttpRequest(request({ host: 'collector.example', uri: `/x?android_id=${ANDROID_ID}` }), { limits, vendorOf: () => 'Xiaomi' });
    expect(leaks).toEqual([{ kind: 'android_id', value: ANDROID_ID, chain: 'uri query:android_id', key: 'android_id' }]);
  });
});

/** The request as the HTTP/1.1 parser reads it off the wire. */
function parsed(raw: string): HttpRequest {
  const out: HttpRequest[] = [];
  const anomalies: string[] = [];
  const p = new HttpRequestParser(limits, { anomaly: (code) => anomalies.push(code) }, (r) => out.push(r));
  p.push(Buffer.from(raw, 'latin1'));
  p.end();
  expect(anomalies).toEqual([]);
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('RequestInspector: the bundled packs decide which hosts are vendors', () => {
  const inspector = new RequestInspector({ signatures: SignatureDb.bundled(), limits });
  const get = (host: string, target: string) => parsed(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: curl/7.88.1\r\n\r\n`);

  it('a Xiaomi host (by the *.miui.com label): probable Android ID', () => {
    const { leaks } = inspector.inspect(get('abtest.browser.intl.miui.com:19448', `/api/v1/experiments?d=${ANDROID_ID}`));
    expect(leaks).toEqual([
      {
        kind: 'android_id',
        value: ANDROID_ID,
        chain: 'uri query:d',
        key: 'd',
        probable: expect.stringContaining('of a request to a Xiaomi host'),
      },
    ]);
  });

  it('a host no pack names (benign sites, CDNs): nothing, whatever the shape', () => {
    for (const host of ['en.wikipedia.org', 'www.example.com', 'duckduckgo.com', 'cdn.jsdelivr.net'])
      expect(inspector.inspect(get(host, `/w/index.php?d=${ANDROID_ID}&x=${ANDROID_ID}`)).leaks, host).toEqual([]);
  });

  it("a first-party site that only carries a Sensors SDK's cookie is not the vendor's host", () => {
    const req = parsed(`GET /page?d=${ANDROID_ID} HTTP/1.1\r\nHost: www.news-a.example\r\nCookie: sensorsdata2015jssdkcross=%7B%7D\r\n\r\n`);
    const { hits, leaks } = inspector.inspect(req);
    expect(hits.map((h) => [h.signature.id, h.endpoint])).toEqual([['sensorsdata/shape.js-cookie', false]]);
    expect(leaks.filter((l) => l.kind === 'android_id')).toEqual([]);
  });
});
