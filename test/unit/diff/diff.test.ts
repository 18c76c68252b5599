/**
 * `diff` on two captures generated for the purpose (two firmware profiles of one phone): the
 * differences reported are exactly those between what the profiles declare they send.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import { diffResults, sendsAnythingNew } from '../../../src/diff/hosts-diff.js';
import { declaredLeaks, FIRMWARE_A, FIRMWARE_B, writeProfileCapture } from '../../../test-support/experiments.js';
import { REPO_ROOT, SHARED } from '../../helpers/paths.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-diff-'));
const A = path.join(tmp, 'firmware-a.pcap');
const B = path.join(tmp, 'firmware-b.pcap');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The diff the profiles' declarations imply, in the NDJSON record's terms. */
function expectedDiff() {
  const a = declaredLeaks(FIRMWARE_A);
  const b = declaredLeaks(FIRMWARE_B);
  const split = (k: string) => ({ kind: k.split('\u0000')[0], value: k.split('\u0000')[1] });
  const sort = (ls: { kind: string; value: string }[]) => ls.sort((x, y) => (x.kind + '\u0000' + x.value < y.kind + '\u0000' + y.value ? -1 : 1));
  const out = new Map<string, { change: string; leaks_new: { kind: string; value: string }[]; leaks_gone: { kind: string; value: string }[] }>();
  for (const host of new Set([...a.keys(), ...b.keys()])) {
    const la = a.get(host) ?? new Set<string>();
    const lb = b.get(host) ?? new Set<string>();
    out.set(host, {
      change: a.has(host) && b.has(host) ? 'common' : b.has(host) ? 'new' : 'gone',
      leaks_new: sort([...lb].filter((k) => !la.has(k)).map(split)),
      leaks_gone: sort([...la].filter((k) => !lb.has(k)).map(split)),
    });
  }
  return out;
}

beforeAll(async () => {
  await writeProfileCapture(A, FIRMWARE_A);
  await writeProfileCapture(B, FIRMWARE_B);
});

