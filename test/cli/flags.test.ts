/**
 * Flags that name something are matched as a person types them (any letter case, pack ids,
 * no spaces) and a name that matches nothing is exit 2 naming what exists — never an empty,
 * clean-looking report. And --quiet never hides damage: the report itself says it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';

const DEMO = path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap');
const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-flags-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const hosts = (ndjson: string): { host: string; vendors: string[] }[] =>
  ndjson
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('--vendor', () => {
  it('is matched by pack id and in any letter case: sensorsdata, "sensors data" and SENSORS-DATA are Sensors Data', () => {
    const expected = hosts(cli(['analyze', DEMO, '--vendor', 'Sensors Data', '--format', 'ndjson']).stdout);
    expect(expected.map((h) => h.host)).toEqual(['sa.api.intl.miui.com']);
    for (const spelling of ['sensorsdata', 'sensors data', 'SENSORS-DATA']) {
      const r = cli(['analyze', DEMO, '--vendor', spelling, '--format', 'ndjson', '--fail-on-leak']);
      expect(r.status, spelling).toBe(1); // the leak gate sees the vendor's leaks
      expect(hosts(r.stdout)).toEqual(expected);
    }
    expect(hosts(cli(['analyze', DEMO, '--vendor', 'xiaomi', '--format', 'ndjson']).stdout)).toHaveLength(4);
  });

  it('an unknown vendor is exit 2 naming the vendors that exist, with the nearest', () => {
    for (const args of [['analyze', DEMO], ['batch', DEMO], ['signatures']]) {
      const r = cli([...args, '--vendor', 'sensorsdta']);
      expect(r.status, args[0]).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('unknown --vendor "sensorsdta"; known: Xiaomi (xiaomi), Sensors Data (sensorsdata)');
      expect(r.stderr).toContain('try: --vendor "Sensors Data"');
    }
  });

  it('signatures --vendor sensorsdata lists the Sensors Data pack', () => {
    const rows = hosts(cli(['signatures', '--vendor', 'sensorsdata', '--format', 'ndjson']).stdout) as unknown as { vendor: string }[];
    expect(rows.length).toBe(JSON.parse(readFileSync(path.join(REPO_ROOT, 'signatures', 'sensorsdata.json'), 'utf8')).signatures.length);
    expect(new Set(rows.map((r) => r.vendor))).toEqual(new Set(['Sensors Data']));
  });
});

describe('--type and --limit names', () => {
  it('events --type in any letter case; an unknown type is exit 2 with the nearest', () => {
    const lower = cli(['events', DEMO, '--type', 'http', '--format', 'ndjson']);
    const upper = cli(['events', DEMO, '--type', 'HTTP', '--format', 'ndjson']);
    expect(upper.status).toBe(0);
    expect(upper.stdout).toBe(lower.stdout);
    expect(lower.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(2);
    const bad = cli(['events', DEMO, '--type', 'tsl']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown --type "tsl"; known: tls, tls_server');
    expect(bad.stderr).toContain('try: --type tls');
  });

  it('--limit names in any letter case; an unknown one is exit 2 with the nearest', () => {
    const kinds = (out: string): number => (out.match(/"kind"/g) ?? []).length;
    const canonical = cli(['analyze', DEMO, '--limit', 'maxPeelDepth=0', '--format', 'ndjson']);
    const typed = cli(['analyze', DEMO, '--limit', 'maxpeeldepth=0', '--format', 'ndjson']);
    expect(typed.status).toBe(0);
    expect(typed.stdout).toBe(canonical.stdout);
    // the limit took effect: no peeling, fewer findings
    expect(kinds(typed.stdout)).toBeLessThan(kinds(cli(['analyze', DEMO, '--format', 'ndjson']).stdout));
    const bad = cli(['analyze', DEMO, '--limit', 'maxFlow=3']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown --limit "maxFlow"');
    expect(bad.stderr).toContain('try: --limit maxFlows');
  });
});

describe('--quiet does not hide damage', () => {
  const damaged = path.join(tmp, 'cut.pcap');
  const bytes = readFileSync(DEMO);
  writeFileSync(damaged, bytes.subarray(0, bytes.length - 30));

  it('analyze: the table footer and the JSON header say the capture is partial and where', () => {
    const table = cli(['analyze', damaged, '--quiet']);
    expect(table.status).toBe(3);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(new RegExp(`${damaged.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: partial: damaged at byte \\d+ after 72 packets: expected`));
    const json = JSON.parse(cli(['analyze', damaged, '--quiet', '--json']).stdout);
    expect(json.captures[0]).toMatchObject({ status: 'partial', damage: { frame: 72 } });
  });

  it('events, streams: the table footer; info: its status', () => {
    for (const command of ['events', 'streams']) {
      const r = cli([command, damaged, '--quiet']);
      expect(r.status, command).toBe(3);
      expect(r.stderr).toBe('');
      expect(r.stdout, command).toMatch(/cut\.pcap: damaged at byte \d+ after 72 packets/);
    }
    expect(cli(['info', damaged, '--quiet']).stdout).toMatch(/Status\s+│ damaged at byte \d+ after 72 packets/);
  });
});

describe('streams --dump DIR', () => {
  it('creates a folder that does not exist, as tcpflow does, and fills it', () => {
    const dir = path.join(tmp, 'new', 'flows');
    const r = cli(['streams', DEMO, '--dump', dir, '--format', 'ndjson']);
    expect(r.status).toBe(0);
    const streams = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(streams.length).toBeGreaterThan(0);
    const files = readdirSync(dir);
    expect(files).toContain('161.117.002.020.00080-192.168.001.023.41203');
    expect(files.length).toBeGreaterThanOrEqual(streams.length);
  });

  it('a folder that cannot be made is exit 2 naming it, nothing silent', () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    for (const dir of [file, path.join(file, 'flows')]) {
      const r = cli(['streams', DEMO, '--dump', dir]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`leakscope: cannot write the stream dump ${dir}: `);
      expect(r.stderr).not.toContain('    at '); // no stack trace
    }
  });
});

describe('decode -', () => {
  const decode = (args: string[], input?: Buffer | string) => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), 'decode', ...args, '--format', 'ndjson'], {
      cwd: REPO_ROOT,
      input,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { line: number | null; chain: string; text: string });
  };

  it('decodes each line of its input separately, as `tshark -T fields -e http.file_data` prints request bodies', () => {
    const tshark = spawnSync('tshark', ['-r', DEMO, '-Y', 'http.request && http.file_data', '-T', 'fields', '-e', 'http.file_data'], { encoding: 'utf8' });
    const bodies = tshark.status === 0 ? tshark.stdout.split('\n').filter(Boolean) : [];
    // without tshark, two bodies of the same requests as the project's own fixture holds them
    const lines = bodies.length >= 2 ? bodies : ['data=eyJldmVudCI6InNlYXJjaCIsInF1ZXJ5IjoicG9ybm8ifQ%3D%3D', 'q=hello%20world&id=3f8a1c2b9d4e5f60'];
    const rows = decode(['-'], lines.join('\n') + '\n');
    expect(new Set(rows.map((r) => r.line))).toEqual(new Set(lines.map((_, i) => i + 1)));
    lines.forEach((line, i) => {
      const alone = decode([line]).map(({ line: _, ...rest }) => rest);
      expect(rows.filter((r) => r.line === i + 1).map(({ line: _, ...rest }) => rest)).toEqual(alone);
      expect(alone.length).toBeGreaterThan(1); // each line peeled further than its text
    });
  });

  it('binary input (gzip) is one blob', () => {
    const rows = decode(['-'], gzipSync(Buffer.from('{"query":"porno"}\n{"next":1}\n')));
    expect(rows.every((r) => r.line === null)).toBe(true);
    expect(rows.some((r) => r.text?.includes('porno'))).toBe(true);
  });
});
