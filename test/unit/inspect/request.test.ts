import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { InspectedRequest, queryOf } from '../../../src/inspect/request.js';
import { HttpRequestParser, type HttpRequest } from '../../../src/proto/http1.js';
import { AnomalyLog } from '../../../src/anomaly.js';
import { gzipSync } from 'node:zlib';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** One request through the real HTTP parser. */
function parsed(head: string, body: Uint8Array = new Uint8Array(0)): HttpRequest {
  const out: HttpRequest[] = [];
  const p = new HttpRequestParser(DEFAULT_LIMITS, new AnomalyLog(), (r) => out.push(r));
  const h = enc(head.replace('{len}', String(body.length)));
  const all = new Uint8Array(h.length + body.length);
  all.set(h);
  all.set(body, h.length);
  p.push(all);
  p.end();
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('InspectedRequest', () => {
  it('peels its layers once and keeps them on itself: a second reader gets the same layers', () => {
    const req = InspectedRequest.fromHttp(parsed('GET /t?data=eyJhIjoxfQ%3D%3D HTTP/1.1\r\nHost: x.example\r\n\r\n'));
    const first = req.layers(DEFAULT_LIMITS);
    expect(req.layers(DEFAULT_LIMITS)).toBe(first);
    expect(first.query.map((l) => l.kind)).toContain('json');
    // another request with the same facts has layers of its own (no cache shared between requests)
    const twin = InspectedRequest.fromHttp(parsed('GET /t?data=eyJhIjoxfQ%3D%3D HTTP/1.1\r\nHost: x.example\r\n\r\n'));
    expect(twin.layers(DEFAULT_LIMITS)).not.toBe(first);
    expect(twin.layers(DEFAULT_LIMITS)).toEqual(first);
  });

  it('counts a body whose Content-Encoding the HTTP parser undid as decoded, and names the encoding in its chain', () => {
    const body = gzipSync(Buffer.from('{"imei":"867530900000001"}'));
    const req = InspectedRequest.fromHttp(
      parsed(
        'POST /u HTTP/1.1\r\nHost: x.example\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {len}\r\n\r\n',
        new Uint8Array(body),
      ),
    );
    expect(req.bodyDecoded).toBe(true);
    const layers = req.layers(DEFAULT_LIMITS).body;
    expect(layers.find((l) => l.kind === 'json')?.chain).toBe('body → gzip → json');
  });

  it('reads the query string without its fragment', () => {
    expect(queryOf('/a?b=1#c')).toBe('b=1');
    expect(queryOf('/a?')).toBe('');
    expect(queryOf('/a')).toBe('');
  });
});
