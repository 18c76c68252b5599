/**
 * The committed packs are exactly what build-packs.ts makes from the research table, and they
 * name every vendor endpoint the ground-truth captures expect (shared/captures/*.truth.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPacks, packToJson, parseEndpointsTsv } from '../../../test-support/build-packs.js';
import { bundledPackDir, SignatureDb } from '../../../src/signatures/db.js';
import { validatePack } from '../../../src/signatures/schema.js';
import { request, sharedJson, sharedText } from '../leaks/helpers.js';

const tsv = sharedText('research/endpoints.tsv');
const VENDOR: Record<string, string> = { xiaomi: 'Xiaomi', sensorsdata: 'Sensors Data' };

describe('bundled packs from endpoints.tsv', () => {
  const packs = buildPacks(tsv);

  it('the committed JSON is the build output (rerun build-packs.ts when the research changes)', () => {
    for (const p of packs) expect(readFileSync(path.join(bundledPackDir(), `${p.name}.json`), 'utf8')).toBe(packToJson(p));
  });

  it('holds every curated row and no list-only row', () => {
    const rows = parseEndpointsTsv(tsv);
    expect(rows.length).toBe(483);
    const curated = rows.slice(0, 165);
    expect(curated.every((r) => !r.category.includes('[list-only'))).toBe(true);
    const all = packs.flatMap((p) => p.signatures);
    for (const r of curated) {
      const s = all.find(
        (x) => x.vendor === r.vendor && (x.match.host?.[0] === r.pattern || x.match.suffix?.[0] === r.pattern || Object.values(x.match).includes(r.pattern)),
      );
      expect(s, r.pattern).toBeDefined();
      expect(s!.references).toEqual(r.sources);
      expect(s!.description).toBe(r.category);
    }
    const listOnly = rows.filter((r) => r.category.includes('[list-only'));
    expect(listOnly.length).toBe(483 - 171);
    // list-only rows are not bundled as their own signatures: a family label names them, without alerting
    for (const r of listOnly)
      expect(
        all.some((x) => x.id === `xiaomi/${r.pattern}` || (x.alert && (x.match.host?.[0] === r.pattern || x.match.suffix?.[0] === r.pattern))),
        r.pattern,
      ).toBe(false);
  });

  it('TOO-BROAD rows and bare vendor domains never alert; ids are unique; packs validate', () => {
    const all = packs.flatMap((p) => p.signatures);
    const broad = all.filter((s) => s.description.startsWith('TOO-BROAD'));
    expect(broad.map((s) => s.match.host![0]).sort()).toEqual(['miui.com', 'miui.net', 'www.miui.net', 'www.xiaomi.com', 'xiaomi.com', 'xiaomi.net']);
    expect(broad.every((s) => !s.alert)).toBe(true);
    expect(all.filter((s) => s.id.startsWith('xiaomi/label.')).map((s) => [s.match.suffix![0], s.alert])).toEqual([
      ['xiaomi.com', false],
      ['miui.com', false],
      ['mi.com', false],
      ['xiaomi.net', false],
    ]);
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    for (const p of packs) expect(validatePack(JSON.parse(packToJson(p)), p.name).errors).toEqual([]);
  });
});

describe('ground-truth endpoints are named', () => {
  const db = SignatureDb.bundled();
  const vendorsOf = (hits: { signature: { vendor: string } }[]) => new Set(hits.map((h) => h.signature.vendor));

  for (const capture of ['tls_browser', 'tls_curl_openssl', 'dns']) {
    it(`${capture}: every required SNI / DNS name matches its vendors with an alerting signature`, () => {
      const findings: any[] = sharedJson(`captures/${capture}.truth.json`).findings;
      const required = findings.filter((f) => f.detection === 'required');
      expect(required.length).toBeGreaterThan(0);
      for (const f of required) {
        const hits = db.matchHost(f.value);
        const got = vendorsOf(hits);
        for (const v of f.vendors) expect(got.has(VENDOR[v]), `${f.value} ${v}`).toBe(true);
        expect(
          hits.some((h) => h.signature.alert),
          f.value,
        ).toBe(true);
      }
    });
  }

  for (const capture of ['http_mixed', 'sensors_js', 'sensors_node']) {
    it(`${capture}: every required HTTP finding matches its vendors by host or request shape`, () => {
      const findings: any[] = sharedJson(`captures/${capture}.truth.json`).findings;
      for (const f of findings.filter((x) => x.detection === 'required')) {
        const req = request({ method: f.method, host: f.host, uri: f.uri });
        const got = vendorsOf([...db.matchHost(f.host), ...db.matchHttp(req)]);
        for (const v of f.vendors) expect(got.has(VENDOR[v]), `${f.host}${f.uri.slice(0, 40)} ${v}`).toBe(true);
      }
    });
  }
});
