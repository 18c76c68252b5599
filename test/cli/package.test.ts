/**
 * What `npm pack` ships: only what users run (the CLI's bundle and launcher, the library that
 * package.json `main` names, the signature packs), never the test generators, tests or
 * sources; and the library entry exports the engine API the README documents.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

function packedFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
}

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string; types: string; bin: Record<string, string> };

describe('npm pack', () => {
  const files = packedFiles();

  it('ships the CLI, the library and the signature packs', () => {
    for (const f of [
      'bin/run.js',
      'bin/load-bundle.js',
      'dist/bundle/leakscope.cjs',
      'dist/bundle/worker.js',
      'dist/src/batch/worker.js',
      'oclif.manifest.json',
      'signatures/xiaomi.json',
      'signatures/sensorsdata.json',
      'package.json',
      'README.md',
    ]) {
      expect(files).toContain(f);
    }
    expect(files).toContain(path.posix.normalize(pkg.main));
    expect(files).toContain(path.posix.normalize(pkg.types));
    for (const bin of Object.values(pkg.bin)) expect(files).toContain(path.posix.normalize(bin));
  });

  it('ships nothing else: no test generators, tests, sources, source maps or development entry', () => {
    const allowed =
      /^(package\.json|README\.md|LICENSE|oclif\.manifest\.json|bin\/(run|load-bundle)\.js|signatures\/[a-z]+\.json|dist\/bundle\/[^/]+|dist\/(src|geo)\/.+\.(js|d\.ts))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /synth|test-support|build-packs|\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });
});

describe('the library entry (package.json main)', () => {
  it('exports the engine API the README names: analyzeCaptures, scanCapture, captureInfo, runBatch', async () => {
    const lib = (await import(pathToFileURL(path.join(REPO_ROOT, pkg.main)).href)) as Record<string, unknown>;
    for (const name of ['analyzeCaptures', 'scanCapture', 'captureInfo', 'runBatch', 'resolveLimits']) expect(typeof lib[name], name).toBe('function');
  });

  it('runs: scanCapture on a fixture reports its observations', async () => {
    const lib = (await import(pathToFileURL(path.join(REPO_ROOT, pkg.main)).href)) as typeof import('../../src/index.js');
    const types: string[] = [];
    const res = await lib.scanCapture(path.join(REPO_ROOT, 'fixtures', 'captures', 'mi_browser_demo.pcap'), { onObservation: (o) => types.push(o.type) });
    expect(res.read.frames).toBeGreaterThan(0);
    expect(types).toContain('http');
  });
});
