/**
 * HTTP/3 inside QUIC through the built CLI with a key log (issue 20): `events --type http`
 * lists the requests of h3_chromium_caddy's truth file, `streams --udp` says each QUIC flow was
 * decrypted, `analyze` reports its leaks with evidence starting at the encryption.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED } from '../helpers/paths.js';

const H3 = `${SHARED}/keyed/clients/h3_chromium_caddy`;

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args, '-q'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}
const ndjson = (args: string[]): Record<string, unknown>[] =>
  cli([...args, '--format', 'ndjson'])
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('HTTP/3 with --keylog (built CLI)', () => {
  it('events --type http: every request of the truth file, carried by quic, http_version 3, on its stream', () => {
    const truth = JSON.parse(readFileSync(`${H3}.truth.json`, 'utf8')) as {
      flows: Array<{ client: string; requests: Array<{ stream_id: number; method: string; authority: string; uri: string }> }>;
    };
    const got = ndjson(['events', `${H3}.pcap`, '--keylog', `${H3}.keys`, '--type', 'http']);
    const want = truth.flows.flatMap((f) => f.requests.map((r) => `${f.client} ${r.stream_id} ${r.method} ${r.authority} ${r.uri}`)).sort();
    expect(got.map((o) => `${o.src}:${o.sport} ${o.stream_id} ${o.method} ${o.host} ${o.uri}`).sort()).toEqual(want);
    expect(got.every((o) => o.carrier === 'quic' && o.http_version === '3')).toBe(true);
  });

  it('streams --udp: each QUIC flow decrypted; without the key log: no decryption field set', () => {
    const withKeys = ndjson(['streams', `${H3}.pcap`, '--keylog', `${H3}.keys`, '--udp']).filter((s) => s.protocol === 'quic');
    expect(withKeys).toHaveLength(6);
    expect(withKeys.every((s) => s.decryption === 'decrypted' && s.opaque_bytes === 0)).toBe(true);
    const without = ndjson(['streams', `${H3}.pcap`, '--udp']).filter((s) => s.protocol === 'quic');
    expect(without.every((s) => s.decryption === null && (s.opaque_bytes as number) > 0)).toBe(true);
  });

  it('analyze: the search query of the duckduckgo request, with evidence that starts at the encryption', () => {
    const hosts = JSON.parse(cli(['analyze', `${H3}.pcap`, '--keylog', `${H3}.keys`, '--all-hosts', '--format', 'json'])) as {
      hosts: Array<{ host: string; decrypted_bytes: number; leaks: Array<{ kind: string; value: string; evidence: Array<{ chain: string }> }> }>;
    };
    const ddg = hosts.hosts.find((h) => h.host === 'duckduckgo.com')!;
    expect(ddg.decrypted_bytes).toBeGreaterThan(0);
    const q = ddg.leaks.find((l) => l.kind === 'search_query' && l.value === 'porno');
    expect(q?.evidence[0]?.chain).toMatch(/^quic → h3 stream \d+ → /);
  });
});
