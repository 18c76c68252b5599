/**
 * `leakscope batch` and `leakscope merge` end to end, through the built CLI (`npm test` builds
 * first; run `npx tsc -p .` before running this file alone). The captures are generated here:
 * variants of fixtures/captures/loopback_clients.pcap that differ by a trailing padding packet,
 * plus damaged and unreadable ones.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { analyzeCaptures } from '../../src/engine/analyze.js';
import { openGeo } from '../../geo/lookup.js';
import { PcapWriter } from '../../src/capture/writer.js';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';

const RUN = path.join(REPO_ROOT, 'bin', 'run.js');
const LOOPBACK = readFileSync(path.join(FIXTURES, 'captures', 'loopback_clients.pcap'));
const geo = openGeo();

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
function leakscope(args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, [RUN, ...args], { cwd: REPO_ROOT, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Rec = Record<string, unknown> & { type: string; capture?: string };
const records = (text: string): Rec[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);

/** The loopback capture plus one padding frame of `n` bytes (experimental ethertype 0x88b5: no flow). */
function variant(n: number): Buffer {
  const frame = new Uint8Array(14 + n);
  frame[12] = 0x88;
  frame[13] = 0xb5;
  frame.fill(n & 0xff, 14);
  return Buffer.concat([LOOPBACK, new PcapWriter().packet({ tsSec: 1_700_000_000 + n, tsNsec: 0, data: frame })]);
}

/** What `analyze` gives for one capture alone, as the host objects its NDJSON prints. */
async function analyzeAlone(name: string, source: string | NodeJS.ReadableStream): Promise<unknown[]> {
  const r = await analyzeCaptures([{ name, source }], { geo });
  return JSON.parse(JSON.stringify(r.hosts));
}

/** capture name → {capture record, host records without their `capture` field} */
function bySet(recs: Rec[]): Map<string, { capture: Rec; hosts: Rec[] }> {
  const sets = new Map<string, { capture: Rec; hosts: Rec[] }>();
  for (const r of recs) {
    if (r.type === 'capture' || r.type === 'error') sets.set(r.capture!, { capture: r, hosts: [] });
    if (r.type === 'host') {
      const { capture, ...host } = r;
      sets.get(capture as string)!.hosts.push(host as Rec);
    }
  }
  return sets;
}

const aggregateOf = (recs: Rec[]): Rec => {
  const aggs = recs.filter((r) => r.type === 'aggregate');
  expect(aggs).toHaveLength(1);
  expect(recs[recs.length - 1].type).toBe('aggregate');
  return aggs[0];
};

