/**
 * A capture cut short anywhere (a full disk, a killed tcpdump, a partial download) must still
 * report everything before the cut: the same frames and the same observations as the whole
 * file up to the last complete record, never an exception (except CaptureFormatError when not
 * even the file header is there).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureLayout } from '../../test-support/synth/mutate.js';
import { buildClientHelloRecord, buildServerHelloRecord } from '../../test-support/synth/tls.js';
import { buildDnsQuery, buildDnsResponse } from '../../test-support/synth/dns.js';
import { tcpFlags } from '../../test-support/synth/packets.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { TcpConversation, pcapOf, scanBytes, udpFrame, type Scanned } from './helpers.js';

/** ~1.4 KB: a DNS lookup, a TLS ClientHello/ServerHello and a plaintext HTTP exchange. */
function smallCapture(): Uint8Array {
  const tls = new TcpConversation(40001, 443)
    .handshake()
    .client(buildClientHelloRecord({ serverName: 'tracking.intl.miui.com', tls13: false }))
    .server(buildServerHelloRecord('1.2'));
  const http = new TcpConversation(40002, 80)
    .handshake()
    .client('POST /sa?project=p HTTP/1.1\r\nHost: sa.example\r\nContent-Length: 9\r\n\r\nimei=8648')
    .server('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    .client('', tcpFlags.FIN | tcpFlags.ACK);
  return pcapOf([
    udpFrame(true, 45000, 53, buildDnsQuery(1, 'tracking.intl.miui.com')),
    udpFrame(false, 53, 45000, buildDnsResponse(1, 'tracking.intl.miui.com', 'A', [{ name: 'tracking.intl.miui.com', type: 'A', data: '198.51.100.10' }])),
    ...tls.frames,
    ...http.frames,
  ]);
}

/** records wholly inside the first `cut` bytes */
function wholeRecords(bytes: Uint8Array, cut: number): number {
  return captureLayout(bytes)!.units.filter((u) => u.offset + u.length <= cut).length;
}

/** what a cut run must show, compared with the whole file's run */
function checkCut(full: Scanned, bytes: Uint8Array, cut: number, cutRun: Scanned): string | null {
  if (cutRun.error) {
    if (cutRun.error.name === 'CaptureFormatError' && cut < 24) return null;
    return `threw ${cutRun.error.name}: ${cutRun.error.message}`;
  }
  const k = wholeRecords(bytes, cut);
  if (cutRun.result!.read.frames !== k) return `${cutRun.result!.read.frames} frames, want ${k}`;
  if (cutRun.result!.anomalies.countsObject().internal_decoder_error) return 'internal_decoder_error';
  const have = new Set(cutRun.observations.map((o) => JSON.stringify(o)));
  for (const o of full.observations) if (o.frame <= k && !have.has(JSON.stringify(o))) return `lost ${JSON.stringify(o)}`;
  return null;
}

async function cutsFailing(bytes: Uint8Array, cuts: Iterable<number>): Promise<{ checked: number; failing: string[] }> {
  const full = await scanBytes(bytes);
  expect(full.error).toBeUndefined();
  const failing: string[] = [];
  let checked = 0;
  for (const cut of cuts) {
    checked++;
    const problem = checkCut(full, bytes, cut, await scanBytes(bytes.subarray(0, cut)));
    if (problem) failing.push(`cut at ${cut}: ${problem}`);
  }
  return { checked, failing };
}

describe('truncation', () => {
  const small = smallCapture();

  it('the generated capture holds what the cuts are checked against (dns, tls, tls_server, http, http_response)', async () => {
    const full = await scanBytes(small);
    expect(full.observations.map((o) => o.type).sort()).toEqual(['dns', 'http', 'http_response', 'tls', 'tls_server']);
    expect(full.result!.anomalies.total).toBe(0);
  });

  it('a generated capture cut at every byte offset keeps every frame and observation before the cut', async () => {
    const { checked, failing } = await cutsFailing(
      small,
      Array.from({ length: small.length }, (_, i) => i),
    );
    expect(checked).toBe(small.length);
    expect(failing).toEqual([]);
  });

  it('fixtures/captures/loopback_clients.pcap (real curl, dig and OpenSSL traffic) cut at every byte offset keeps everything before the cut', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(REPO_ROOT, 'fixtures/captures/loopback_clients.pcap')));
    const { checked, failing } = await cutsFailing(
      bytes,
      Array.from({ length: bytes.length + 1 }, (_, i) => i),
    );
    expect(checked).toBe(15823);
    expect(failing).toEqual([]);
  });

  it('fixtures/captures/mi_browser_demo.pcap cut at every record boundary, ±1 and inside each record header keeps everything before the cut', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(REPO_ROOT, 'fixtures/captures/mi_browser_demo.pcap')));
    const cuts = new Set<number>([0, 1, 23, 24, 25]);
    for (const u of captureLayout(bytes)!.units) for (const d of [-1, 0, 1, 8, 15, 16, 17]) cuts.add(u.offset + d);
    const { checked, failing } = await cutsFailing(
      bytes,
      [...cuts].filter((c) => c <= bytes.length).sort((a, b) => a - b),
    );
    expect(checked).toBeGreaterThan(400);
    expect(failing).toEqual([]);
  });
});
