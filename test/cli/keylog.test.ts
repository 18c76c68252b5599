/**
 * Key material on the command line: --keylog on every command that reads captures, malformed
 * key logs as usage errors naming file and line, --keylog-lenient, keys embedded in a pcapng
 * (also read from standard input), and `keylog inject` checked by tshark.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED } from '../helpers/paths.js';

const CLIENTS = path.join(SHARED, 'keyed/clients');
const H1 = path.join(CLIENTS, 'tls_h1_curl_openssl.pcap');
const H1_KEYS = path.join(CLIENTS, 'tls_h1_curl_openssl.keys');
const PARTIAL = path.join(CLIENTS, 'partial_keys.pcap');
const PARTIAL_KEYS = path.join(CLIENTS, 'partial_keys.keys');
const DSB = path.join(CLIENTS, 'chromium_h2_dsb.pcapng');
const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-keylog-'));

function cli(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { cwd: REPO_ROOT, input, encoding: 'buffer', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function ndjson(out: string): Record<string, unknown>[] {
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('--keylog', () => {
  it('events: the decrypted HTTP/1.1 requests, carried by TLS', () => {
    const r = cli(['events', H1, '--keylog', H1_KEYS, '--type', 'http', '--format', 'ndjson']);
    expect(r.status).toBe(0);
    const http = ndjson(r.stdout);
    expect(http).toHaveLength(13);
    for (const o of http) expect(o).toMatchObject({ type: 'http', carrier: 'tls', http_version: '1.1' });
  });

  it('streams: decryption per connection; info: the counts', () => {
    const s = cli(['streams', PARTIAL, '--keylog', PARTIAL_KEYS, '--format', 'ndjson']);
    expect(s.status).toBe(0);
    expect(
      ndjson(s.stdout)
        .map((x) => x.decryption)
        .sort(),
    ).toEqual(['decrypted', 'decrypted', 'decrypted', 'no_key', 'no_key', 'no_key']);
    const i = cli(['info', PARTIAL, '--keylog', PARTIAL_KEYS, '--format', 'json']);
    expect(i.status).toBe(0);
    expect(JSON.parse(i.stdout).decryption).toEqual({ decrypted: 3, no_key: 3, failed: 0 });
    // without keys: nothing is said about decryption
    expect(JSON.parse(cli(['info', PARTIAL, '--format', 'json']).stdout).decryption).toBeNull();
    expect(ndjson(cli(['streams', PARTIAL, '--format', 'ndjson']).stdout).map((x) => x.decryption)).toEqual(Array(6).fill(null));
  });

  it('analyze: the report names the key file, its SHA-256 and what it opened', () => {
    const r = cli(['analyze', PARTIAL, '--keylog', PARTIAL_KEYS, '--no-geo', '--format', 'json']);
    expect(r.status).toBe(0);
    const sha = execFileSync('sha256sum', [PARTIAL_KEYS], { encoding: 'utf8' }).split(' ')[0];
    expect(JSON.parse(r.stdout).keys).toEqual([{ source: PARTIAL_KEYS, sha256: sha, capture: null, sessions: 3, opened: 3, connections: 6, skipped_lines: 0 }]);
    const table = cli(['analyze', PARTIAL, '--keylog', PARTIAL_KEYS, '--no-geo']);
    expect(table.stdout).toContain(`keys: ${PARTIAL_KEYS} sha256 ${sha}: opened 3 of 6 TLS/QUIC connection(s)`);
  });

  it('a malformed key log is a usage error naming the file and the line (exit 2), on every command', () => {
    const bad = path.join(tmp, 'bad.keys');
    writeFileSync(bad, `${readFileSync(H1_KEYS, 'utf8').split('\n').slice(0, 3).join('\n')}\nCLIENT_RANDOM 1234 abcd\n`);
    for (const cmd of ['analyze', 'events', 'streams', 'info', 'batch']) {
      const r = cli([cmd, H1, '--keylog', bad]);
      expect(r.status, cmd).toBe(2);
      expect(r.stderr, cmd).toMatch(
        new RegExp(
          `^leakscope: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: malformed key log line: expected a client random of 64 hex digits, found "1234"\n`,
        ),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = cli(['events', H1, '--keylog', path.join(tmp, 'none.keys')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--keylog .*none\.keys: expected a readable key log file, found no such file/);
  });

  it('--keylog-lenient skips malformed lines with a warning and decrypts with the rest', () => {
    const bad = path.join(tmp, 'lenient.keys');
    writeFileSync(bad, `not a key line\n${readFileSync(H1_KEYS, 'utf8')}`);
    const r = cli(['events', H1, '--keylog', bad, '--keylog-lenient', '--type', 'http', '--format', 'ndjson']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${bad}:1: skipped: expected a label such as CLIENT_RANDOM`);
    expect(ndjson(r.stdout)).toHaveLength(13);
  });
});

describe('keys embedded in a pcapng', () => {
  it('are used without --keylog, from a file and from standard input', () => {
    const fromFile = ndjson(cli(['streams', DSB, '--format', 'ndjson']).stdout);
    expect(fromFile.map((x) => x.decryption)).toEqual(Array(8).fill('decrypted'));
    const fromStdin = ndjson(cli(['streams', '-', '--format', 'ndjson'], readFileSync(DSB)).stdout);
    expect(fromStdin.map((x) => x.decryption)).toEqual(Array(8).fill('decrypted'));
  });
});

describe('a probable finding, as each format says it', () => {
  it("partial_keys' abtest request `?d=<Android ID>`: JSON `probable` with the reason, the table `android_id (probable)`, CSV leak_confidence", () => {
    const json = JSON.parse(cli(['analyze', PARTIAL, '--keylog', PARTIAL_KEYS, '--format', 'json']).stdout) as {
      hosts: { host: string; leaks: { kind: string; value: string; probable?: string }[] }[];
    };
    const abtest = json.hosts.find((h) => h.host === 'abtest.browser.intl.miui.com')!;
    expect(abtest.leaks).toEqual([
      expect.objectContaining({
        kind: 'android_id',
        value: '9b2e4f7a1c6d3e85',
        probable: expect.stringMatching(/under the short key "d" of a request to a Xiaomi host/),
      }),
    ]);
    // the same device's IMEI elsewhere is certain
    const certain = json.hosts.flatMap((h) => h.leaks).filter((l) => l.kind === 'imei');
    expect(certain.length).toBeGreaterThan(0);
    for (const l of certain) expect(l.probable).toBeUndefined();
    const table = cli(['analyze', PARTIAL, '--keylog', PARTIAL_KEYS, '--wide']).stdout;
    expect(table).toContain('android_id (probable): 9b2e4f7a1c6d3e85');
    const csv = cli(['analyze', PARTIAL, '--keylog', PARTIAL_KEYS, '--format', 'csv']).stdout.trim().split(/\r?\n/); // RFC 4180 lines; none of these fields is quoted
    const header = csv[0]!.split(',');
    const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(rows.filter((r) => r.leak_confidence === 'probable').map((r) => `${r.host} ${r.leak_kind}=${r.leak_value}`)).toEqual([
      'abtest.browser.intl.miui.com android_id=9b2e4f7a1c6d3e85',
    ]);
    expect(rows.filter((r) => r.leak_kind === 'imei').every((r) => r.leak_confidence === 'certain')).toBe(true);
  });
});

describe('keylog inject', () => {
  it('writes a pcapng with only the keys the capture uses; tshark decrypts it without a key log', () => {
    const out = path.join(tmp, 'partial-with-keys.pcapng');
    // a second key log of other captures: none of its keys may be embedded
    const r = cli(['keylog', 'inject', PARTIAL, '--keylog', PARTIAL_KEYS, '--keylog', H1_KEYS, '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('keys of 3 connection(s) embedded');
    const uris = execFileSync('tshark', ['-r', out, '-d', 'tcp.port==19448,tls', '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((l) => l !== '');
    expect(uris.sort()).toEqual(['/api/v1/experiments?d=9b2e4f7a1c6d3e85', '/track/v4/history']);
    const embedded = execFileSync('tshark', ['-r', out, '-Y', 'frame.number==1', '-T', 'fields', '-e', 'frame.number'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(embedded.trim()).toBe('1');
    // the written file decrypts in leakscope too, from its own DSB
    expect(
      ndjson(cli(['streams', out, '--format', 'ndjson']).stdout)
        .map((x) => x.decryption)
        .sort(),
    ).toEqual(['decrypted', 'decrypted', 'decrypted', 'no_key', 'no_key', 'no_key']);
  });

  it('embeds the keys of QUIC connections too: the HTTP/3 requests read from the written file alone are those read with the key log', () => {
    const h3 = path.join(CLIENTS, 'h3_chromium_caddy.pcap');
    const out = path.join(tmp, 'h3-with-keys.pcapng');
    const r = cli(['keylog', 'inject', h3, '--keylog', path.join(CLIENTS, 'h3_chromium_caddy.keys'), '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('keys of 6 connection(s) embedded');
    const requests = (args: string[]) =>
      ndjson(cli(['events', ...args, '--type', 'http', '--format', 'ndjson']).stdout)
        .map((x) => `${x.http_version} ${x.method} ${x.host}${x.uri}`)
        .sort();
    const withKeyLog = requests([h3, '--keylog', path.join(CLIENTS, 'h3_chromium_caddy.keys')]);
    expect(withKeyLog).toHaveLength(12);
    expect(withKeyLog.every((l) => l.startsWith('3 '))).toBe(true);
    expect(requests([out])).toEqual(withKeyLog);
  });

  it('refuses standard input, overwriting its input, and a key log that opens nothing', () => {
    expect(cli(['keylog', 'inject', '-', '--keylog', H1_KEYS, '-o', path.join(tmp, 'x.pcapng')]).status).toBe(2);
    expect(cli(['keylog', 'inject', H1, '--keylog', H1_KEYS, '-o', H1]).stderr).toMatch(/would overwrite the capture it reads/);
    const none = cli(['keylog', 'inject', PARTIAL, '--keylog', H1_KEYS, '-o', path.join(tmp, 'y.pcapng')]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/nothing to embed/);
  });
});