let tmp: string;
let caps: string;
const CORRUPT = ['empty.pcap', 'wrong-magic.pcap', 'zip.pcap', 'x.pcap', 'dangling.pcap'];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-batch-'));
  caps = path.join(tmp, 'caps');
  mkdirSync(caps);
  for (let i = 0; i < 100; i++) {
    const bytes = variant(i + 1);
    // every tenth one gzipped: .pcap.gz is read like the rest
    if (i % 10 === 9) writeFileSync(path.join(caps, `v${String(i).padStart(3, '0')}.pcap.gz`), gzipSync(bytes));
    else writeFileSync(path.join(caps, `v${String(i).padStart(3, '0')}.pcap`), bytes);
  }
  writeFileSync(path.join(caps, 'empty.pcap'), '');
  writeFileSync(path.join(caps, 'wrong-magic.pcap'), Buffer.from('this is not a capture at all, just text\n'));
  writeFileSync(path.join(caps, 'zip.pcap'), Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), Buffer.alloc(100)]));
  mkdirSync(path.join(caps, 'x.pcap'));
  symlinkSync(path.join(tmp, 'no-such-target'), path.join(caps, 'dangling.pcap'));
  writeFileSync(path.join(caps, 'README.txt'), 'not a capture, not picked up by the directory walk\n');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('batch over a directory of 100 captures and 5 unreadable ones', () => {
  let run: Run;
  let recs: Rec[];
  beforeAll(() => {
    run = leakscope(['batch', caps, '--jobs', '2', '--out', path.join(tmp, 'all.ndjson')]);
    recs = records(readFileSync(path.join(tmp, 'all.ndjson'), 'utf8'));
  });

  it('exits 3 and writes nothing to stdout when --out is given', () => {
    expect(run.stderr).toContain('105 capture(s) analysed (100 ok, 0 partial, 5 failed) with 2 worker(s)');
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
  });

  it('names the 5 unreadable captures in error records', () => {
    const errors = recs.filter((r) => r.type === 'error');
    expect(errors.map((e) => path.basename(e.capture!)).sort()).toEqual([...CORRUPT].sort());
    const msg = (name: string) => errors.find((e) => e.capture === path.join(caps, name))!.message as string;
    expect(msg('empty.pcap')).toMatch(/empty/);
    expect(msg('zip.pcap')).toMatch(/zip archive/);
    expect(msg('wrong-magic.pcap')).toMatch(/not a pcap or pcapng file/);
    expect(msg('x.pcap')).toMatch(/is a directory/);
    expect(msg('dangling.pcap')).toMatch(/ENOENT/);
  });

  it("every capture's records equal what analyze gives for that file alone", async () => {
    const sets = bySet(recs);
    const ok = [...sets.values()].filter((s) => s.capture.type === 'capture');
    expect(ok).toHaveLength(100);
    for (const s of ok) {
      const name = s.capture.capture!;
      expect(s.capture.status).toBe('ok');
      expect(s.capture.packets).toBe(72); // 71 of the loopback capture + the padding frame
      expect(s.hosts).toHaveLength(s.capture.hosts as number);
      expect(s.hosts).toEqual(await analyzeAlone(name, name));
    }
    expect(ok[0].hosts.length).toBeGreaterThan(0);
    expect(ok[0].capture.leaks).toBe(18);
  });

  it("keeps each capture's host records right after its capture record", () => {
    let open: string | null = null;
    let left = 0;
    for (const r of recs) {
      if (r.type === 'host') {
        expect(r.capture).toBe(open);
        left--;
      } else {
        expect(left).toBe(0);
        open = r.capture ?? null;
        left = r.type === 'capture' ? (r.hosts as number) : 0;
      }
    }
  });

  it('aggregates hosts × captures and links the captures by their identifiers', () => {
    const agg = aggregateOf(recs) as unknown as {
      totals: Record<string, number>;
      hosts: { host: string; captures: number }[];
      captures: { capture: string; status: string; hosts: string[] }[];
      linked_identifiers: { kind: string; value: string; captures: string[] }[];
      devices: { captures: string[] }[];
    };
    expect(agg.totals).toMatchObject({ captures: 105, ok: 100, partial: 0, error: 5 });
    expect(agg.hosts.find((h) => h.host === 'tracking.intl.miui.com')!.captures).toBe(100);
    expect(agg.captures.map((c) => c.capture)).toEqual([...agg.captures.map((c) => c.capture)].sort());
    expect(agg.captures.find((c) => c.capture.endsWith('x.pcap'))).toEqual({ capture: path.join(caps, 'x.pcap'), sha256: null, status: 'error', hosts: [] });
    // the shared device profile's IMEI is in all 100 readable captures: one device
    const imei = agg.linked_identifiers.find((i) => i.kind === 'imei' && i.value === '864811045123671')!;
    expect(imei.captures).toHaveLength(100);
    expect(agg.devices).toHaveLength(1);
  });

  it('the host records match the analyze command itself (three captures)', async () => {
    const sets = bySet(recs);
    for (const name of ['v000.pcap', 'v009.pcap.gz', 'v099.pcap.gz']) {
      const file = path.join(caps, name);
      const alone = leakscope(['analyze', file, '--format', 'ndjson']);
      expect(alone.status).toBe(0);
      expect(sets.get(file)!.hosts).toEqual(records(alone.stdout));
    }
  });
});

