/**
 * Decryption against the keyed client captures' ground truth (../shared/keyed/clients): with
 * the key log (or the keys embedded in the capture), every HTTP/1.x request of the truth file is
 * an `http` event carried by TLS (HTTP/1.1 and HTTP/2), every leaked value the truth lists is in
 * the report, the connections whose keys were withheld are `no_key` with no request, and
 * nothing is invented. HTTP/3 (QUIC) is checked by the QUIC/HTTP/3 tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import type { HostRecord } from '../../src/engine/hosts.js';
import type { Observation } from '../../src/engine/observations.js';
import { scanCapture } from '../../src/engine/scan.js';
import type { FlowSummaryExtra } from '../../src/analyzers/analyzer.js';
import { KeyStore } from '../../src/decrypt/key-sources.js';
import { resolveLimits } from '../../src/limits.js';
import { SHARED } from '../helpers/paths.js';
import { KIND_FOR_TRUTH_KEY, NOT_VALUES } from '../helpers/truth-kinds.js';

const CLIENTS = path.join(SHARED, 'keyed/clients');

interface KeyedFinding {
  indicator: 'tls_sni' | 'http_request' | 'http2_request' | 'http3_request';
  method?: string;
  host?: string;
  uri?: string;
  value?: string;
  client?: string;
  decryptable?: boolean;
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

async function events(capture: string): Promise<{ obs: Observation[]; flows: { client: string; extra: FlowSummaryExtra }[] }> {
  const obs: Observation[] = [];
  const flows: { client: string; extra: FlowSummaryExtra }[] = [];
  await scanCapture(path.join(CLIENTS, capture), {
    keyStore: keyStore(capture),
    onObservation: (o) => obs.push(o),
    // the truth files write IPv6 endpoints as [addr]:port
    onFlowClose: (f, extra) => flows.push({ client: `${f.client.includes(':') ? `[${f.client}]` : f.client}:${f.clientPort}`, extra: { ...extra } }),
  });
  return { obs, flows };
}

const TCP_CAPTURES = ['tls_h1_curl_openssl.pcap', 'partial_keys.pcap', 'h2_node_curl_sdk.pcap', 'chromium_h2_dsb.pcapng'];

describe.each(TCP_CAPTURES)('%s with its keys', (capture) => {
  const t = truth(capture);
  const h1 = t.findings.filter((f) => f.indicator === 'http_request');
  const h2 = t.findings.filter((f) => f.indicator === 'http2_request');

  it('finds every HTTP/1.x and HTTP/2 request of the truth file, carried by TLS, and no other', async () => {
    const { obs } = await events(capture);
    const http = obs.filter((o): o is Observation & { type: 'http' } => o.type === 'http');
    const got = http.map((o) => `${o.http_version} ${o.method} ${(o.host ?? '').replace(/:\d+$/, '')} ${o.uri}`).sort();
    const want = [...h1.map((f) => `1.1 ${f.method} ${f.host} ${f.uri}`), ...h2.map((f) => `2 ${f.method} ${f.host} ${f.uri}`)].sort();
    expect(h1.length + h2.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
    for (const o of http) expect(o).toMatchObject({ carrier: 'tls', tls_version: expect.stringMatching(/^1\.[23]$/) });
  });

  it('reports the connections whose keys were withheld as no_key, the others as decrypted', async () => {
    const { flows } = await events(capture);
    const sni = t.findings.filter((f) => f.indicator === 'tls_sni');
    for (const f of sni) {
      const flow = flows.find((x) => x.client === f.client);
      expect(flow?.extra.decryption, f.client).toBe(f.decryptable ? 'decrypted' : 'no_key');
      if (!f.decryptable) expect(flow?.extra.opaqueReason).toBe('no_key');
    }
  });

  // tls_h1_curl_openssl's and chromium_h2_dsb's clients retransmitted segments (tshark: "TCP
  // Retransmission") of connections that decrypted: those bytes were counted opaque as
  // `tls_encrypted` (no keys given) under the host the certificate and SNI name
  it("counts a decrypted connection's bytes as decrypted, none opaque (a retransmitted segment is not a second, unread copy); a connection without keys is opaque no_key", async () => {
    const { flows } = await events(capture);
    for (const f of t.findings.filter((x) => x.indicator === 'tls_sni')) {
      const flow = flows.find((x) => x.client === f.client)!.extra;
      if (f.decryptable)
        expect({ client: f.client, decrypted: flow.decryptedBytes! > 0, opaque: flow.opaqueBytes }).toEqual({ client: f.client, decrypted: true, opaque: 0 });
      else
        expect({ client: f.client, decrypted: flow.decryptedBytes, opaque: flow.opaqueBytes > 0, why: flow.opaqueReason }).toEqual({
          client: f.client,
          decrypted: 0,
          opaque: true,
          why: 'no_key',
        });
    }
    const { hosts } = await analyzeCaptures([{ name: capture, source: path.join(CLIENTS, capture) }], { allHosts: true, keyStore: keyStore(capture) });
    const withheld = new Set(t.findings.filter((x) => x.indicator === 'tls_sni' && !x.decryptable).map((x) => x.value));
    for (const h of hosts.filter((x) => x.flows > 0)) {
      // keys were given: no host's bytes are "TLS, no keys given"
      expect(h.opaque_reasons, h.host).not.toContain('tls_encrypted');
      expect(h.decrypted_bytes > 0 || withheld.has(h.host), h.host).toBe(true);
      if (!withheld.has(h.host)) expect({ host: h.host, opaque: h.opaque_bytes }).toEqual({ host: h.host, opaque: 0 });
    }
  });

  it('finds every leaked value the truth lists in the decrypted requests, with evidence starting at the encryption', async () => {
    const { hosts } = await analyzeCaptures([{ name: capture, source: path.join(CLIENTS, capture) }], { allHosts: true, keyStore: keyStore(capture) });
    const byName = new Map<string, HostRecord>(hosts.map((h) => [h.host, h]));
    const missing: string[] = [];
    for (const f of [...h1, ...h2].filter((x) => x.detection === 'required')) {
      const h = byName.get(f.host!);
      for (const [key, v] of Object.entries(f.leaks ?? {})) {
        if (NOT_VALUES.has(key)) continue;
        const kinds = KIND_FOR_TRUTH_KEY[key];
        expect(kinds, `truth key ${key} has a mapping`).toBeDefined();
        for (const value of (Array.isArray(v) ? v : [v]).map(String)) {
          const leak = h?.leaks.find((l) => kinds!.includes(l.kind) && l.value === value);
          if (!leak) missing.push(`${f.host} ${key}=${value}`);
          else
            expect(
              leak.evidence.some((e) => /^tls1\.[23] → /.test(e.chain)),
              `${key}=${value}: ${leak.evidence[0]!.chain}`,
            ).toBe(true);
        }
      }
    }
    expect(missing).toEqual([]);
    // the abtest request's `d=` is found by its shape under a one-letter key at a Xiaomi host:
    // reported as probable, with the reason, never as certain
    if ([...h1, ...h2].some((f) => f.host === 'abtest.browser.intl.miui.com' && /[?&]d=9b2e4f7a1c6d3e85/.test(f.uri!))) {
      const id = byName.get('abtest.browser.intl.miui.com')!.leaks.find((l) => l.kind === 'android_id' && l.value === '9b2e4f7a1c6d3e85')!;
      expect(id.probable).toMatch(/short key "d" of a request to a Xiaomi host/);
      expect(id.evidence.every((e) => e.chain.endsWith('uri query:d'))).toBe(true);
    }
  });
});

describe('chromium_h2_dsb.pcapng (keys only in the capture)', () => {
  it('decrypts every connection with the embedded keys; the report header names the source and what it opened', async () => {
    const capture = 'chromium_h2_dsb.pcapng';
    const { flows } = await events(capture);
    const tls = flows.filter((f) => f.extra.protocol === 'tls');
    expect(tls.map((f) => f.extra.decryption)).toEqual(Array(8).fill('decrypted'));
    const r = await analyzeCaptures([{ name: capture, source: path.join(CLIENTS, capture) }], {});
    expect(r.header.keys).toEqual([expect.objectContaining({ source: 'embedded in the capture', capture, opened: 8, connections: 8 })]);
    expect(r.header.captures[0]!.decryption).toEqual({ decrypted: 8, no_key: 0, failed: 0 });
  });
});

describe('a probable finding and a certain one of the same value', () => {
  it('the value is certain: tls_h1_curl_openssl sends the Android ID to abtest under `d` (probable), h2_node_curl_sdk under x-mi-android-id', async () => {
    const limits = resolveLimits();
    const store = new KeyStore({ maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes });
    for (const c of ['tls_h1_curl_openssl', 'h2_node_curl_sdk']) store.addFile(path.join(CLIENTS, `${c}.keys`));
    const one = async (captures: string[]) =>
      (
        await analyzeCaptures(
          captures.map((c) => ({ name: c, source: path.join(CLIENTS, c) })),
          { keyStore: store },
        )
      ).hosts
        .find((h) => h.host === 'abtest.browser.intl.miui.com')!
        .leaks.find((l) => l.kind === 'android_id' && l.value === '9b2e4f7a1c6d3e85')!;
    expect((await one(['tls_h1_curl_openssl.pcap'])).probable).toBeDefined();
    expect((await one(['h2_node_curl_sdk.pcap'])).probable).toBeUndefined();
    const both = await one(['tls_h1_curl_openssl.pcap', 'h2_node_curl_sdk.pcap']);
    expect(both.probable).toBeUndefined();
    expect(both.evidence.map((e) => e.chain.replace(/ stream \d+/, ''))).toEqual(
      expect.arrayContaining(['tls1.3 → uri query:d', expect.stringMatching(/^tls1\.3 → h2 → header x-mi-android-id/i)]),
    );
  });
});
