/**
 * HTTP/2 inside decrypted TLS against the keyed client captures' ground truth
 * (../shared/keyed/clients): with the key log (or the keys embedded in the capture) every
 * HTTP/2 request of the truth file is an `http` event with http_version 2, its stream id and
 * TLS as carrier, and every leaked value the truth lists for it is in the report, with evidence
 * whose chain starts at the encryption and names the stream (`tls1.3 → h2 stream 3 → …`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import type { HostRecord } from '../../src/engine/hosts.js';
import type { HttpObservation, Observation } from '../../src/engine/observations.js';
import { scanCapture } from '../../src/engine/scan.js';
import { KeyStore } from '../../src/decrypt/key-sources.js';
import { resolveLimits } from '../../src/limits.js';
import { SHARED } from '../helpers/paths.js';
import { KIND_FOR_TRUTH_KEY, NOT_VALUES } from '../helpers/truth-kinds.js';

const CLIENTS = path.join(SHARED, 'keyed/clients');

interface KeyedFinding {
  indicator: string;
  method?: string;
  host?: string;
  uri?: string;
  stream_id?: number | null;
  client?: string;
  detection: 'required' | 'none' | 'optional';
  leaks?: Record<string, unknown> | null;
}

function truth(capture: string): { findings: KeyedFinding[] } {
  return JSON.parse(readFileSync(path.join(CLIENTS, capture.replace(/\.pcap(ng)?$/, '.truth.json')), 'utf8'));
}

function keyStore(capture: string): KeyStore | undefined {
  const file = path.join(CLIENTS, capture.replace(/\.pcap(ng)?$/, '.keys'));
  const limits = resolveLimits();
  const store = new KeyStore({ maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes });
  try {
    store.addFile(file);
  } catch {
    return undefined;
  } // the DSB capture has no key log
  return store;
}

const H2_CAPTURES = ['h2_node_curl_sdk.pcap', 'chromium_h2_dsb.pcapng', 'partial_keys.pcap'];

describe.each(H2_CAPTURES)('%s: HTTP/2 inside TLS', (capture) => {
  const t = truth(capture);
  const h2 = t.findings.filter((f) => f.indicator === 'http2_request');

  it('finds every HTTP/2 request of the truth file, with its stream, carried by TLS', async () => {
    const obs: Observation[] = [];
    await scanCapture(path.join(CLIENTS, capture), { keyStore: keyStore(capture), onObservation: (o) => obs.push(o) });
    const http = obs.filter((o): o is HttpObservation => o.type === 'http' && o.http_version === '2');
    // Chromium's stream ids are not in its truth file (caddy's log)
    const key = (method: string, host: string, uri: string, stream: number | null | undefined): string =>
      `${method} ${host} ${uri}${stream ? ` #${stream}` : ''}`;
    const withIds = h2.every((f) => f.stream_id);
    const got = http.map((o) => key(o.method, (o.host ?? '').replace(/:\d+$/, ''), o.uri, withIds ? o.stream_id : null)).sort();
    const want = h2.map((f) => key(f.method!, f.host!, f.uri!, withIds ? f.stream_id : null)).sort();
    expect(want.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
    for (const o of http) expect(o).toMatchObject({ carrier: 'tls', tls_version: '1.3', stream_id: expect.any(Number) });
    // every request was answered, paired by stream
    const responses = obs.filter((o) => o.type === 'http_response' && (o as { http_version?: string }).http_version === '2');
    expect(responses.length).toBe(http.length);
    for (const r of responses) expect((r as { request_frame: number | null }).request_frame).not.toBeNull();
  });

  it('finds every leaked value the truth lists in them, with evidence from the encryption through the stream', async () => {
    const { hosts } = await analyzeCaptures([{ name: capture, source: path.join(CLIENTS, capture) }], { allHosts: true, keyStore: keyStore(capture) });
    const byName = new Map<string, HostRecord>(hosts.map((h) => [h.host, h]));
    const missing: string[] = [];
    for (const f of h2.filter((x) => x.detection === 'required')) {
      const h = byName.get(f.host!);
      for (const [k, v] of Object.entries(f.leaks ?? {})) {
        if (NOT_VALUES.has(k)) continue;
        const kinds = KIND_FOR_TRUTH_KEY[k];
        expect(kinds, `truth key ${k} has a mapping`).toBeDefined();
        for (const value of (Array.isArray(v) ? v : [v]).map(String)) {
          const leak = h?.leaks.find((l) => kinds!.includes(l.kind) && l.value === value);
          if (!leak) missing.push(`${f.host} ${k}=${value}`);
          else
            expect(
              leak.evidence.some((e) => /^tls1\.3 → h2 stream \d+ → /.test(e.chain)),
              `${k}=${value}: ${leak.evidence.map((e) => e.chain).join(' | ')}`,
            ).toBe(true);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
