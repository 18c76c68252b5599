/**
 * Every example in each command's `--help` (the built oclif.manifest.json, which --help
 * prints) and every command line in the README's `sh` blocks runs as written, in bash, from a
 * scratch folder that has what the examples name.
 *
 * Placeholders, and only those, stand for real files (the scratch folder is set up below):
 * - `phone.pcap`, `a.pcap` → fixtures/captures/mi_browser_demo.pcap; `phone.pcapng` → the
 *   same converted to pcapng by editcap; `captures/` → both fixtures; `archive/**` → the demo
 *   gzip-compressed; `phones-2020-05.tar.gz` → a tar.gz of it; `shard-N.ndjson`,
 *   `results/*.ndjson` → batch outputs; `my-pack.json`, `mine.json` → a copy of the bundled
 *   Xiaomi pack; `xiaomi-blocklist.txt` → a two-line hosts file; `fixtures/` → the repository's.
 * - keyed: `tls-phone.pcap` → ../shared/keyed/clients/partial_keys.pcap, `tls-phone.pcapng` the same
 *   as pcapng, with key logs `sslkeys.log`, `chrome.keys` (its own) and `curl.keys` (another
 *   capture's); `pcapdroid.pcapng` → chromium_h2_dsb.pcapng (keys embedded).
 * - live capture commands (`tcpdump … -w -`) → `cat phone.pcap`; `find /data` → `find .`;
 *   `/tmp/flows` → `flows` (inside the scratch folder).
 * - `leakscope` → the built CLI (bin/run.js) through a PATH shim.
 * An example passes when it exits 0 (1 when it asks for `--fail-on-leak`: the demo leaks),
 * prints no oclif parse error and no "not found".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';

const DEMO = path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap');
const LOOPBACK = path.join(FIXTURES, 'captures', 'loopback_clients.pcap');
const scratch = mkdtempSync(path.join(tmpdir(), 'leakscope-examples-'));

function setUp(): void {
  const bin = path.join(scratch, 'bin');
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, 'leakscope'),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO_ROOT, 'bin', 'run.js'))} "$@"\n`,
  );
  chmodSync(path.join(bin, 'leakscope'), 0o755);
  symlinkSync(FIXTURES, path.join(scratch, 'fixtures'));
  copyFileSync(DEMO, path.join(scratch, 'phone.pcap'));
  copyFileSync(DEMO, path.join(scratch, 'a.pcap'));
  execFileSync('editcap', ['-F', 'pcapng', DEMO, path.join(scratch, 'phone.pcapng')]);
  mkdirSync(path.join(scratch, 'captures'));
  copyFileSync(DEMO, path.join(scratch, 'captures', 'demo.pcap'));
  copyFileSync(LOOPBACK, path.join(scratch, 'captures', 'loopback.pcap'));
  mkdirSync(path.join(scratch, 'archive', '2020'), { recursive: true });
  execFileSync('bash', ['-c', `gzip -c ${JSON.stringify(DEMO)} > archive/2020/phone.pcap.gz && tar czf phones-2020-05.tar.gz phone.pcap`], { cwd: scratch });
  copyFileSync(path.join(REPO_ROOT, 'signatures', 'xiaomi.json'), path.join(scratch, 'my-pack.json'));
  copyFileSync(path.join(REPO_ROOT, 'signatures', 'xiaomi.json'), path.join(scratch, 'mine.json'));
  const keyed = path.join(REPO_ROOT, '..', 'shared', 'keyed', 'clients');
  copyFileSync(path.join(keyed, 'partial_keys.pcap'), path.join(scratch, 'tls-phone.pcap'));
  execFileSync('editcap', ['-F', 'pcapng', path.join(keyed, 'partial_keys.pcap'), path.join(scratch, 'tls-phone.pcapng')]);
  copyFileSync(path.join(keyed, 'partial_keys.keys'), path.join(scratch, 'sslkeys.log'));
  copyFileSync(path.join(keyed, 'partial_keys.keys'), path.join(scratch, 'chrome.keys'));
  copyFileSync(path.join(keyed, 'tls_h1_curl_openssl.keys'), path.join(scratch, 'curl.keys'));
  copyFileSync(path.join(keyed, 'chromium_h2_dsb.pcapng'), path.join(scratch, 'pcapdroid.pcapng'));
  writeFileSync(path.join(scratch, 'xiaomi-blocklist.txt'), '0.0.0.0 tracking.intl.miui.com\n0.0.0.0 data.mistat.intl.xiaomi.com\n');
  const batchOut = (out: string) => execFileSync(path.join(bin, 'leakscope'), ['batch', 'captures/', '--out', out, '--quiet', '--no-geo'], { cwd: scratch });
  mkdirSync(path.join(scratch, 'results'));
  batchOut('results/a.ndjson');
  for (let k = 0; k < 4; k++) batchOut(`shard-${k}.ndjson`);
}

/** The example with its placeholders replaced (see the list above). */
function runnable(example: string): string {
  return example
    .replace(/tcpdump(?: -i \w+)? -w -/g, 'cat phone.pcap')
    .replace(/find \/data /g, 'find . ')
    .replace(/\/tmp\/flows/g, 'flows');
}

function run(example: string) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', runnable(example)], {
    cwd: scratch,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH: `${path.join(scratch, 'bin')}:${process.env.PATH}` },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectRuns(example: string): void {
  const r = run(example);
  const wanted = example.includes('--fail-on-leak') ? [0, 1] : [0];
  expect(wanted, `${example}\n${r.stderr}`).toContain(r.status);
  expect(r.stderr).not.toMatch(/Missing \d+ required arg|not found|Unexpected argument|Error:/);
}

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { examples?: string[] }> };
const helpExamples = Object.entries(manifest.commands).flatMap(([id, c]) =>
  (c.examples ?? []).map((e) => [id, e.replaceAll('<%= config.bin %>', 'leakscope')] as const),
);

/** Lines of the README's sh blocks that run leakscope (not npm's own lines). */
function readmeExamples(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const out: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) if (/\bleakscope\b/.test(line) && !line.trim().startsWith('#')) out.push(line.trim());
  }
  // the command the README's sample report was printed by
  const sample = /`(leakscope analyze [^`]+)` prints/.exec(readme);
  if (sample) out.push(sample[1]);
  return out;
}

beforeAll(setUp, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('every --help example runs as written', () => {
  it('there are examples for every command', () => {
    for (const id of Object.keys(manifest.commands))
      expect(
        helpExamples.some(([c]) => c === id),
        id,
      ).toBe(true);
  });
  for (const [id, example] of helpExamples) {
    it(`${id}: ${example}`, () => expectRuns(example));
  }
});

describe('every README example runs as written', () => {
  const examples = readmeExamples();
  it('finds them', () => expect(examples.length).toBeGreaterThanOrEqual(6));
  for (const example of examples) {
    it(example, () => expectRuns(example));
  }
});

describe('near-misses name the command meant', () => {
  it.each([
    ['signatures list', 'leakscope signatures'],
    ['signatures tset tracking.intl.miui.com', 'leakscope signatures test tracking.intl.miui.com'],
    ['analyse phone.pcap', 'leakscope analyze phone.pcap'],
    ['event phone.pcap', 'leakscope events phone.pcap'],
  ])('%s → %s, exit 2', (typed, meant) => {
    const r = run(`leakscope ${typed}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`try: ${meant}`);
    expect(r.stderr.split('\n').length).toBeLessThan(6);
  });
});
