/**
 * The report against the shared captures' ground truth: every host a truth file marks as
 * required is named with its vendor and every leaked value listed there; no host the truth
 * marks benign is reported as a vendor endpoint.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures, type AnalyzeResult } from '../../src/engine/analyze.js';
import type { HostRecord } from '../../src/engine/hosts.js';
import { sharedCapture } from '../helpers/paths.js';
import { KIND_FOR_TRUTH_KEY, NOT_VALUES, VENDOR_NAME } from '../helpers/truth-kinds.js';

interface TruthFinding {
  indicator: 'tls_sni' | 'http' | 'dns_query';
  value?: string;
  host?: string;
  uri?: string;
  vendors: string[];
  detection: 'required' | 'optional' | 'none';
  leaks?: Record<string, unknown>;
}

function truthOf(capture: string): {
  findings: TruthFinding[];
  flows?: { tls?: { sni?: string }; requests?: { host?: string; detection?: string }[]; detection?: string }[];
} {
  return JSON.parse(readFileSync(sharedCapture(capture.replace(/\.pcap$/, '.truth.json')), 'utf8'));
}

function hostOf(f: TruthFinding): string {
  return (f.indicator === 'http' ? f.host! : f.value!).toLowerCase();
}

function expectedValues(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => String(x));
}

const CAPTURES = ['tls_browser.pcap', 'tls_curl_openssl.pcap', 'sensors_js.pcap', 'sensors_node.pcap', 'http_mixed.pcap', 'dns.pcap'];
const results = new Map<string, AnalyzeResult>();
async function analyzed(capture: string): Promise<AnalyzeResult> {
  let r = results.get(capture);
  if (!r) {
    r = await analyzeCaptures([{ name: capture, source: sharedCapture(capture) }], { allHosts: true });
    results.set(capture, r);
  }
  return r;
}

describe.each(CAPTURES)('%s against its truth file', (capture) => {
  const truth = truthOf(capture);
  const required = truth.findings.filter((f) => f.detection === 'required');

  it('has required findings to check', () => {
    expect(required.length).toBeGreaterThan(0);
  });

  it('names every required host with its vendor(s)', async () => {
    const { hosts } = await analyzed(capture);
    const byName = new Map(hosts.map((h) => [h.host, h]));
    const missing: string[] = [];
    for (const f of required) {
      const h = byName.get(hostOf(f));
      if (!h) {
        missing.push(`${hostOf(f)} (not reported)`);
        continue;
      }
      for (const v of f.vendors) if (!h.vendors.includes(VENDOR_NAME[v])) missing.push(`${h.host}: vendor ${v} (have ${h.vendors.join(',') || 'none'})`);
    }
    expect(missing).toEqual([]);
  });

  it('finds every leaked value the truth lists', async () => {
    const { hosts } = await analyzed(capture);
    const byName = new Map<string, HostRecord>(hosts.map((h) => [h.host, h]));
    const missing: string[] = [];
    for (const f of required) {
      const h = byName.get(hostOf(f));
      for (const [key, v] of Object.entries(f.leaks ?? {})) {
        if (NOT_VALUES.has(key)) continue;
        const kinds = KIND_FOR_TRUTH_KEY[key];
        expect(kinds, `truth key ${key} has a mapping`).toBeDefined();
        for (const value of expectedValues(v)) {
          const found = h?.leaks.some((l) => kinds.includes(l.kind) && l.value === value);
          if (!found) missing.push(`${hostOf(f)} ${key}=${value}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('reports no benign host as a vendor endpoint', async () => {
    const { hosts } = await analyzed(capture);
    const flagged = new Set(truth.findings.map(hostOf));
    const wrong = hosts.filter((h) => h.vendor !== null && h.alert && !flagged.has(h.host) && !/xiaomi|miui|sensorsdata|\.mi\.com$/.test(h.host));
    expect(wrong.map((h) => `${h.host} → ${h.vendors.join(',')}`)).toEqual([]);
  });
});
