/**
 * CSV a script can rely on: a column per field, one value per cell, lists space-separated
 * with no separator inside a value, the same values as the JSON records of the same run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT, sharedCapture } from '../helpers/paths.js';

const DEMO = path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap');
const LOOPBACK = path.join(FIXTURES, 'captures', 'loopback_clients.pcap');
const IPV6 = sharedCapture('tls_curl_openssl.pcap');

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** RFC 4180 records → objects by header. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]])));
}

const ndjson = <T>(text: string): T[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
const list = (cell: string): string[] => (cell === '' ? [] : cell.split(' ').map(decodeURIComponent));
const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

describe('events --format csv', () => {
  it('a real column per field of every observation type, equal to the JSON record', () => {
    for (const file of [DEMO, IPV6]) {
      const records = ndjson<Record<string, unknown>>(cli(['events', file, '--format', 'ndjson']));
      const rows = parseCsv(cli(['events', file, '--format', 'csv']));
      expect(rows).toHaveLength(records.length);
      expect(Object.keys(rows[0])).not.toContain('summary');
      for (const key of ['sni', 'alpn', 'ja4', 'method', 'host', 'uri', 'status', 'qname', 'answers']) expect(Object.keys(rows[0])).toContain(key);
      records.forEach((rec, i) => {
        for (const [key, value] of Object.entries(rec)) {
          if (key === 'type' || key === 'file' || Array.isArray(value)) {
            if (Array.isArray(value)) expect(list(rows[i][key]), `${rec.type} ${key}`).toEqual(value.map(String));
            else expect(rows[i][key]).toBe(value);
          } else expect(rows[i][key], `${rec.type} ${key}`).toBe(text(value));
        }
      });
    }
  });

  it('the table joins IPv6 addresses and ports as [addr]:port', () => {
    const table = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), 'events', IPV6, '--wide'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;
    expect(table).toMatch(/\[::1\]:\d+/);
    expect(table).not.toMatch(/[│ ]::1:\d+/);
  });
});

describe('streams --format csv', () => {
  it("one value per column: the JSON record's fields, no a/b pairs, no address:port", () => {
    const records = ndjson<Record<string, unknown>>(cli(['streams', IPV6, '--udp', '--format', 'ndjson']));
    const rows = parseCsv(cli(['streams', IPV6, '--udp', '--format', 'csv']));
    expect(rows).toHaveLength(records.length);
    records.forEach((rec, i) => {
      for (const [key, value] of Object.entries(rec)) if (key !== 'type') expect(rows[i][key], key).toBe(text(value));
    });
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(['packets_out', 'packets_in', 'payload_out', 'payload_in', 'client', 'client_port']));
    expect(rows.some((r) => r.client === '::1')).toBe(true);
  });
});

describe('analyze --format csv', () => {
  interface Host {
    host: string;
    opaque_bytes: number;
    servers: { ip: string; country: string | null; asn: number | null; special?: string | null }[];
    leaks: { kind: string; value: string; count: number }[];
  }
  it('tidy: one row per host, leak kind and value; values as in JSON; opaque bytes', () => {
    const hosts = ndjson<Host>(cli(['analyze', DEMO, LOOPBACK, '--all-hosts', '--format', 'ndjson']));
    const rows = parseCsv(cli(['analyze', DEMO, LOOPBACK, '--all-hosts', '--format', 'csv']));
    expect(rows).toHaveLength(hosts.reduce((n, h) => n + Math.max(1, h.leaks.length), 0));
    for (const h of hosts) {
      const mine = rows.filter((r) => r.host === h.host);
      expect(mine.every((r) => r.opaque_bytes === String(h.opaque_bytes))).toBe(true);
      expect(list(mine[0].server_ips)).toEqual(h.servers.map((s) => s.ip));
      if (h.leaks.length === 0) expect(mine[0].leak_kind).toBe('');
      for (const l of h.leaks) {
        expect(
          mine.filter((r) => r.leak_kind === l.kind && r.leak_value === l.value && r.leak_count === String(l.count)),
          `${h.host} ${l.kind} ${l.value}`,
        ).toHaveLength(1);
      }
    }
    // a value holding the old separator stays one value
    const os = rows
      .filter((r) => r.host === 'tracking.intl.miui.com' && r.leak_kind === 'os_version')
      .map((r) => r.leak_value)
      .sort();
    expect(os).toEqual(['Android 10', 'V12.0.3.0.QGGMIXM']);
  });

  it('special ranges in their own column, not in country; ASNs written as geo writes them', () => {
    const rows = parseCsv(cli(['analyze', LOOPBACK, '--all-hosts', '--format', 'csv']));
    const local = rows.filter((r) => r.server_ips === '127.0.0.1');
    expect(local.length).toBeGreaterThan(0);
    for (const r of local) {
      expect(r.special).toBe('loopback');
      expect(r.country).toBe('');
    }
    const demo = parseCsv(cli(['analyze', DEMO, '--format', 'csv'])).find((r) => r.host === 'tracking.intl.miui.com')!;
    const geo = parseCsv(cli(['geo', list(demo.server_ips)[0], '--format', 'csv']))[0];
    expect(demo.asn).toBe(geo.asn);
    expect(demo.asn).toMatch(/^\d+$/);
    expect(demo.country).toBe(geo.country);
  });
});
