/**
 * The HTML report as a file, without a browser: the policy's hashes match the page's own style
 * and script, nothing refers outside the file, and the per-kind caps bound the page (what they
 * leave out is counted) while the JSON keeps everything.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT, sharedCapture } from '../helpers/paths.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

describe('analyze --format html', () => {
  it('is one file whose policy forbids requests and allows its own style and script by hash', () => {
    const r = cli(['analyze', path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap'), '--format', 'html']);
    expect(r.status).toBe(0);
    const page = r.stdout;
    const csp = (/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1] ?? '').replaceAll('&#39;', "'");
    expect(csp).toMatch(/^default-src 'none';/);
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    expect(csp).toContain(`style-src ${sha(styles[0])}`);
    expect(csp).toContain(`script-src ${sha(scripts[0])}`);
    // nothing that could fetch: no src, no external href, no url(), no @import
    expect(page).not.toMatch(/\ssrc=/);
    expect(page).not.toMatch(/href="(?!#)/);
    expect(page).not.toMatch(/url\(|@import/);
    expect(page).not.toMatch(/\sstyle="/); // inline style attributes would need 'unsafe-inline'
  });

  it('caps values per host and kind, counting what it leaves out; the JSON keeps them all', () => {
    const file = sharedCapture('http_mixed.pcap');
    const json = JSON.parse(cli(['analyze', file, '--format', 'json']).stdout);
    const cap = 50;
    const page = cli(['analyze', file, '--format', 'html', '--limit', `htmlValuesPerKind=${cap}`]).stdout;
    let capped = 0;
    json.hosts.forEach((h: { host: string; leaks: { kind: string }[] }, i: number) => {
      const section = page.split(`id="host-${i + 1}"`)[1].split('</section>')[0];
      expect(section).toContain(h.host);
      const perKind = new Map<string, number>();
      for (const l of h.leaks) perKind.set(l.kind, (perKind.get(l.kind) ?? 0) + 1);
      for (const [kind, n] of perKind) {
        const rows = section.split(`<tr data-kind="${kind}"`).length - 1;
        expect(rows, `${h.host} ${kind}`).toBe(Math.min(n, cap));
        if (n > cap) {
          capped++;
          expect(section).toContain(`${n - cap} more <code>${kind}</code> value(s) not listed here`);
        }
      }
    });
    expect(capped).toBeGreaterThan(0);
    expect(page.length).toBeLessThan(JSON.stringify(json).length);
  });

  it("draws on the timeline every host's requests as events counts them", () => {
    const file = path.join(FIXTURES, 'captures', 'loopback_clients.pcap');
    const counts = new Map<string, number>();
    for (const line of cli(['events', file, '--type', 'http', '--type', 'tls', '--type', 'quic', '--format', 'ndjson']).stdout.trim().split('\n')) {
      const e = JSON.parse(line);
      const names: string[] =
        e.type === 'http' ? [e.host ? e.host.toLowerCase().replace(/:\d+$/, '') : e.dst] : e.server_names.map((n: string) => n.toLowerCase());
      for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    expect(counts.size).toBeGreaterThan(0);
    const page = cli(['analyze', file, '--all-hosts', '--format', 'html']).stdout;
    const drawn = new Map([...page.matchAll(/<path class="act" d="[^"]+"><title>([^:<]+): (\d+) request\(s\)/g)].map((m) => [m[1], Number(m[2])]));
    expect(drawn).toEqual(counts);
  });

  it('is refused by commands without an HTML report, with a usage error', () => {
    const r = cli(['events', path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap'), '--format', 'html']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^leakscope: --format html is a report of analyze, batch, diff/);
  });
});
