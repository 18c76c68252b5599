/**
 * Agreement with tshark 4.0.17's decrypted answers on the keyed captures (../shared/keyed:
 * corpus and clients), in-process, with each capture's key log (F.keys beside it) or its
 * embedded keys, the way ../shared/tools/conformance runs `events --keylog F.keys`. Every
 * HTTP/1.x request tshark decrypted must be found; what is not is written down below.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCapture } from '../../src/engine/scan.js';
import type { Observation } from '../../src/engine/observations.js';
import { KeyStore } from '../../src/decrypt/key-sources.js';
import { DETECTION_TABLE } from '../../src/analyzers/detection.js';
import { resolveLimits } from '../../src/limits.js';
import { SHARED } from '../helpers/paths.js';

const norm = (s: string | null | undefined) =>
  String(s ?? '')
    .trim()
    .toLowerCase();
const host = (s: string | null | undefined) => norm(s).replace(/:\d+$/, '');
const tsv = (f: string) =>
  existsSync(f)
    ? readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split('\t'))
    : [];
const key = (method: string, h: string | null, uri: string, dport: number | string) => `${norm(method)}|${host(h)}|${uri.trim()}|${dport}`;

interface Case {
  file: string;
  keys: string | null;
  http: string[];
  tls: string[];
  http2: Set<string>;
}

/** tshark's HTTP/2 requests (read by the HTTP/2 analyzer, not by this branch's): the corpus says so per row, the clients' truth files per request */
function http2Requests(dir: string, name: string): Set<string> {
  const out = new Set<string>();
  for (const r of tsv(path.join(dir, 'oracle', `${name}.requests.tsv`)).slice(1)) if (r[1] === 'http2') out.add(`${norm(r[3])}|${host(r[4])}|${r[5]!.trim()}`);
  const truth = path.join(dir, name.replace(/\.pcap(ng)?$/, '.truth.json'));
  if (existsSync(truth)) {
    for (const f of JSON.parse(readFileSync(truth, 'utf8')).findings as { indicator: string; method?: string; host?: string; uri?: string }[]) {
      if (f.indicator === 'http2_request') out.add(`${norm(f.method)}|${host(f.host)}|${String(f.uri).trim()}`);
    }
  }
  return out;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const sub of ['corpus', 'clients']) {
    const dir = path.join(SHARED, 'keyed', sub);
    for (const f of readdirSync(path.join(dir, 'oracle'))
      .filter((n) => n.endsWith('.frames'))
      .sort()) {
      const name = f.slice(0, -'.frames'.length);
      const file = existsSync(path.join(dir, 'files', name)) ? path.join(dir, 'files', name) : path.join(dir, name);
      const keys = [`${file}.keys`, file.replace(/\.[^./]+$/, '.keys')].find((k) => existsSync(k)) ?? null;
      const base = path.join(dir, 'oracle', name);
      out.push({
        file,
        keys,
        http: tsv(`${base}.http.tsv`).map((r) => key(r[4]!, r[5]!, r[6] ?? '', r[3]!)),
        tls: tsv(`${base}.tls.tsv`).flatMap((r) =>
          norm(r[4])
            .split(',')
            .filter(Boolean)
            .map((s) => `${s}|${r[3]}`),
        ),
        http2: http2Requests(dir, name),
      });
    }
  }
  return out;
}

async function observe(c: Case): Promise<Observation[]> {
  const limits = resolveLimits();
  let keyStore: KeyStore | undefined;
  if (c.keys !== null) {
    keyStore = new KeyStore({ maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes });
    keyStore.addFile(c.keys);
  }
  const obs: Observation[] = [];
  await scanCapture(c.file, { keyStore, onObservation: (o) => obs.push(o) });
  return obs;
}

/** TLS/QUIC server names tshark saw that leakscope does not, by capture (none at present) */
const TLS_ON_PURPOSE: Record<string, number> = {};

const HAS_HTTP2 = DETECTION_TABLE.some((r) => r.name === 'http2');

describe("keyed captures against tshark's decrypted answers", () => {
  const all = cases();
  let wanted = 0,
    found = 0;

  it.each(all.map((c) => [path.basename(c.file), c] as const))('%s', async (name, c) => {
    const obs = await observe(c);
    const got = new Map<string, number>();
    // HTTP/3 requests: tshark 4.0 does not decode them (the truth files are their reference, in the QUIC/HTTP/3 tests)
    for (const o of obs)
      if (o.type === 'http' && o.http_version !== '3')
        got.set(key(o.method, o.host, o.uri, o.dport), (got.get(key(o.method, o.host, o.uri, o.dport)) ?? 0) + 1);
    const missing: string[] = [];
    for (const w of c.http) {
      const n = got.get(w) ?? 0;
      if (n > 0) {
        got.set(w, n - 1);
        found++;
      } else if (!HAS_HTTP2 && c.http2.has(w.split('|').slice(0, 3).join('|'))) {
        /* HTTP/2: the h2 analyzer's */
      } else missing.push(w);
    }
    wanted += c.http.length - (HAS_HTTP2 ? 0 : c.http.filter((w) => c.http2.has(w.split('|').slice(0, 3).join('|'))).length);
    expect(missing, 'HTTP/1.x requests tshark decrypted').toEqual([]);
    // nothing invented: every request leakscope reports is one tshark reports
    expect(
      [...got.entries()].filter(([, n]) => n > 0).map(([k]) => k),
      'requests tshark did not see',
    ).toEqual([]);
    const tls = new Set(obs.flatMap((o) => ((o.type === 'tls' || o.type === 'quic') && o.sni ? [`${norm(o.sni)}|${o.dport}`] : [])));
    expect(c.tls.filter((t) => !tls.has(t)).length, 'server names').toBe(TLS_ON_PURPOSE[name] ?? 0);
  });

  it("finds every HTTP/1.x request tshark decrypted (HTTP/2 ones are the HTTP/2 analyzer's)", () => {
    expect(wanted).toBeGreaterThan(120);
    expect(found).toBe(wanted);
  });
});
