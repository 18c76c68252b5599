import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/limits.js';
import { decodeSensorsRequest } from '../../../src/leaks/sensors.js';
import { javaStringHash } from '../../../src/inspect/codec.js';
import { parseRawRequest, request, sharedJson, sharedText } from './helpers.js';

const limits = resolveLimits();

/** The `payload` objects of research/sensorsdata-wire/js_sdk_decoded.txt, in file order. */
function decodedPayloads(): unknown[] {
  const text = sharedText('research/sensorsdata-wire/js_sdk_decoded.txt');
  return text
    .split(/^={20,}$/m)
    .map((block) => block.slice(block.indexOf('\n{')))
    .filter((b) => b.trim().startsWith('{'))
    .map((b) => (JSON.parse(b) as { payload: unknown }).payload);
}

describe('decodeSensorsRequest on real SDK requests (research/sensorsdata-wire)', () => {
  it('decodes the 10 JS SDK captures (image GET, ajax POST, batch POST) to exactly the recorded events', () => {
    const lines = sharedText('research/sensorsdata-wire/js_sdk_image_ajax_batch_captures.jsonl').trim().split('\n');
    const expected = decodedPayloads();
    expect(lines).toHaveLength(10);
    expect(expected).toHaveLength(10);
    lines.forEach((line, i) => {
      const cap = JSON.parse(line) as { method: string; url: string; body: string };
      const log = new AnomalyLog();
      const batches = decodeSensorsRequest(request({ method: cap.method, uri: cap.url, body: cap.body ?? '' }), limits, log);
      expect(batches).toHaveLength(1);
      const want = expected[i];
      expect(batches[0].events).toEqual(Array.isArray(want) ? want : [want]);
      expect(log.total).toBe(0); // every crc matches
      expect(batches[0].chain).toBe(
        cap.method === 'GET'
          ? 'uri query:data → base64 → json'
          : cap.body.startsWith('data_list=')
            ? 'body form:data_list → base64 → json'
            : 'body form:data → base64 → json',
      );
    });
  });

  it('decodes the Node SDK POST (byte-exact capture): data_list=base64(gzip(JSON array))&gzip=1', () => {
    const req = parseRawRequest(sharedText('research/sensorsdata-wire/node_sdk_post_raw.http'));
    const [batch] = decodeSensorsRequest(req, limits);
    expect(batch.chain).toBe('body form:data_list → base64 → gzip → json');
    expect(batch.events).toHaveLength(1);
    const ev = batch.events[0] as Record<string, any>;
    expect(ev.event).toBe('page_load_event_start');
    expect(ev.distinct_id).toBe('user-42');
    expect(ev.properties.url).toBe('https://duckduckgo.com/?q=private+search');
    expect(ev.properties.$model).toBe('Redmi Note 8');
  });

  it('decodes the reconstructed Android request and verifies its crc', () => {
    const req = parseRawRequest(sharedText('research/sensorsdata-wire/android_sdk_post_RECONSTRUCTED.http'));
    const log = new AnomalyLog();
    const [batch] = decodeSensorsRequest(req, limits, log);
    expect(batch.chain).toBe('body form:data_list → base64 → gzip → json');
    expect(log.total).toBe(0);
    expect((batch.events[0] as Record<string, any>).lib.$lib).toBe('Android');
  });

  it('reports a crc that does not match the data field', () => {
    const log = new AnomalyLog();
    const data = Buffer.from('{"event":"x","distinct_id":"abc"}').toString('base64');
    decodeSensorsRequest(request({ uri: `/sa.gif?project=p&data=${encodeURIComponent(data)}&ext=crc%3D12345` }), limits, log);
    expect(log.countsObject()).toEqual({ leak_sensors_crc_mismatch: 1 });
    expect(javaStringHash('abc')).toBe(96354); // Java "abc".hashCode()
  });

  it('returns nothing for requests without Sensors fields', () => {
    expect(decodeSensorsRequest(request({ uri: '/search?q=porno&data=short' }), DEFAULT_LIMITS)).toEqual([]);
  });
});

describe('decodeSensorsRequest on the sensors_*.truth.json requests', () => {
  const truth = sharedJson('captures/sensors_js.truth.json');
  const requests = (truth.flows as any[]).flatMap((f) => f.requests ?? []).filter((r: any) => r.sensors_payload);

  it('decodes every GET whose raw URI the truth records to the exact decoded_json', () => {
    const gets = requests.filter((r: any) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    for (const r of gets) {
      const batches = decodeSensorsRequest(request({ uri: r.uri, host: r.host_header }), limits);
      expect(batches.map((b) => b.events)).toEqual(r.sensors_payload.map((p: any) => (Array.isArray(p.decoded_json) ? p.decoded_json : [p.decoded_json])));
    }
  });

  it('decodes POST bodies rebuilt from decoded_json, and the rebuilt bodies are the wire bytes (body_sha256)', () => {
    // The truth keeps only body_len/body_sha256 for POSTs. The JS SDK sends
    // data=urlenc(base64(JSON))&ext=urlenc("crc=<hash>") (or data_list=urlenc(base64(JSON array)));
    // rebuilding that from decoded_json and matching the recorded sha256 proves the rebuild exact.
    const posts = requests.filter((r: any) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    let exact = 0;
    for (const r of posts) {
      const p = r.sensors_payload[0];
      const b64 = Buffer.from(JSON.stringify(p.decoded_json), 'utf8').toString('base64');
      const body =
        p.carried_in === 'body field data_list'
          ? `data_list=${encodeURIComponent(b64)}`
          : `data=${encodeURIComponent(b64)}&ext=${encodeURIComponent(`crc=${javaStringHash(b64)}`)}`;
      if (createHash('sha256').update(body).digest('hex') === r.body_sha256) exact++;
      const batches = decodeSensorsRequest(request({ method: 'POST', uri: r.uri, body, contentType: r.content_type }), limits);
      expect(batches.map((b) => b.events)).toEqual([Array.isArray(p.decoded_json) ? p.decoded_json : [p.decoded_json]]);
    }
    expect(exact).toBe(posts.length);
  });
});
