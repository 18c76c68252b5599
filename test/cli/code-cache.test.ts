/**
 * bin/load-bundle.js starts the CLI bundle from V8's code cache that `npm run build` writes.
 * The cache may only ever make start-up faster: one written for another bundle, damaged, or
 * refused by V8 is not used, and the CLI runs the same without it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';

const BUNDLE = 'dist/bundle/leakscope.cjs';
const CACHE = `${BUNDLE}.v8-cache`;

/** loads the bundle with bin/load-bundle.js of `root` in a new process; what became of the cache */
function cacheState(root: string): string {
  const loader = path.join(root, 'bin/load-bundle.js');
  const script = `const m = await import(${JSON.stringify(loader)}); const r = m.loadBundle(); process.stdout.write(r.cache + ' ' + typeof r.exports.execute);`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

function events(root: string): string {
  const capture = path.join(FIXTURES, 'captures/mi_browser_demo.pcap');
  return execFileSync(process.execPath, [path.join(root, 'bin/run.js'), 'events', capture, '--format', 'ndjson'], { encoding: 'utf8' });
}

describe('code cache', () => {
  it('is written by the build and used by the CLI', () => {
    expect(cacheState(REPO_ROOT)).toBe('used function');
  });

  it('is done without on a Node whose vm cannot give a script import() (before 20.12): the bundle is required', () => {
    const loader = path.join(REPO_ROOT, 'bin/load-bundle.js');
    const capture = path.join(FIXTURES, 'captures/mi_browser_demo.pcap');
    const dir = path.join(REPO_ROOT, 'bin/run.js');
    const script = `import vm from 'node:vm'; vm.constants = {};
      const m = await import(${JSON.stringify(loader)}); const r = m.loadBundle();
      process.stderr.write(r.cache);
      await r.exports.execute({ args: ['events', ${JSON.stringify(capture)}, '--format', 'ndjson'], dir: ${JSON.stringify(dir)} });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('unsupported');
    expect(r.stdout).toBe(events(REPO_ROOT));
  });

  describe('in a copy of the CLI', () => {
    let copy: string;
    beforeAll(() => {
      copy = mkdtempSync(path.join(tmpdir(), 'leakscope-cache-'));
      mkdirSync(path.join(copy, 'bin'));
      mkdirSync(path.join(copy, 'dist/bundle'), { recursive: true });
      for (const f of ['bin/run.js', 'bin/load-bundle.js', 'package.json', 'oclif.manifest.json', BUNDLE, CACHE])
        copyFileSync(path.join(REPO_ROOT, f), path.join(copy, f));
      // the copy's bundle finds its dependencies (geolocation data) where the repository's does
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
      symlinkSync(path.join(REPO_ROOT, 'signatures'), path.join(copy, 'signatures'));
    });
    afterAll(() => rmSync(copy, { recursive: true, force: true }));

    const cache = (): string => path.join(copy, CACHE);

    it('runs the same with a cache and without one', () => {
      const withCache = events(copy);
      rmSync(cache());
      expect(cacheState(copy)).toBe('absent function');
      expect(events(copy)).toBe(withCache);
      expect(withCache).toBe(events(REPO_ROOT));
      copyFileSync(path.join(REPO_ROOT, CACHE), cache());
    });

    it('does not use a cache whose bytes were damaged', () => {
      const good = readFileSync(cache());
      const bad = Buffer.from(good);
      bad[bad.length >> 1] ^= 0xff;
      writeFileSync(cache(), bad);
      expect(cacheState(copy)).toBe('mismatched function');
      writeFileSync(cache(), good);
      expect(cacheState(copy)).toBe('used function');
    });

    it('does not use a cache written for another bundle', () => {
      const bundle = path.join(copy, BUNDLE);
      const original = readFileSync(bundle);
      writeFileSync(bundle, Buffer.concat([original, Buffer.from('\n// another build\n')]));
      try {
        expect(cacheState(copy)).toBe('mismatched function');
      } finally {
        writeFileSync(bundle, original);
      }
    });

    it('lets V8 refuse data that is not a code cache, and still runs', async () => {
      const good = readFileSync(cache());
      const { createHash } = await import('node:crypto');
      const junk = Buffer.alloc(4096, 7);
      const source = readFileSync(path.join(copy, BUNDLE));
      writeFileSync(cache(), Buffer.concat([createHash('sha256').update(source).update(junk).digest(), junk]));
      try {
        expect(cacheState(copy)).toBe('rejected function');
        expect(events(copy)).toBe(events(REPO_ROOT));
      } finally {
        writeFileSync(cache(), good);
      }
    });
  });
});
