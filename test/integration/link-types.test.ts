/**
 * Link types of phones and Wi-Fi: the same traffic recorded as IEEE 802.11 (no radio header,
 * radiotap with FCS, radiotap with a padded 4-address header, PPI), Linux NFLOG, PPP and PPP
 * in HDLC framing (test-support/link-captures.ts) gives the report the Ethernet capture gives,
 * and agrees with tshark's packet, TCP, UDP and protected-frame counts. Protected 802.11
 * frames and a link type leakscope does not decode are counted and named, never a clean,
 * empty result.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import { captureInfo } from '../../src/engine/info.js';
import { ipPackets, unsupportedCapture, wrapCapture, WRAPPINGS, LINK_TYPE_OF } from '../../test-support/link-captures.js';
import { FIXTURES, REPO_ROOT, sharedCapture } from '../helpers/paths.js';

const SOURCES = [path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap'), sharedCapture('tls_curl_openssl.pcap')];
const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-links-'));
const hasTshark = spawnSync('tshark', ['-v']).status === 0;

/** Hosts as comparable across captures of the same traffic: evidence names the capture, its hash and its framing. */
const comparable = (hosts: unknown): string =>
  JSON.stringify(hosts)
    .replace(/"sha256":"[0-9a-f]{64}"/g, '"sha256":"…"')
    .replace(/"(capture|file)":"[^"]*"/g, '"$1":"…"')
    .replace(/"captures":\["[^"]*"\]/g, '"captures":["…"]');

async function hostsOf(bytes: Buffer): Promise<{ hosts: unknown; status: unknown }> {
  const r = await analyzeCaptures([{ name: 'x', source: Readable.from([bytes]) }]);
  return { hosts: r.hosts, status: r.header.captures[0] };
}

function tsharkCount(file: string, filter?: string): number {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', ...(filter ? ['-Y', filter] : [])], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter(Boolean).length;
}

describe.each(SOURCES)('%s over other link types', (source) => {
  const original = readFileSync(source);
  const packets = ipPackets(original);

  it.each(WRAPPINGS)("%s: the Ethernet capture's report, and tshark's counts", async (wrapping) => {
    const expected = await hostsOf(original);
    expect((expected.hosts as unknown[]).length).toBeGreaterThan(0);
    const { bytes, protectedFrames } = wrapCapture(packets, wrapping, 7);
    const isWlan = LINK_TYPE_OF[wrapping] !== 239 && LINK_TYPE_OF[wrapping] !== 9 && LINK_TYPE_OF[wrapping] !== 50;
    expect(protectedFrames > 0).toBe(isWlan);

    const got = await hostsOf(bytes);
    // a protected frame follows every 7th packet: original frame n (1-based) is frame n + ⌈(n-1)/7⌉ here
    const renumbered = isWlan
      ? comparable(expected.hosts).replace(/"frame":(\d+)/g, (_, n) => `"frame":${Number(n) + Math.ceil((Number(n) - 1) / 7)}`)
      : comparable(expected.hosts);
    expect(comparable(got.hosts)).toBe(renumbered);
    // protected frames are named in the capture's status, which is partial
    if (isWlan) {
      expect(got.status).toMatchObject({
        status: 'partial',
        not_decoded: [{ linktype: LINK_TYPE_OF[wrapping], packets: protectedFrames, reason: 'encrypted (protected 802.11 frames)' }],
      });
    } else {
      expect(got.status).toMatchObject({ status: 'ok' });
    }

    const info = await captureInfo(Readable.from([bytes]), { name: wrapping });
    expect(info.packets).toBe(packets.length + protectedFrames);
    expect(info.layers.ipv4 + info.layers.ipv6).toBe(packets.length);
    if (!hasTshark) return;
    const file = path.join(tmp, `${path.basename(source)}-${wrapping}.pcap`);
    writeFileSync(file, bytes);
    expect(tsharkCount(file)).toBe(info.packets);
    expect(tsharkCount(file, 'tcp')).toBe(info.layers.tcp);
    expect(tsharkCount(file, 'udp')).toBe(info.layers.udp);
    expect(tsharkCount(file, 'wlan.fc.protected == 1')).toBe(protectedFrames);
  });
});

describe('a link type leakscope does not decode', () => {
  const bytes = unsupportedCapture(ipPackets(readFileSync(SOURCES[0])));
  const file = path.join(tmp, 'user0.pcap');
  writeFileSync(file, bytes);
  const run = (args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'run.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  it('analyze: counted and named in the JSON header, a warning on stderr, status partial, exit 3', () => {
    const r = run(['analyze', file, '--format', 'json']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('73 packets of USER0 (147) not decoded: link type not supported');
    const doc = JSON.parse(r.stdout);
    expect(doc.captures[0]).toMatchObject({
      status: 'partial',
      packets: 73,
      not_decoded: [{ linktype: 147, name: 'USER0', packets: 73, reason: 'link type not supported' }],
    });
  });

  it('analyze --quiet: the table footer says it', () => {
    const r = run(['analyze', file, '--quiet']);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${file}: partial: 73 packets of USER0 (147) not decoded: link type not supported`);
  });

  it('events and streams: exit 3 and the warning; info: its status', () => {
    for (const command of ['events', 'streams']) {
      const r = run([command, file, '--format', 'ndjson']);
      expect(r.status, command).toBe(3);
      expect(r.stderr, command).toContain('not decoded: link type not supported');
    }
    const info = run(['info', file, '--quiet']);
    expect(info.stdout).toMatch(/Status\s+│ partial: 73 packets of USER0 \(147\) not decoded/);
  });
});
