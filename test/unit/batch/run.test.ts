import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBatch, workerScript } from '../../../src/batch/run.js';
import { defaultBatchConfig } from '../../../src/batch/task.js';
import { resultSetLines, type CaptureResultSet } from '../../../src/batch/records.js';
import type { BatchItem } from '../../../src/batch/inputs.js';
import { FIXTURES } from '../../helpers/paths.js';

const CAPS = path.join(FIXTURES, 'captures');
let tmp: string;
let items: BatchItem[];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-run-'));
  const tar = path.join(tmp, 'two.tgz');
  execFileSync('tar', ['-czf', tar, '-C', CAPS, 'loopback_clients.pcap', 'README.md']);
  writeFileSync(path.join(tmp, 'empty.pcap'), '');
  items = [
    { kind: 'capture', path: path.join(CAPS, 'loopback_clients.pcap'), size: 1 },
    { kind: 'capture', path: path.join(tmp, 'empty.pcap'), size: 0 },
    { kind: 'archive', path: tar, size: 1 },
  ];
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(jobs: number | 'inline', done?: Map<string, string>) {
  const sets: CaptureResultSet[] = [];
  const lines = new Map<string, string>();
  const skipped: string[] = [];
  const stats = await runBatch({
    items,
    config: defaultBatchConfig({ geo: { enabled: false } }),
    jobs,
    done,
    onResult: (s, serialised) => {
      sets.push(s);
      // workers hand over their records serialised (and the set slim); inline runs do not
      lines.set(s.capture.capture, serialised ?? resultSetLines(s));
    },
    onSkipped: (n) => skipped.push(n),
  });
  const key = (s: CaptureResultSet) => path.basename(s.capture.capture);
  sets.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return { sets, lines: [...lines.entries()].sort(), skipped, stats };
}

describe('runBatch', () => {
  it('inline: a capture, an unreadable file, an archive with a capture and a non-capture member', async () => {
    const { sets, stats } = await collect('inline');
    expect(stats).toEqual({ captures: 4, ok: 2, partial: 0, errors: 2, skipped: 0, jobs: 0 });
    expect(sets.map((s) => [path.basename(s.capture.capture), s.capture.type])).toEqual([
      ['empty.pcap', 'error'],
      ['loopback_clients.pcap', 'capture'],
      ['two.tgz:README.md', 'error'],
      ['two.tgz:loopback_clients.pcap', 'capture'],
    ]);
    // the member's bytes are the file's: same hash, same host names
    expect(sets[3].capture).toMatchObject({ sha256: (sets[1].capture as { sha256: string }).sha256, hosts: sets[1].hosts.length });
    expect(sets[3].hosts.map((h) => h.host)).toEqual(sets[1].hosts.map((h) => h.host));
  });

  it('resume: an unchanged capture or member is skipped, not re-reported', async () => {
    const first = await collect('inline');
    const done = new Map<string, string>();
    for (const s of first.sets) if (s.capture.type === 'capture') done.set(s.capture.capture, s.capture.sha256);
    const again = await collect('inline', done);
    expect(again.skipped.map((n) => path.basename(n)).sort()).toEqual(['loopback_clients.pcap', 'two.tgz:loopback_clients.pcap']);
    expect(again.sets.every((s) => s.capture.type === 'error')).toBe(true);
  });

  it.runIf(existsSync(new URL(workerScript())))('worker threads give the same records as inline (needs the build in dist/)', async () => {
    const inline = await collect('inline');
    const threaded = await collect(2);
    expect(threaded.stats.jobs).toBe(2);
    expect(threaded.lines).toEqual(inline.lines);
    expect(threaded.lines.length).toBe(4);
  });
});

describe('formatBatchProgress', () => {
  it('inputs, captures, bytes, rate, ETA and failures', async () => {
    const { formatBatchProgress } = await import('../../../src/batch/progress.js');
    const line = formatBatchProgress({ itemsDone: 12, itemsTotal: 100, bytesDone: 50_000_000, bytesTotal: 250_000_000, captures: 15, failures: 2 }, 10);
    expect(line).toBe('inputs 12/100, 15 captures, 50.0 MB of 250.0 MB, 5.0 MB/s, 40s left, 2 failed');
  });
});
