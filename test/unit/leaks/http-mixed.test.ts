/**
 * http_mixed.pcap's requests (shared/captures/http_mixed.truth.json) rebuilt as HttpRequestLike:
 * every leak value the truth lists must be found. Form bodies are the real wire bytes
 * (http-mixed-bodies.ts); gzip and JSON bodies are rebuilt from `payload_decoded` the way the
 * truth's `encoding` note says, and each rebuilt body's sha256 is checked against `body_sha256`.
 * The 90 kB history upload (G) has no payload in the truth: left to the pipeline test.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../../src/limits.js';
import { findLeaksInHttpRequest, parseIdentifierSpec, type LeakFinding, type LeakKind } from '../../../src/leaks/detect.js';
import { HTTP_MIXED_FORM_BODIES } from './http-mixed-bodies.js';
import { request, sharedJson } from './helpers.js';

const limits = resolveLimits();
const truth = sharedJson('captures/http_mixed.truth.json');
const all: any[] = (truth.flows as any[]).flatMap((f) => f.requests ?? []);

/** Truth leak keys → the kinds leakscope may report them as. */
const KINDS: Record<string, LeakKind[]> = {
  url_visited: ['url'],
  search_query: ['search_query'],
  page_title: ['page_title'],
  incognito: ['incognito'],
  imei: ['imei'],
  imei_md5: ['imei'],
  android_id: ['android_id'],
  oaid: ['advertising_id', 'device_id'],
  gaid: ['advertising_id'],
  model: ['device_model'],
  os_version: ['os_version'],
  miui_version: ['os_version'],
  distinct_id: ['account_id'],
  device_id: ['device_id'],
  manufacturer: ['manufacturer'],
};

function sha256(b: string | Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function rebuild(r: any): { body: Uint8Array; exact: boolean } | null {
  if (!r.body_len) return { body: new Uint8Array(0), exact: true };
  const form = HTTP_MIXED_FORM_BODIES[r.uri];
  let body: Uint8Array;
  if (form !== undefined) body = new Uint8Array(Buffer.from(form, 'utf8'));
  else if (r.payload_decoded === undefined) return null;
  else if (r.content_encoding === 'gzip') body = new Uint8Array(gzipSync(JSON.stringify(r.payload_decoded)));
  else body = new Uint8Array(Buffer.from(JSON.stringify(r.payload_decoded), 'utf8'));
  return { body, exact: sha256(body) === r.body_sha256 };
}

function toRequest(r: any, body: Uint8Array) {
  const headers = [{ name: 'Host', value: r.host_header }];
  if (r.user_agent) headers.push({ name: 'User-Agent', value: r.user_agent });
  if (r.content_type) headers.push({ name: 'Content-Type', value: r.content_type });
  if (r.content_encoding) headers.push({ name: 'Content-Encoding', value: r.content_encoding });
  return request({ method: r.method, host: r.host_header, uri: r.uri, headers, body, contentType: r.content_type });
}

function expectedLeaks(r: any): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, v] of Object.entries(r.leaks ?? {})) {
    if (!(key in KINDS)) continue;
    for (const value of Array.isArray(v) ? v : [v]) out.push([key, String(value)]);
  }
  return out;
}

function has(findings: LeakFinding[], key: string, value: string): boolean {
  return findings.some((f) => KINDS[key].includes(f.kind) && f.value === value);
}

