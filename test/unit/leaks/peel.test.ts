import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits } from '../../../src/limits.js';
import { peel } from '../../../src/inspect/peel.js';
import { base64Candidate, decodeFormComponent, parseForm } from '../../../src/inspect/codec.js';

const limits = resolveLimits();
const json = '{"event":"search","query":"porno","android_id":"3f8a1c2b9d4e5f60"}';
const b64 = Buffer.from(json).toString('base64');
const b64url = Buffer.from(json).toString('base64url'); // no padding, - and _

const chains = (layers: ReturnType<typeof peel>) => layers.map((l) => `${l.kind} ${l.chain}`);

describe('peel', () => {
  it('query string → form → base64url without padding → JSON (http_mixed A2 shape)', () => {
    const layers = peel(`v=2&data=${b64url}`, limits, undefined, { chain: 'uri query' });
    expect(chains(layers)).toEqual(['form uri query', 'json uri query:data → base64 → json']);
    expect(layers[1].json).toEqual(JSON.parse(json));
  });

  it('body form:data_list → base64 → gzip → json (Sensors Android shape)', () => {
    const body = `crc=1&gzip=1&data_list=${encodeURIComponent(gzipSync(`[${json}]`).toString('base64'))}`;
    const layers = peel(new Uint8Array(Buffer.from(body)), limits, undefined, { chain: 'body' });
    expect(chains(layers)).toEqual(['form body', 'json body form:data_list → base64 → gzip → json']);
  });

  it('zlib, raw deflate by Content-Encoding, and gzip by magic', () => {
    expect(chains(peel(new Uint8Array(deflateSync(json)), limits, undefined, { chain: 'body' }))).toEqual(['json body → zlib → json']);
    expect(chains(peel(new Uint8Array(deflateRawSync(json)), limits, undefined, { chain: 'body', contentEncoding: 'deflate' }))).toEqual([
      'json body → deflate → json',
    ]);
    expect(chains(peel(new Uint8Array(gzipSync(json)), limits, undefined, { chain: 'body', contentEncoding: 'gzip' }))).toEqual(['json body → gzip → json']);
  });

  it('JSON inside a JSON string, and base64 inside JSON', () => {
    const outer = JSON.stringify({ payload: json, blob: b64 });
    expect(chains(peel(outer, limits, undefined, { chain: 'body' }))).toEqual([
      'json body → json',
      'json body → json $.payload → json',
      'json body → json $.blob → base64 → json',
    ]);
  });

  it('multipart parts are peeled by name', () => {
    const body = `--XyZ\r\nContent-Disposition: form-data; name="data"\r\n\r\n${json}\r\n--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.gz"\r\n\r\n`;
    const bytes = Buffer.concat([Buffer.from(body, 'latin1'), gzipSync(json), Buffer.from('\r\n--XyZ--\r\n')]);
    expect(chains(peel(new Uint8Array(bytes), limits, undefined, { chain: 'body', contentType: 'multipart/form-data; boundary=XyZ' }))).toEqual([
      'json body multipart:data → json',
      'json body multipart:f → gzip → json',
    ]);
  });

  it('a gzip bomb stops at maxDecompressedBytes with limit_reached', () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x41)); // 4 MiB of "A" in ~4 KiB
    const log = new AnomalyLog();
    const layers = peel(new Uint8Array(bomb), resolveLimits({ maxDecompressedBytes: 64 * 1024 }), log, { chain: 'body' });
    expect(layers).toEqual([{ chain: 'body', kind: 'binary', bytes: bomb.length }]);
    expect(log.kept).toEqual([{ code: 'limit_reached', packet: 0, offset: 0, detail: 'maxDecompressedBytes' }]);
  });

  it('nesting deeper than maxPeelDepth stops with limit_reached', () => {
    let s = json;
    for (let i = 0; i < 12; i++) s = Buffer.from(s).toString('base64');
    const log = new AnomalyLog();
    const layers = peel(s, resolveLimits({ maxPeelDepth: 4 }), log);
    // the text reached at the cap is kept as is
    expect(chains(layers)).toEqual(['text payload → base64 → base64 → base64 → base64']);
    expect(log.countsObject()).toEqual({ limit_reached: 1 });
    expect(log.kept[0].detail).toBe('maxPeelDepth');
    // within the default depth the same nesting is peeled to the JSON
    let t = json;
    for (let i = 0; i < 5; i++) t = Buffer.from(t).toString('base64');
    expect(peel(t, limits).at(-1)?.chain).toBe('payload → base64 → base64 → base64 → base64 → base64 → json');
  });

  it('a truncated gzip body yields what it holds; a corrupt one is an anomaly', () => {
    const gz = gzipSync(json);
    const cut = peel(new Uint8Array(gz.subarray(0, gz.length - 8)), limits, undefined, { chain: 'body' });
    expect(cut.map((l) => l.kind)).toEqual(['json']);
    const bad = new Uint8Array(gz);
    bad.fill(0xff, 10, 20);
    const log = new AnomalyLog();
    expect(peel(bad, limits, log, { chain: 'body' })[0].kind).toBe('binary');
    expect(log.countsObject()).toEqual({ leak_decompress_failed: 1 });
  });

  it('does not decode ordinary words, hex ids or numbers as base64', () => {
    for (const s of ['3f8a1c2b9d4e5f60', '406a0854778104a790f54b7ae474fb92', '1795500001000', 'RedmiNote8Pro', 'hello']) {
      expect(peel(s, limits)).toEqual([{ chain: 'payload', kind: 'text', text: s }]);
    }
  });

  it('malformed JSON at the root is an anomaly and stays text', () => {
    const log = new AnomalyLog();
    expect(peel('{"a":', limits, log, { chain: 'body' })).toEqual([{ chain: 'body', kind: 'text', text: '{"a":' }]);
    expect(log.countsObject()).toEqual({ leak_json_malformed: 1 });
  });
});

describe('codec', () => {
  it('form components: + is a space, bad escapes survive', () => {
    expect(decodeFormComponent('porno+videos')).toBe('porno videos');
    expect(decodeFormComponent('%E5%B0%8F%E7%B1%B3')).toBe('小米');
    expect(decodeFormComponent('100%+sure%zz')).toBe('100% sure%zz');
  });
  it('parseForm rejects text that is not a form', () => {
    expect(parseForm('a=1&b=x%20y', 10)).toEqual([
      ['a', '1'],
      ['b', 'x y'],
    ]);
    expect(parseForm('https://x.example/?a=1', 10)).toBeNull();
    expect(parseForm('just words = no', 10)).toBeNull();
  });
  it('base64Candidate: both alphabets, padding rules, restores + from spaces', () => {
    expect(Buffer.from(base64Candidate(b64)!).toString()).toBe(json);
    expect(Buffer.from(base64Candidate(b64url)!).toString()).toBe(json);
    expect(Buffer.from(base64Candidate('P/8+/z8/Pz8/Pz8/'.replace(/\+/g, ' '))!)).toEqual(Buffer.from('P/8+/z8/Pz8/Pz8/', 'base64'));
    expect(base64Candidate('abc=defghijklmnop')).toBeNull();
    expect(base64Candidate('abcdefghijklm')).toBeNull(); // length % 4 == 1
  });
});
