/**
 * Ctrl-C on a live capture: `leakscope analyze -` (and events, streams, info) reading a pipe
 * that stays open stops reading on SIGINT, SIGTERM or SIGHUP, finishes the flows and prints the
 * report of what was read, marked interrupted, with exit 130. The report must be the one the
 * same packets give when read from a file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedCapture } from '../helpers/paths.js';

const RUN = path.join(REPO_ROOT, 'bin', 'run.js');
const CAPTURE = readFileSync(sharedCapture('http_mixed.pcap'));
const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-interrupt-'));

/** The classic pcap `bytes` cut after its first `packets` records (little-endian, as http_mixed.pcap is). */
function firstPackets(bytes: Buffer, packets: number): Buffer {
  let off = 24;
  for (let i = 0; i < packets; i++) off += 16 + bytes.readUInt32LE(off + 8);
  return bytes.subarray(0, off);
}

interface Interrupted {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `leakscope <args> -`, writes `bytes` into its standard input and keeps the pipe open;
 * once the CLI has taken the bytes, sends `signal`.
 */
async function interrupt(args: string[], bytes: Buffer, signal: NodeJS.Signals): Promise<Interrupted> {
  const child = spawn(process.execPath, [RUN, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  // decoded at the end: a character may be split between two chunks
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => stdout.push(c));
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const closed = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (status, sig) => resolve({ status, signal: sig })),
  );
  // the callback runs when all but the pipe's last 64 KiB are taken by the reader
  await new Promise<void>((resolve, reject) => child.stdin.write(bytes, (err) => (err ? reject(err) : resolve())));
  await sleep(1500); // and the rest
  child.kill(signal);
  const end = await closed;
  child.stdin.destroy();
  return { ...end, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
}

/** The part of the capture written: whole packets and then half a record, as a live capture's pipe has. */
const WRITTEN = CAPTURE.subarray(0, firstPackets(CAPTURE, 900).length + 20);

/** The report as comparable between runs: hashes and capture names are the input's, not the analysis'. */
const comparable = (hosts: unknown): string =>
  JSON.stringify(hosts)
    .replace(/"sha256":"[0-9a-f]{64}"/g, '"sha256":"…"')
    .replace(/"(capture|file)":"[^"]*"/g, '"$1":"…"')
    .replace(/"captures":\["[^"]*"\]/g, '"captures":["…"]');

describe('analyze - interrupted', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal}: the report of what was read, marked interrupted, exit 130`, async () => {
      const r = await interrupt(['analyze', '-', '--format', 'json', '--no-geo'], WRITTEN, signal);
      expect(r.signal).toBeNull();
      expect(r.status).toBe(130);
      const doc = JSON.parse(r.stdout);
      const [capture] = doc.captures;
      expect(capture).toMatchObject({ file: '-', status: 'partial', interrupted: true, packets: 900, message: 'interrupted after 900 packets' });
      expect(capture.damage).toBeUndefined(); // the half record was cut by the stop, not damage
      // the same packets from a file give the same hosts
      const prefix = path.join(tmp, `first-900-${signal}.pcap`);
      writeFileSync(prefix, firstPackets(CAPTURE, 900));
      const whole = spawnSync(process.execPath, [RUN, 'analyze', prefix, '--format', 'json', '--no-geo'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(whole.status).toBe(0);
      const expected = JSON.parse(whole.stdout).hosts;
      expect(expected.length).toBeGreaterThan(0);
      expect(comparable(doc.hosts)).toBe(comparable(expected));
    });
  }

  it('the table says it in its footer, --quiet or not', async () => {
    const r = await interrupt(['analyze', '-', '--quiet', '--no-geo'], WRITTEN, 'SIGINT');
    expect(r.status).toBe(130);
    expect(r.stdout).toContain('1 capture(s), 900 packets');
    expect(r.stdout).toContain('-: partial: interrupted after 900 packets');
    expect(r.stderr).toBe('');
  });
});

describe('events, streams and info - interrupted', () => {
  it('events: every observation of the packets read, exit 130', async () => {
    const r = await interrupt(['events', '-', '--format', 'ndjson'], WRITTEN, 'SIGINT');
    expect(r.status).toBe(130);
    const prefix = path.join(tmp, 'events-900.pcap');
    writeFileSync(prefix, firstPackets(CAPTURE, 900));
    const whole = spawnSync(process.execPath, [RUN, 'events', prefix, '--format', 'ndjson'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stdout.split('\n').length).toBeGreaterThan(10);
    expect(r.stdout.replaceAll('"file":"-"', '"file":"…"')).toBe(whole.stdout.replaceAll(`"file":${JSON.stringify(prefix)}`, '"file":"…"'));
  });

  it('streams: the table footer names the interruption', async () => {
    const r = await interrupt(['streams', '-', '--quiet'], WRITTEN, 'SIGINT');
    expect(r.status).toBe(130);
    expect(r.stdout).toContain('tcp.0');
    expect(r.stdout).toContain('-: interrupted after 900 packets');
  });

  it('info: the status says interrupted, and the counts are of what was read', async () => {
    const r = await interrupt(['info', '-', '--format', 'json'], WRITTEN, 'SIGINT');
    expect(r.status).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ packets: 900, interrupted: true, damage: null });
  });
});

describe('a second signal', () => {
  it('ends the run at once, even while the report waits for a reader that does not read', async () => {
    const child = spawn(process.execPath, [RUN, 'analyze', '-', '--format', 'json', '--no-geo', '--quiet'], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.pause(); // nobody reads: the 1.4 MB report cannot be written past the pipe's 64 KiB
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => child.stdin.write(WRITTEN, (err) => (err ? reject(err) : resolve())));
    await sleep(1500);
    child.kill('SIGINT'); // stop reading: the report is written, and waits for the reader
    const first = await Promise.race([exited, sleep(2000).then(() => 'still running' as const)]);
    expect(first).toBe('still running');
    child.kill('SIGINT'); // at once
    const status = await Promise.race([exited, sleep(5000).then(() => 'still running' as const)]);
    expect(status).toBe(130);
    child.stdin.destroy();
    child.stdout.destroy();
  });
});
