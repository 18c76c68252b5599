/**
 * What a person reads: tables in a real terminal (tmux) at 80, 120 and 200 columns, colour
 * by --color / NO_COLOR / FORCE_COLOR, flags before the capture argument. The built CLI runs
 * as a child process (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT, sharedCapture } from '../helpers/paths.js';
import { closeTerminals, runInTerminal } from '../helpers/terminal.js';
import { textWidth } from '../../src/report/text-width.js';

const DEMO = path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap');
const LOOPBACK = path.join(FIXTURES, 'captures', 'loopback_clients.pcap');
const MIXED = sharedCapture('http_mixed.pcap');
const ESC = '\x1b[';

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, COLUMNS: undefined, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(closeTerminals);

const widest = (lines: string[]): number => Math.max(...lines.map(textWidth));

describe('tables fit the terminal (tmux)', () => {
  const tables: [string, string[]][] = [
    ['analyze', ['analyze', MIXED]],
    ['analyze --all-hosts', ['analyze', DEMO, LOOPBACK, '--all-hosts']],
    ['events', ['events', LOOPBACK]],
    ['streams', ['streams', LOOPBACK, '--udp']],
    ['signatures', ['signatures']],
    ['signatures test', ['signatures', 'test', 'tracking.intl.miui.com', 'sa.api.intl.miui.com']],
    ['batch --format table', ['batch', DEMO, LOOPBACK, '--format', 'table', '--jobs', '1']],
    ['info', ['info', DEMO]],
    ['geo', ['geo', '161.117.2.20', '2a01:4f8::1', '::ffff:1.2.3.4']],
  ];
  for (const width of [80, 120, 200]) {
    for (const [name, args] of tables) {
      it(`${name} at ${width} columns: no line wider than the terminal`, () => {
        const { lines } = runInTerminal(args, width);
        expect(lines.some((l) => l.startsWith('┌'))).toBe(true);
        expect(widest(lines)).toBeLessThanOrEqual(width);
      });
    }
  }

  it('analyze at 80 columns: the host names, their servers and a cut list with how much is missing', () => {
    const { lines } = runInTerminal(['analyze', MIXED], 80);
    const text = lines.join('\n');
    expect(text).toContain('tracking.intl.miui.com');
    expect(text).toContain('url: 3 of 3,005 shown');
    expect(text).toMatch(/│ {3}127\.0\.0\.1 \(loopback\) /); // a server address and its range (a country when public)
    expect(text).toMatch(/│ {3}::1 \(loopback\) /);
    expect(text).toContain('not shown at this width:');
    expect(text).toMatch(/…/);
  });

  it("the README's 80-column report is what analyze prints in an 80-column terminal", () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /prints, in an\n80-column terminal:\n\n```\n([\s\S]*?)\n```/.exec(readme);
    expect(block).not.toBeNull();
    const { lines } = runInTerminal(['analyze', 'fixtures/captures/mi_browser_demo.pcap'], 80);
    expect(block![1].split('\n')).toEqual(lines);
    expect(widest(lines)).toBe(80);
  });

  it('hashed forms are labelled', () => {
    const { lines } = runInTerminal(['analyze', DEMO], 200);
    expect(lines.join('\n')).toContain('imei (md5): 406a0854778104a790f54b7ae474fb92');
  });

  it('--wide shows every column and every value, whatever the width', () => {
    const { lines } = runInTerminal(['analyze', MIXED, '--wide'], 80);
    const text = lines.join('\n');
    expect(widest(lines)).toBeGreaterThan(80);
    expect(text).not.toContain('of 3,005 shown');
    expect(text).toContain('Bytes out/in');
  });
});

describe('colour (ripgrep and git conventions)', () => {
  it('on a terminal: colour by default; NO_COLOR and --color never turn it off', () => {
    expect(runInTerminal(['analyze', DEMO], 200).raw).toContain(ESC);
    expect(runInTerminal(['analyze', DEMO], 200, { NO_COLOR: '1' }).raw).not.toContain(ESC);
    expect(runInTerminal(['analyze', DEMO, '--color', 'never'], 200).raw).not.toContain(ESC);
  });

  it('in a pipe: none by default; FORCE_COLOR and --color always turn it on; --color never wins over FORCE_COLOR', () => {
    expect(cli(['analyze', DEMO]).stdout).not.toContain(ESC);
    expect(cli(['analyze', DEMO], { FORCE_COLOR: '1' }).stdout).toContain(ESC);
    expect(cli(['analyze', DEMO, '--color', 'always']).stdout).toContain(ESC);
    expect(cli(['analyze', DEMO, '--color', 'never'], { FORCE_COLOR: '1' }).stdout).not.toContain(ESC);
    expect(cli(['analyze', DEMO], { FORCE_COLOR: '0' }).stdout).not.toContain(ESC);
  });

  it('--color always with NO_COLOR: always wins (as in ripgrep)', () => {
    expect(cli(['analyze', DEMO, '--color', 'always'], { NO_COLOR: '1' }).stdout).toContain(ESC);
  });

  it('a bad --color value is a usage error', () => {
    const r = cli(['analyze', DEMO, '--color', 'sometimes']);
    expect(r.status).toBe(2);
  });
});

describe('flags anywhere', () => {
  const hostsOf = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { host: string });
  it('analyze --identifier kind=value CAPTURE', () => {
    const before = cli(['analyze', '--identifier', 'imei=864811045123671', DEMO, '--format', 'ndjson']);
    const after = cli(['analyze', DEMO, '--identifier', 'imei=864811045123671', '--format', 'ndjson']);
    expect(before.status).toBe(0);
    expect(before.stdout).toBe(after.stdout);
    expect(hostsOf(before.stdout).length).toBe(4);
  });

  it('events --type tls CAPTURE, a comma list, and the repeated flag after the capture', () => {
    const types = (stdout: string) =>
      [
        ...new Set(
          stdout
            .trim()
            .split('\n')
            .map((l) => (JSON.parse(l) as { type: string }).type),
        ),
      ].sort();
    const a = cli(['events', '--type', 'tls', DEMO, '--format', 'ndjson']);
    expect(a.status).toBe(0);
    expect(types(a.stdout)).toEqual(['tls']);
    const b = cli(['events', '--type', 'tls,dns', DEMO, '--format', 'ndjson']);
    const c = cli(['events', DEMO, '--type', 'tls', '--type', 'dns', '--format', 'ndjson']);
    expect(types(b.stdout)).toEqual(['dns', 'tls']);
    expect(b.stdout).toBe(c.stdout);
  });

  it('--limit name=value CAPTURE and --signatures FILE CAPTURE', () => {
    const r = cli(['analyze', '--limit', 'maxLeakValuesPerKind=1', DEMO, '--format', 'ndjson']);
    expect(r.status).toBe(0);
    expect(hostsOf(r.stdout).length).toBe(4);
    const s = cli(['signatures', 'test', '--signatures', path.join(REPO_ROOT, 'signatures', 'xiaomi.json'), 'tracking.intl.miui.com', '--format', 'json']);
    expect(s.status).toBe(0);
  });
});
