/**
 * The command-line contract, through the built CLI (`npm test` builds first): formats, exit
 * codes, standard input, closed pipes, byte-identical output across runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT, sharedCapture } from '../helpers/paths.js';

const DEMO = path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap');
const LOOPBACK = path.join(FIXTURES, 'captures', 'loopback_clients.pcap');
const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-cli-'));

function cli(args: string[], opts: { input?: Buffer; shell?: string } = {}) {
  const r = opts.shell
    ? spawnSync('bash', ['-c', opts.shell], { cwd: REPO_ROOT, encoding: 'buffer', timeout: 60_000 })
    : spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { cwd: REPO_ROOT, input: opts.input, encoding: 'buffer', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

describe('analyze', () => {
  it('NDJSON: one host record per line with the contract fields', () => {
    const r = cli(['analyze', DEMO, '--format', 'ndjson']);
    expect(r.status).toBe(0);
    const hosts = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(hosts.map((h) => h.host)).toEqual(['api.ad.intl.xiaomi.com', 'data.mistat.intl.xiaomi.com', 'sa.api.intl.miui.com', 'tracking.intl.miui.com']);
    const tracking = hosts.find((h) => h.host === 'tracking.intl.miui.com');
    expect(tracking).toMatchObject({ type: 'host', vendor: 'Xiaomi', category: 'telemetry', transport: ['dns', 'http'], flows: 1 });
    // the city's coordinates as DB-IP City Lite has them (the HTML map places the server there)
    expect(tracking.servers).toEqual([
      { ip: '161.117.2.20', country: 'SG', city: 'Singapore', asn: 45102, org: 'Alibaba (US) Technology Co., Ltd.', latitude: 1.3521, longitude: 103.82 },
    ]);
    expect(tracking.leaks.find((l: { kind: string }) => l.kind === 'search_query')).toMatchObject({
      value: 'porno',
      count: 1,
      evidence: [expect.objectContaining({ frame: 26, chain: 'body form:data → base64 → json $.url' })],
    });
    const sa = hosts.find((h) => h.host === 'sa.api.intl.miui.com');
    expect(sa.vendors).toEqual(['Xiaomi', 'Sensors Data']);
    expect(hosts.find((h) => h.host === 'data.mistat.intl.xiaomi.com')).toMatchObject({
      transport: ['dns', 'tls1.2'],
      leaks: [],
      opaque_reasons: ['tls_encrypted'],
    });
  });

  it('gives byte-identical JSON, NDJSON and CSV on every run', () => {
    for (const format of ['json', 'ndjson', 'csv']) {
      const a = cli(['analyze', DEMO, LOOPBACK, '--format', format]);
      const b = cli(['analyze', DEMO, LOOPBACK, '--format', format]);
      expect(a.status).toBe(0);
      expect(a.stdout.length).toBeGreaterThan(100);
      expect(b.stdout).toBe(a.stdout);
    }
  });

  it('JSON: a header with tool, signature and geo sources, captures with SHA-256', () => {
    const doc = JSON.parse(cli(['analyze', DEMO, '--json']).stdout);
    expect(doc.tool).toBe('leakscope');
    expect(doc.signatures.version).toMatch(/^xiaomi@/);
    expect(doc.geo.map((g: { attribution: string }) => g.attribution).join(' ')).toContain('DB-IP');
    expect(doc.captures).toEqual([expect.objectContaining({ file: DEMO, packets: 73, status: 'ok', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    expect(doc.hosts).toHaveLength(4);
  });

  it('CSV: RFC 4180 with a header and one row per host, leak kind and value', () => {
    const lines = cli(['analyze', DEMO, '--format', 'csv']).stdout.split('\r\n');
    expect(lines[0]).toBe(
      'host,vendor,category,signature,transport,flows,bytes_out,bytes_in,decrypted_bytes,opaque_bytes,server_ips,country,special,asn,org,first_seen,last_seen,leak_kind,leak_value,leak_form,leak_count,frames,apps,leak_apps,leak_confidence',
    );
    expect(lines.filter((l) => l.startsWith('tracking.intl.miui.com,') && l.includes(',imei,864811045123671,plain,'))).toHaveLength(1);
  });

  it('--fail-on-leak exits 1 when personal data was found, 0 otherwise', () => {
    expect(cli(['analyze', DEMO, '--fail-on-leak', '--format', 'json']).status).toBe(1);
    expect(cli(['analyze', sharedCapture('tls_curl_openssl.pcap'), '--fail-on-leak', '--format', 'json']).status).toBe(0);
  });

  it('--identifier finds a hashed IMEI and keeps the form in the evidence', () => {
    const hosts = cli(['analyze', DEMO, '--identifier', 'imei=864811045123671', '--format', 'ndjson'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ad = hosts.find((h) => h.host === 'api.ad.intl.xiaomi.com');
    const forms = ad.leaks.flatMap((l: { evidence: { form?: string }[] }) => l.evidence.map((e) => e.form)).filter(Boolean);
    expect(forms).toContain('md5');
  });

  it('--redact replaces values with salted hashes, the same for the same salt', () => {
    const a = cli(['analyze', DEMO, '--redact', '--salt', 's1', '--format', 'ndjson']).stdout;
    expect(a).not.toContain('864811045123671');
    expect(a).toMatch(/redacted:[0-9a-f]{16}/);
    expect(cli(['analyze', DEMO, '--redact', '--salt', 's1', '--format', 'ndjson']).stdout).toBe(a);
  });

  it('reads standard input', () => {
    const r = cli(['analyze', '-', '--format', 'ndjson', '--no-geo'], { input: readFileSync(DEMO) });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
  });
});

describe('exit codes and messages', () => {
  it('2 for a file that is not a capture, naming the file and what was found, without a stack', () => {
    const zip = path.join(tmp, 'x.pcap');
    writeFileSync(zip, Buffer.from('504b0304140000000800', 'hex'));
    const r = cli(['analyze', zip]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${zip}: not a pcap or pcapng file: starts with 50 4b 03 04 (a zip archive)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('2 for a missing file and for bad usage', () => {
    expect(cli(['info', path.join(tmp, 'missing.pcap')]).status).toBe(2);
    expect(cli(['analyze', DEMO, '--format', 'xml']).status).toBe(2);
    expect(cli(['analyze', DEMO, '--identifier', 'nonsense']).status).toBe(2);
  });

  it('3 for a truncated capture, with everything before the cut still reported', () => {
    const cut = path.join(tmp, 'cut.pcap');
    writeFileSync(cut, readFileSync(DEMO).subarray(0, 9000));
    const r = cli(['events', cut, '--format', 'ndjson']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cut\.pcap: damaged at byte \d+ after \d+ packets: expected a/);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'http').map((e) => e.host)).toContain('tracking.intl.miui.com');
  });

  it('one unreadable capture among several: the others are reported, exit 2', () => {
    const empty = path.join(tmp, 'empty.pcap');
    writeFileSync(empty, '');
    const r = cli(['info', empty, DEMO, '--format', 'ndjson']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('empty file (0 bytes)');
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ file: DEMO, packets: 73 });
  });
});

describe('the shell', () => {
  it('`| head -1` does not crash on a closed pipe', () => {
    const r = cli([], {
      shell: `set -o pipefail; node bin/run.js events ${sharedCapture('http_mixed.pcap')} --format ndjson | head -1; echo "status \${PIPESTATUS[0]}"`,
    });
    expect(r.stdout).toMatch(/^\{"type":/);
    expect(r.stdout).toContain('status 0');
    expect(r.stderr).not.toContain('EPIPE');
  });

  it('no colour codes and no progress when not a terminal', () => {
    const r = cli(['analyze', DEMO]);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('IP geolocation by DB-IP');
  });

  it('info --format json has the contract fields', () => {
    const info = JSON.parse(cli(['info', DEMO, '--format', 'json']).stdout);
    expect(Object.keys(info)).toEqual(
      expect.arrayContaining(['file', 'format', 'linktypes', 'packets', 'bytes', 'first_ts', 'last_ts', 'sha256', 'layers', 'anomalies']),
    );
    expect(info).toMatchObject({ format: 'pcap', packets: 73, layers: { ipv4: 73, tcp: 63, udp: 10 }, anomalies: {} });
  });

  it('streams: one record per TCP stream with history; --dump writes each direction like tcpflow', () => {
    const dump = mkdtempSync(path.join(tmp, 'dump-'));
    const r = cli(['streams', DEMO, '--format', 'ndjson', '--dump', dump]);
    expect(r.status).toBe(0);
    const streams = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(streams).toHaveLength(5);
    expect(streams[1]).toMatchObject({
      type: 'stream',
      proto: 'tcp',
      id: 1,
      client: '192.168.1.23',
      server: '161.117.2.20',
      server_port: 80,
      history: 'ShADadFf',
      missed_bytes: 0,
      protocol: 'http',
    });
    const request = readFileSync(path.join(dump, '192.168.001.023.41203-161.117.002.020.00080'), 'utf8');
    expect(request.startsWith('POST /track/v4 HTTP/1.1\r\nHost: tracking.intl.miui.com\r\n')).toBe(true);
    expect(request.length).toBe(streams[1].payload_out);
  });

  it('geo prints the fields for a given address', () => {
    expect(JSON.parse(cli(['geo', '185.218.176.10', '--json']).stdout)).toMatchObject({ country: 'RU', city: 'Moscow', asn: 45102 });
    expect(cli(['geo', 'not-an-ip']).status).toBe(2);
  });

  it('decode peels a blob', () => {
    const rows = cli(['decode', 'data=eyJldmVudCI6InNlYXJjaCIsInF1ZXJ5IjoicG9ybm8iLCJpbmNvZ25pdG8iOnRydWV9', '--format', 'ndjson'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.at(-1)).toMatchObject({
      chain: 'payload form:data → base64 → json',
      kind: 'json',
      text: '{"event":"search","query":"porno","incognito":true}',
    });
  });

  it('signatures test names the vendor of a host', () => {
    const rows = cli(['signatures', 'test', 'tracking.intl.miui.com', '--format', 'ndjson'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows[0]).toMatchObject({ host: 'tracking.intl.miui.com', vendor: 'Xiaomi', alert: true });
  });
});
