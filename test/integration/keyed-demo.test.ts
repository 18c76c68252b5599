/**
 * fixtures/captures/keyed_demo.pcapng, recorded by fixtures/captures/gen/record-keyed.sh (curl
 * with SSLKEYLOGFILE on loopback, keys embedded as a Decryption Secrets Block): the real CLI
 * decrypts it with nothing but the file, finds every value the recorder put in each request,
 * reports the connection recorded without SSLKEYLOGFILE as `no_key`, and tshark, with the same
 * embedded keys, sees the same requests. The README's key-log example is this capture's report.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';

const CAPTURE = path.join(FIXTURES, 'captures', 'keyed_demo.pcapng');

/** What record-keyed.sh sends, request by request (copied from the script, not from leakscope's output). */
const IMEI = '864811045123671';
const ANDROID_ID = '3f8a1c2b9d4e5f60';
const MODEL = 'Redmi Note 8 Pro';
const SENT = [
  {
    host: 'tracking.intl.miui.com',
    method: 'POST',
    uri: '/track/v4',
    tls: 'tls1.3',
    h2: true,
    keyed: true,
    values: {
      url: 'https://duckduckgo.com/?q=hiv+test+results&ia=web',
      search_query: 'hiv test results',
      incognito: 'true',
      imei: IMEI,
      android_id: ANDROID_ID,
      device_model: MODEL,
      os_version: 'Android 10',
    },
  },
  {
    host: 'sa.api.intl.miui.com',
    method: 'POST',
    uri: '/sa?project=global_browser',
    tls: 'tls1.3',
    h2: true,
    keyed: true,
    values: {
      url: 'https://www.example.com/private/health/hiv-test-results',
      page_title: 'HIV test results',
      device_model: MODEL,
      os_version: '10',
      device_id: ANDROID_ID,
    },
  },
  {
    host: 'data.mistat.intl.xiaomi.com',
    method: 'GET',
    tls: 'tls1.2',
    h2: false,
    keyed: true,
    uri: `/mistats/v2?imei=${IMEI}&android_id=${ANDROID_ID}&model=Redmi%20Note%208%20Pro&os_version=Android%2010`,
    values: { imei: IMEI, android_id: ANDROID_ID, device_model: MODEL, os_version: 'Android 10' },
  },
  // recorded without SSLKEYLOGFILE: its key is not in the capture
  { host: 'xiaomi.datasink.sensorsdata.cn', method: 'POST', uri: '/sa?project=global_browser', tls: 'tls1.3', h2: true, keyed: false, values: {} },
] as const;

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args, '-q'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, COLUMNS: '80' },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}
const ndjson = <T>(text: string): T[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

interface Leak {
  kind: string;
  value: string;
  evidence: { chain: string }[];
}
interface Host {
  host: string;
  decrypted_bytes: number;
  opaque_bytes: number;
  opaque_reasons: string[];
  leaks: Leak[];
}

describe('keyed_demo.pcapng (keys embedded in the capture)', () => {
  it('analyze finds every value each decrypted request carried, with chains that start at the encryption', () => {
    const report = JSON.parse(cli('analyze', CAPTURE, '--format', 'json')) as { keys: unknown[]; hosts: Host[] };
    expect(JSON.stringify(report.keys)).toContain('embedded');
    for (const sent of SENT) {
      const host = report.hosts.find((h) => h.host === sent.host);
      expect(host, sent.host).toBeDefined();
      if (!sent.keyed) {
        expect(host!.leaks).toEqual([]);
        expect(host!.decrypted_bytes).toBe(0);
        expect(host!.opaque_reasons).toEqual(['no_key']);
        expect(host!.opaque_bytes).toBeGreaterThan(0);
        continue;
      }
      expect(host!.decrypted_bytes).toBeGreaterThan(0);
      expect(host!.opaque_reasons).toEqual([]);
      for (const [kind, value] of Object.entries(sent.values)) {
        const leak = host!.leaks.find((l) => l.kind === kind && l.value === value);
        expect(leak, `${sent.host} ${kind}=${value}`).toBeDefined();
        const chain = leak!.evidence[0].chain;
        expect(chain.startsWith(`${sent.tls} → `), chain).toBe(true);
        if (sent.h2) expect(chain).toMatch(/^tls1\.3 → h2 stream \d+ → /);
      }
    }
  });

  it('the connection recorded without SSLKEYLOGFILE is no_key, the others decrypted', () => {
    const streams = ndjson<{ id: number; decryption: string }>(cli('streams', CAPTURE, '--format', 'ndjson'));
    const hellos = ndjson<{ stream: number; sni: string }>(cli('events', CAPTURE, '--type', 'tls', '--format', 'ndjson'));
    const sniOf = new Map(hellos.filter((h) => h.sni).map((h) => [h.stream, h.sni]));
    const byHost = Object.fromEntries(streams.map((s) => [sniOf.get(s.id), s.decryption]));
    expect(byHost).toEqual(Object.fromEntries(SENT.map((s) => [s.host, s.keyed ? 'decrypted' : 'no_key'])));
  });

  it('every keyed request is an http event over TLS, and nothing else is', () => {
    const requests = ndjson<{ method: string; host: string; uri: string; http_version: string; carrier: string }>(
      cli('events', CAPTURE, '--type', 'http', '--format', 'ndjson'),
    ).filter((e) => e.method);
    expect(requests.map((r) => [r.method, r.host, r.uri, r.http_version, r.carrier])).toEqual(
      SENT.filter((s) => s.keyed).map((s) => [s.method, `${s.host}:18643`, s.uri, s.h2 ? '2' : '1.1', 'tls']),
    );
  });

  const HAVE_TSHARK = spawnSync('tshark', ['-v']).status === 0;
  it.skipIf(!HAVE_TSHARK)('tshark, with the keys embedded in the file, sees the same requests', () => {
    const out = execFileSync(
      'tshark',
      [
        '-r',
        CAPTURE,
        '-Y',
        'http.request or http2.headers.method',
        '-T',
        'fields',
        '-e',
        'http.request.method',
        '-e',
        'http2.headers.method',
        '-e',
        'http.host',
        '-e',
        'http2.headers.authority',
        '-e',
        'http.request.uri',
        '-e',
        'http2.headers.path',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const seen = out
      .trim()
      .split('\n')
      .map((line) => {
        const [m1, m2, h1, h2, u1, u2] = line.split('\t');
        return [m1 || m2, h1 || h2, u1 || u2];
      });
    expect(seen).toEqual(SENT.filter((s) => s.keyed).map((s) => [s.method, `${s.host}:18643`, s.uri]));
  });

  it("the README's key-log report is what analyze prints at 80 columns (attribution lines cut with …)", () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /\$ leakscope analyze fixtures\/captures\/keyed_demo\.pcapng\n([\s\S]*?)\n```/.exec(readme);
    expect(block).not.toBeNull();
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), 'analyze', 'fixtures/captures/keyed_demo.pcapng'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, COLUMNS: '80' },
    });
    const lines = `${r.stdout}${r.stderr}`.replace(/\n$/, '').split('\n');
    const from = lines.findIndex((l) => l.startsWith('signatures '));
    const to = lines.findIndex((l) => l.startsWith('keys: '));
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    expect(block![1].split('\n')).toEqual([...lines.slice(0, from), '…', ...lines.slice(to)]);
  });
});
