/**
 * `--identifier` through the CLI on the demo capture: each finding once, in the form it was
 * sent. (Before: `android_id=3F8A1C2B9D4E5F60` gave the upper-case value and the lower-case
 * one for the same frames and decode chains; an IMEI sent as MD5 was listed as the hash and as
 * the plain IMEI.)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';

const DEMO = path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap');

interface Leak {
  kind: string;
  value: string;
  evidence: { frame: number; chain: string; form?: string }[];
}

function hosts(args: string[]): { host: string; leaks: Leak[] }[] {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), 'analyze', DEMO, '--format', 'ndjson', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('--identifier', () => {
  it('a re-cased or hashed identifier is one finding per frame and place, as it was sent', () => {
    const found = hosts(['--identifier', 'android_id=3F8A1C2B9D4E5F60', '--identifier', 'imei=864811045123671']);
    for (const h of found) {
      const places = new Map<string, string[]>();
      for (const l of h.leaks) {
        for (const e of l.evidence) {
          const key = `${l.kind} ${e.frame} ${e.chain}`;
          places.set(key, [...(places.get(key) ?? []), l.value]);
        }
      }
      for (const [place, values] of places) expect(values, `${h.host} ${place}`).toHaveLength(1);
    }
    const ad = found.find((h) => h.host === 'api.ad.intl.xiaomi.com')!;
    expect(ad.leaks.filter((l) => l.kind === 'imei').map((l) => [l.value, l.evidence.map((e) => e.form)])).toEqual([
      ['406a0854778104a790f54b7ae474fb92', ['md5']],
    ]);
    const android = found.flatMap((h) => h.leaks.filter((l) => l.kind === 'android_id'));
    expect(android.length).toBeGreaterThan(0);
    for (const l of android) expect(l.value).toBe('3f8a1c2b9d4e5f60');
    expect(android.some((l) => l.evidence.some((e) => e.form === 'lower'))).toBe(true);
  });
});
