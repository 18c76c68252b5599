/**
 * Experiment windows: the flag's grammar, and on a generated capture with requests at known
 * offsets, that exactly the requests inside a window are tagged (evidence and leaks, JSON and table).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseWindow, parseWindows, WindowSpecError } from '../../../src/engine/windows.js';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import { FIRMWARE_A, writeProfileCapture } from '../../../test-support/experiments.js';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('--window grammar', () => {
  it('reads offsets in h/m/s/ms and ISO 8601 times with or without a zone', () => {
    expect(parseWindow('a=+90s..+1m40s')).toMatchObject({ label: 'a', start: { kind: 'offset', us: 90e6 }, end: { kind: 'offset', us: 100e6 } });
    expect(parseWindow('b=+1h..+1h0m0.5s').end.us).toBe(3600.5e6);
    expect(parseWindow('c=+250ms..+1s').start.us).toBe(250e3);
    const iso = parseWindow('incognito=2020-05-01T12:01:00Z..2020-05-01T14:05:00.25+02:00');
    expect(iso.start).toMatchObject({ kind: 'absolute', us: Date.UTC(2020, 4, 1, 12, 1) * 1000 });
    expect(iso.end.us).toBe(Date.UTC(2020, 4, 1, 12, 5, 0, 250) * 1000);
    expect(parseWindow('d=2020-05-01T12:01..2020-05-01T12:02').start.us).toBe(Date.UTC(2020, 4, 1, 12, 1) * 1000);
  });

  it('refuses what it cannot read, naming the part', () => {
    expect(() => parseWindow('nolabel')).toThrow(/expected LABEL=START\.\.END/);
    expect(() => parseWindow('a=+5s')).toThrow(/two dots/);
    expect(() => parseWindow('a=soon..+5s')).toThrow(/start "soon" is neither/);
    expect(() => parseWindow('a=+5s..+1s')).toThrow(/end is not after the start/);
    expect(() => parseWindows(['a=+1s..+2s', 'a=+3s..+4s'])).toThrow(WindowSpecError);
  });
});

describe('--window on a capture', () => {
  let file: string;
  beforeAll(async () => {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'leakscope-win-')), 'a.pcap');
    await writeProfileCapture(file, FIRMWARE_A);
  });

  it('tags exactly the requests inside each window, offsets counting from the first packet', async () => {
    const windows = parseWindows(['mid=+5s..+25s', 'late=+29s..+31s', 'abs=2020-05-01T10:00:09Z..2020-05-01T10:00:11Z']);
    const r = await analyzeCaptures([{ name: file, source: file }], { windows });
    const start = Date.parse(r.header.captures[0].first_packet!);
    const inside = (at: number, w: string) => {
      const b = { mid: [5, 25], late: [29, 31], abs: [(Date.UTC(2020, 4, 1, 10, 0, 9) - start) / 1000, (Date.UTC(2020, 4, 1, 10, 0, 11) - start) / 1000] }[w]!;
      return at >= b[0] && at < b[1];
    };
    let tagged = 0;
    for (const h of r.hosts) {
      for (const l of h.leaks) {
        for (const e of l.evidence) {
          const at = (Date.parse(e.time) - start) / 1000;
          // the generator's request of this host whose time this is (within its handshake's few ms)
          const req = FIRMWARE_A.requests.find((q) => q.host === h.host && Math.abs(q.at - at) < 0.01);
          expect(req, `${h.host} frame ${e.frame} at +${at}s`).toBeDefined();
          const expected = ['mid', 'late', 'abs'].filter((w) => inside(req!.at, w));
          expect(e.windows, `${h.host} ${l.kind} frame ${e.frame}`).toEqual(expected);
          tagged += expected.length;
        }
        expect(l.windows).toEqual(
          [...new Set(l.evidence.flatMap((e) => e.windows ?? []))].sort((x, y) => ['mid', 'late', 'abs'].indexOf(x) - ['mid', 'late', 'abs'].indexOf(y)),
        );
      }
    }
    expect(tagged).toBeGreaterThan(0);
    expect(r.header.windows).toEqual([
      { label: 'mid', start: '+5s', end: '+25s' },
      { label: 'late', start: '+29s', end: '+31s' },
      { label: 'abs', start: '2020-05-01T10:00:09Z', end: '2020-05-01T10:00:11Z' },
    ]);
  });

  it('without --window, findings carry no windows member', async () => {
    const r = await analyzeCaptures([{ name: file, source: file }]);
    for (const h of r.hosts)
      for (const l of h.leaks) {
        expect(l.windows).toBeUndefined();
        for (const e of l.evidence) expect(e.windows).toBeUndefined();
      }
  });

  it('CLI: JSON tags evidence, the table marks the value, a bad window is a usage error', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
    const json = run(['analyze', file, '--no-geo', '--format', 'json', '--window', 'ads=+9s..+11s']);
    expect(json.status).toBe(0);
    const doc = JSON.parse(json.stdout);
    const tags = doc.hosts.flatMap((h: { host: string; leaks: { kind: string; windows: string[] }[] }) =>
      h.leaks.filter((l) => l.windows.length).map((l) => `${h.host} ${l.kind}`),
    );
    expect(tags).toEqual(FIRMWARE_A.requests.filter((q) => q.at >= 9 && q.at < 11).flatMap((q) => q.params.map(([k]) => `${q.host} ${k}`)));
    const table = run(['analyze', file, '--no-geo', '--window', 'ads=+9s..+11s']);
    expect(table.stdout).toContain('3f8a1c2b9d4e5f60 [window: ads]');
    expect(table.stdout).not.toContain('864811045123671 [window');
    // batch: each capture's offsets count from its own first packet
    const batch = run(['batch', file, '--no-geo', '--window', 'ads=+9s..+11s', '-q']);
    expect(batch.status).toBe(0);
    const batchTags = batch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'host')
      .flatMap((h: { host: string; leaks: { kind: string; windows: string[] }[] }) =>
        h.leaks.filter((l) => l.windows.length).map((l) => `${h.host} ${l.kind}`),
      );
    expect(batchTags).toEqual(tags);
    const bad = run(['analyze', file, '--window', 'ads=+9s']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^leakscope: --window "ads=\+9s": expected START\.\.END/);
  });
});