describe('http_mixed.pcap requests', () => {
  const rebuilt = all.map((r) => ({ r, built: rebuild(r) })).filter((x) => x.built !== null);

  it('rebuilds every body byte-exactly except the history upload', () => {
    expect(all.length).toBe(18);
    expect(rebuilt.length).toBe(17);
    for (const { r, built } of rebuilt) expect({ uri: r.uri, exact: built!.exact }).toEqual({ uri: r.uri, exact: true });
  });

  it.each(rebuilt.filter(({ r }) => expectedLeaks(r).length > 0).map(({ r, built }) => [r.uri as string, r, built!.body] as const))(
    'finds every listed leak in %s',
    (_uri, r, body) => {
      const findings = findLeaksInHttpRequest(toRequest(r, body), { limits });
      const missing = expectedLeaks(r).filter(([k, v]) => !has(findings, k, v));
      expect(missing).toEqual([]);
    },
  );

  it('reports no leaks for the benign requests (example.com, wikipedia, first-party duckduckgo search)', () => {
    const benign = rebuilt.filter(({ r }) => r.detection === 'none');
    expect(benign.length).toBe(7);
    for (const { r, built } of benign)
      expect({ uri: r.uri, leaks: findLeaksInHttpRequest(toRequest(r, built!.body), { limits }) }).toEqual({ uri: r.uri, leaks: [] });
  });

  it('keeps the decode chain of each finding', () => {
    const d = rebuilt.find(({ r }) => r.uri === '/sa?project=global_browser')!;
    const f = findLeaksInHttpRequest(toRequest(d.r, d.built!.body), { limits });
    expect(f).toContainEqual({
      kind: 'url',
      value: 'https://duckduckgo.com/?q=porno',
      chain: 'body form:data_list → base64 → gzip → json $[0].properties.$url',
      key: '$url',
    });
    expect(f).toContainEqual({ kind: 'search_query', value: 'porno', chain: 'body form:data_list → base64 → gzip → json $[0].properties.$url', key: '$url' });
    const a2 = rebuilt.find(({ r }) => r.uri.startsWith('/track/v4/ping'))!;
    const g = findLeaksInHttpRequest(toRequest(a2.r, a2.built!.body), { limits });
    expect(g).toContainEqual({ kind: 'android_id', value: '3f8a1c2b9d4e5f60', chain: 'uri query:data → base64 → json $.android_id', key: 'android_id' });
    const a3 = rebuilt.find(({ r }) => r.uri === '/track/v4/batch?gz=1')!;
    const h = findLeaksInHttpRequest(toRequest(a3.r, a3.built!.body), { limits });
    expect(h).toContainEqual({ kind: 'page_title', value: 'HIV test results', chain: 'body → gzip → json $.events[2].title', key: 'title' });
  });

  it('finds the analyst IMEI as md5 in imei_md5 (and as itself elsewhere), each finding once, as it was found', () => {
    const c = rebuilt.find(({ r }) => r.uri.startsWith('/v2/ad/get'))!;
    const identifiers = [parseIdentifierSpec('imei=864811045123671')];
    const f = findLeaksInHttpRequest(toRequest(c.r, c.built!.body), { limits, identifiers });
    // the hash the request carried, labelled md5 (not the analyst's plain value beside a second copy)
    expect(f.filter((x) => x.kind === 'imei')).toEqual([
      { kind: 'imei', value: '406a0854778104a790f54b7ae474fb92', chain: 'uri query:imei_md5', key: 'imei_md5', form: 'md5' },
    ]);
    const a1 = rebuilt.find(({ r }) => r.uri === '/track/v4')!;
    const g = findLeaksInHttpRequest(toRequest(a1.r, a1.built!.body), { limits, identifiers });
    expect(g.filter((x) => x.kind === 'imei')).toEqual([
      { kind: 'imei', value: '864811045123671', chain: 'body form:data → base64 → json $.imei', key: 'imei' },
    ]);
  });

  it('an identifier given in other letter cases is reported once per place, in the case it was sent', () => {
    const a1 = rebuilt.find(({ r }) => r.uri === '/track/v4')!;
    const upper = [parseIdentifierSpec('android_id=3F8A1C2B9D4E5F60')];
    const g = findLeaksInHttpRequest(toRequest(a1.r, a1.built!.body), { limits, identifiers: upper });
    const android = g.filter((x) => x.kind === 'android_id');
    expect(android.length).toBeGreaterThan(0);
    for (const x of android) expect(x.value).toBe('3f8a1c2b9d4e5f60');
    // one finding per place
    expect(new Set(android.map((x) => x.chain)).size).toBe(android.length);
    expect(android.some((x) => x.form === 'lower')).toBe(true);
  });
});