describe('batch inputs', () => {
  it('a truncated capture is partial: what came before the cut is reported, exit 3', () => {
    const file = path.join(tmp, 'cut.pcap');
    writeFileSync(file, LOOPBACK.subarray(0, LOOPBACK.length - 40));
    const r = leakscope(['batch', file, path.join(caps, 'v000.pcap')]);
    expect(r.status).toBe(3);
    const sets = bySet(records(r.stdout));
    const cut = sets.get(file)!.capture;
    expect(cut).toMatchObject({ type: 'capture', status: 'partial', damage: { frame: 70 } });
    expect(sets.get(file)!.hosts.length).toBeGreaterThan(0);
    expect(sets.get(path.join(caps, 'v000.pcap'))!.capture.status).toBe('ok');
  });

  it('globs: only the matching captures', () => {
    const r = leakscope(['batch', `${caps}/v0[0-1]?.pcap*`]);
    expect(r.status).toBe(0);
    const names = records(r.stdout)
      .filter((x) => x.type === 'capture')
      .map((x) => path.basename(x.capture!))
      .sort();
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `v${String(i).padStart(3, '0')}.pcap${i % 10 === 9 ? '.gz' : ''}`));
  });

  it('a list of paths on standard input', () => {
    const list = [path.join(caps, 'v001.pcap'), path.join(caps, 'v002.pcap'), ''].join('\n');
    const r = leakscope(['batch', '--from-stdin'], list);
    expect(r.status).toBe(0);
    expect(
      records(r.stdout)
        .filter((x) => x.type === 'capture')
        .map((x) => path.basename(x.capture!)),
    ).toHaveLength(2);
  });

  it.each([
    ['tar', ['-cf']],
    ['tar.gz', ['-czf']],
  ])('a %s archive is read as a stream; members named archive:member', async (ext, flags) => {
    const archive = path.join(tmp, `three.${ext}`);
    spawnSync('tar', [...flags, archive, '-C', caps, 'v001.pcap', 'v002.pcap', 'v009.pcap.gz', 'README.txt']);
    const r = leakscope(['batch', archive]);
    expect(r.status).toBe(3); // README.txt is a member that is not a capture
    const sets = bySet(records(r.stdout));
    expect([...sets.keys()].sort()).toEqual(['v001.pcap', 'v002.pcap', 'v009.pcap.gz', 'README.txt'].map((m) => `${archive}:${m}`).sort());
    expect(sets.get(`${archive}:README.txt`)!.capture).toMatchObject({ type: 'error', message: expect.stringMatching(/not a pcap or pcapng file/) });
    for (const m of ['v001.pcap', 'v002.pcap', 'v009.pcap.gz']) {
      const name = `${archive}:${m}`;
      const bytes = readFileSync(path.join(caps, m));
      expect(sets.get(name)!.capture.status).toBe('ok');
      expect(sets.get(name)!.hosts).toEqual(await analyzeAlone(name, Readable.from([bytes])));
    }
  });

  it('a damaged archive: members before the damage, then an error record for the archive', () => {
    const archive = path.join(tmp, 'damaged.tar');
    spawnSync('tar', ['--format=ustar', '-cf', archive, '-C', caps, 'v001.pcap', 'v002.pcap']);
    const tar = readFileSync(archive);
    const second = 512 + Math.ceil(variant(2).length / 512) * 512;
    tar[second + 10] ^= 0x55; // the second member's header checksum no longer holds
    writeFileSync(archive, tar);
    const r = leakscope(['batch', archive, path.join(caps, 'v003.pcap')]);
    expect(r.status).toBe(3);
    const sets = bySet(records(r.stdout));
    expect(sets.get(`${archive}:v001.pcap`)!.capture.status).toBe('ok');
    expect(sets.get(archive)!.capture).toEqual({
      type: 'error',
      capture: archive,
      message: `${archive}: damaged tar archive at byte ${second}: header checksum mismatch (after 1 member)`,
    });
    expect(sets.get(path.join(caps, 'v003.pcap'))!.capture.status).toBe('ok');
  });
});