describe('diff of two firmware profiles', () => {
  it('the library finds exactly the differences the generator put in', async () => {
    const [ra, rb] = [await analyzeCaptures([{ name: A, source: A }]), await analyzeCaptures([{ name: B, source: B }])];
    const d = diffResults(ra, rb, { a: A, b: B });
    const expected = expectedDiff();
    expect(new Set(d.hosts.map((h) => h.host))).toEqual(new Set(expected.keys()));
    for (const h of d.hosts) expect({ change: h.change, leaks_new: h.leaks_new, leaks_gone: h.leaks_gone }, h.host).toEqual(expected.get(h.host));
    expect(sendsAnythingNew(d)).toBe(true);
    // a report compared with itself has nothing new or gone
    const same = diffResults(ra, ra, { a: A, b: A });
    expect(same.hosts.every((h) => h.change === 'common' && h.leaks_new.length === 0 && h.leaks_gone.length === 0)).toBe(true);
    expect(sendsAnythingNew(same)).toBe(false);
  });

  it('NDJSON: one host_diff record per host with the contract fields; --fail-on-new exits 1', () => {
    const r = cli(['diff', A, B, '--no-geo', '--format', 'ndjson', '--fail-on-new']);
    expect(r.status).toBe(1);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const expected = expectedDiff();
    expect(records).toHaveLength(expected.size);
    for (const rec of records) {
      expect(rec).toMatchObject({ type: 'host_diff', host: expect.any(String), vendor: 'Xiaomi' });
      expect({ change: rec.change, leaks_new: rec.leaks_new, leaks_gone: rec.leaks_gone }).toEqual(expected.get(rec.host));
    }
    // B against B: nothing new, exit 0
    expect(cli(['diff', B, B, '--no-geo', '--format', 'ndjson', '--fail-on-new']).status).toBe(0);
    // new leaks alone (no new host) also fail: A against B reversed has a gone host only but new values
    const rev = cli(['diff', B, A, '--no-geo', '--format', 'ndjson', '--fail-on-new']);
    expect(rev.status).toBe(1);
    expect(
      rev.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .some((x) => x.change === 'new'),
    ).toBe(true);
  });

  it('a saved JSON report is a side like a capture; json and table formats', () => {
    const saved = path.join(tmp, 'a.json');
    const ja = cli(['analyze', A, '--no-geo', '--format', 'json']);
    writeFileSync(saved, ja.stdout);
    const fromCapture = JSON.parse(cli(['diff', A, B, '--no-geo', '--format', 'json']).stdout);
    const fromReport = JSON.parse(cli(['diff', saved, B, '--no-geo', '--format', 'json']).stdout);
    expect(fromReport.hosts).toEqual(fromCapture.hosts);
    const exp = [...expectedDiff().values()];
    expect(fromCapture.summary).toEqual({
      hosts_new: exp.filter((h) => h.change === 'new').length,
      hosts_gone: exp.filter((h) => h.change === 'gone').length,
      hosts_common: exp.filter((h) => h.change === 'common').length,
      hosts_changed: exp.filter((h) => h.change === 'common' && h.leaks_new.length + h.leaks_gone.length > 0).length,
      leaks_new: exp.reduce((n, h) => n + h.leaks_new.length, 0),
      leaks_gone: exp.reduce((n, h) => n + h.leaks_gone.length, 0),
    });
    expect(fromCapture.a.captures[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    // CSV: one row per changed value, in the NDJSON's terms
    const csv = cli(['diff', A, B, '--no-geo', '--format', 'csv']).stdout.trim().split(/\r?\n/);
    expect(csv[0]).toBe('host,vendor,change,leaks_common,leak_change,leak_kind,leak_value');
    const rows = csv.slice(1).map((l) => l.split(','));
    const expectedRows = [...expectedDiff()].flatMap(([host, d]) => [
      ...d.leaks_new.map((l) => [host, d.change, 'new', l.kind, l.value].join('|')),
      ...d.leaks_gone.map((l) => [host, d.change, 'gone', l.kind, l.value].join('|')),
    ]);
    expect(rows.map((r) => [r[0], r[2], r[4], r[5], r[6]].join('|')).sort()).toEqual(expectedRows.sort());
    const table = cli(['diff', A, B, '--no-geo']);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('New recipients (only in B)');
    expect(table.stdout).toContain('sdkconfig.ad.intl.xiaomi.com');
  });

  it('--keylog: the same TLS capture read without keys (a saved report) against it with its key log — every decrypted value is new in B', () => {
    const keyed = path.join(SHARED, 'keyed', 'clients', 'h2_node_curl_sdk.pcap');
    const keys = path.join(SHARED, 'keyed', 'clients', 'h2_node_curl_sdk.keys');
    const saved = path.join(tmp, 'keyed-without-keys.json');
    writeFileSync(saved, cli(['analyze', keyed, '--no-geo', '--format', 'json']).stdout);
    const withKeys = JSON.parse(cli(['analyze', keyed, '--no-geo', '--format', 'json', '--keylog', keys]).stdout) as {
      hosts: { host: string; leaks: { kind: string; value: string }[] }[];
    };
    expect(withKeys.hosts.some((h) => h.leaks.length > 0)).toBe(true);
    const r = cli(['diff', saved, keyed, '--keylog', keys, '--no-geo', '--format', 'ndjson', '--fail-on-new']);
    expect(r.status, r.stderr).toBe(1);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { host: string; leaks_new: { kind: string; value: string }[]; leaks_gone: unknown[] });
    for (const h of withKeys.hosts) {
      const rec = records.find((x) => x.host === h.host);
      expect(rec, h.host).toBeDefined();
      expect(rec!.leaks_gone, h.host).toEqual([]);
      expect(new Set(rec!.leaks_new.map((l) => `${l.kind}=${l.value}`)), h.host).toEqual(new Set(h.leaks.map((l) => `${l.kind}=${l.value}`)));
    }
    // without the key log, B reads as A did: nothing new
    expect(cli(['diff', saved, keyed, '--no-geo', '--format', 'ndjson', '--fail-on-new']).status).toBe(0);
  });

  it('an input that is neither a capture nor a report is a usage error naming it', () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{"hosts": [{"host": "x"}], "captures": []}');
    const r = cli(['diff', bad, B, '--no-geo']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}: not an analyze --format json report: hosts[0] (x): expected a "leaks" array`);
    const text = path.join(tmp, 'notes.txt');
    writeFileSync(text, 'hello\n');
    const r2 = cli(['diff', A, text, '--no-geo']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/notes\.txt/);
    expect(r2.stderr).not.toMatch(/\n\s+at /);
  });
});
