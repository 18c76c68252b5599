/**
 * ClientHellos split before the record header (zapret/GoodbyeDPI: a first TCP segment of 1-4
 * bytes) and over several TLS records are recognised and their server names reported, as
 * tshark reports them (test-support/split-hello.ts writes the capture).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanCapture } from '../../src/engine/scan.js';
import type { Observation } from '../../src/engine/observations.js';
import { writePcapFile } from '../../test-support/synth/pcap-file.js';
import { SPLIT_CASES, generateSplitHellos } from '../../test-support/split-hello.js';

const work = mkdtempSync(path.join(tmpdir(), 'leakscope-split-'));
const file = path.join(work, 'split.pcap');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await writePcapFile(file, (sink) => generateSplitHellos(sink));
});

describe('split ClientHellos', () => {
  it('every server name is reported, once, with the frame that completed the hello', async () => {
    const tls: Observation[] = [];
    const streams: string[] = [];
    await scanCapture(file, {
      onObservation: (o) => {
        if (o.type === 'tls') tls.push(o);
      },
      onFlowClose: (_f, extra) => streams.push(extra.protocol),
    });
    expect(tls.map((o) => o.type === 'tls' && o.sni)).toEqual(SPLIT_CASES.map((c) => c.name));
    expect(tls.every((o) => o.type === 'tls' && !o.cut && o.ja4 !== null)).toBe(true);
    expect(streams).toEqual(SPLIT_CASES.map(() => 'tls'));
  });

  const HAVE_TSHARK = spawnSync('tshark', ['-v']).status === 0;
  it.skipIf(!HAVE_TSHARK)('tshark sees the same server names', () => {
    const out = execFileSync('tshark', ['-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tls.handshake.extensions_server_name'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(out.trim().split('\n')).toEqual(SPLIT_CASES.map((c) => c.name));
  });
});