describe('resume, shards and merge', () => {
  const pick = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => path.join(caps, `v${String(from + i).padStart(3, '0')}.pcap`));

  it('--resume skips what is recorded, appends the rest, recomputes the aggregate over the file', () => {
    const out = path.join(tmp, 'resume.ndjson');
    expect(leakscope(['batch', ...pick(0, 5), '--out', out]).status).toBe(0);
    // an interrupted run leaves a torn line: it is cut off, not kept
    appendFileSync(out, '{"type":"capture","capture":"torn');
    const second = leakscope(['batch', ...pick(0, 8), '--out', out, '--resume']);
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('3 capture(s) analysed (3 ok, 0 partial, 0 failed), 5 already in');
    const recs = records(readFileSync(out, 'utf8'));
    expect(recs.filter((r) => r.type === 'capture')).toHaveLength(8);

    const fresh = leakscope(['batch', ...pick(0, 8)]);
    expect(aggregateOf(recs)).toEqual(aggregateOf(records(fresh.stdout)));

    // a capture that changed (new SHA-256) is analysed again; the later record wins
    writeFileSync(pick(7, 8)[0], variant(500));
    const third = leakscope(['batch', ...pick(0, 8), '--out', out, '--resume']);
    expect(third.stderr).toContain('1 capture(s) analysed (1 ok, 0 partial, 0 failed), 7 already in');
    const agg = aggregateOf(records(readFileSync(out, 'utf8'))) as { captures: { capture: string; sha256: string }[] };
    expect(agg.captures).toHaveLength(8);
    writeFileSync(pick(7, 8)[0], variant(8)); // restore for the other tests
  });

  it('merge of two shards equals the unsharded run', () => {
    const inputs = [caps];
    const whole = records(leakscope(['batch', ...inputs]).stdout);
    const s0 = path.join(tmp, 'shard0.ndjson');
    const s1 = path.join(tmp, 'shard1.ndjson');
    expect(leakscope(['batch', ...inputs, '--shard', '1/2', '--out', s0]).status).toBe(3);
    expect(leakscope(['batch', ...inputs, '--shard', '2/2', '--out', s1]).status).toBe(3);
    const n0 = records(readFileSync(s0, 'utf8')).filter((r) => r.type !== 'aggregate' && r.type !== 'host').length;
    const n1 = records(readFileSync(s1, 'utf8')).filter((r) => r.type !== 'aggregate' && r.type !== 'host').length;
    expect(n0 + n1).toBe(105);
    expect(n0).toBeGreaterThan(20);
    const merged = leakscope(['merge', s0, s1]);
    expect(merged.status).toBe(0);
    const mrecs = records(merged.stdout);
    expect(aggregateOf(mrecs)).toEqual(aggregateOf(whole));
    // and the merged records are the unsharded run's, per capture
    const a = bySet(mrecs);
    const b = bySet(whole);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, v] of a) expect(v).toEqual(b.get(k));
  });

  it('--resume retries a capture that failed and keeps one outcome per capture', () => {
    const out = path.join(tmp, 'retry.ndjson');
    const flaky = path.join(tmp, 'flaky.pcap');
    writeFileSync(flaky, ''); // not a capture yet
    expect(leakscope(['batch', ...pick(0, 2), flaky, '--out', out]).status).toBe(3);
    expect(
      records(readFileSync(out, 'utf8'))
        .filter((r) => r.capture === flaky)
        .map((r) => r.type),
    ).toEqual(['error']);
    // still failing: retried, and still one error record
    expect(leakscope(['batch', ...pick(0, 2), flaky, '--out', out, '--resume']).status).toBe(3);
    expect(
      records(readFileSync(out, 'utf8'))
        .filter((r) => r.capture === flaky)
        .map((r) => r.type),
    ).toEqual(['error']);
    // now readable: retried, and the capture's one outcome is its result
    writeFileSync(flaky, variant(900));
    const third = leakscope(['batch', ...pick(0, 2), flaky, '--out', out, '--resume']);
    expect(third.status).toBe(0);
    expect(third.stderr).toContain('1 capture(s) analysed (1 ok, 0 partial, 0 failed), 2 already in');
    const recs = records(readFileSync(out, 'utf8'));
    expect(recs.filter((r) => r.capture === flaky && r.type !== 'host').map((r) => r.type)).toEqual(['capture']);
    expect(recs.filter((r) => r.type === 'capture')).toHaveLength(3);
    expect(aggregateOf(recs)).toEqual(aggregateOf(records(leakscope(['batch', ...pick(0, 2), flaky]).stdout)));
  });

  it('the same capture given twice (same SHA-256, two paths) is analysed once, with a note', () => {
    const copy = path.join(tmp, 'copy-of-v001.pcap');
    writeFileSync(copy, readFileSync(pick(1, 2)[0]));
    const r = leakscope(['batch', ...pick(0, 3), copy]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${copy}: same content (SHA-256) as ${pick(1, 2)[0]}; analysed once`);
    const caps = records(r.stdout)
      .filter((x) => x.type === 'capture')
      .map((x) => x.capture);
    expect(caps).toHaveLength(3);
    expect(caps).not.toContain(copy);
  });

  it('merge of a file that is not batch output is exit 2 naming it', () => {
    const report = path.join(tmp, 'analyze.ndjson');
    writeFileSync(report, leakscope(['analyze', pick(0, 1)[0], '--format', 'ndjson']).stdout);
    for (const file of [report, pick(0, 1)[0]]) {
      const r = leakscope(['merge', file]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`leakscope: ${file}: not batch output`);
    }
  });

  it('--format table shows the aggregate as tables', () => {
    const r = leakscope(['batch', ...pick(0, 3), '--format', 'table']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Hosts across captures');
    expect(r.stdout).toMatch(/tracking\.intl\.miui\.com.*3 \/ 3/);
    expect(r.stdout).toContain('Identifiers seen in more than one capture');
    expect(r.stdout).toContain('864811045123671');
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['batch'], /no inputs/],
    [['batch', 'x.pcap', '--shard', '3/2'], /K must be 1 to 2 \(shards are numbered from 1\)/],
    [['batch', 'x.pcap', '--shard', '0/2'], /K must be 1 to 2/],
    [['batch', 'x.pcap', '--resume'], /--out/],
  ])('%j', (args, message) => {
    const r = leakscope(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
