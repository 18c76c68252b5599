/**
 * Nothing lost in a pipe: every command, run as a child process with standard output a pipe and
 * a slow reader, gives every byte that the same run redirected to a file gives, whatever its
 * exit code (0, 1 leaks with --fail-on-leak, 2 bad input, 3 damaged capture); and `| head -1`
 * ends quietly. Before cli/execute.ts, a non-zero exit cut piped output at the pipe's 64 KiB.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedCapture } from '../helpers/paths.js';

const RUN = path.join(REPO_ROOT, 'bin', 'run.js');
const HTTP = sharedCapture('http_mixed.pcap');
const tmp = mkdtempSync(path.join(tmpdir(), 'leakscope-pipes-'));
const at = (name: string): string => path.join(tmp, name);

/** The run with standard output redirected to a file. */
function toFile(args: string[]): { status: number | null; stdout: Buffer } {
  const file = at(`out-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(process.execPath, [RUN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', fd, 'pipe'], timeout: 120_000 });
    return { status: r.status, stdout: readFileSync(file) };
  } finally {
    closeSync(fd);
  }
}

/**
 * The run with standard output a pipe whose reader starts late and then takes a chunk at a time.
 * (The reader is attached at once and paused: Node discards a child's unread output at exit.)
 */
async function throughSlowPipe(args: string[]): Promise<{ status: number | null; stdout: Buffer }> {
  const child = spawn(process.execPath, [RUN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 2);
  });
  child.stdout.pause();
  setTimeout(() => child.stdout.resume(), 300); // the pipe fills: the writer has to wait for the reader
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { status, stdout: Buffer.concat(chunks) };
}

const NOT_A_CAPTURE = at('notes.txt');
const DAMAGED = at('damaged.pcap');
const BATCH_OUT = at('batch.ndjson');
const BAD_PACK = at('bad-pack.json');
const MANY_IPS = Array.from({ length: 1500 }, (_, i) => `161.117.${i >> 8}.${i & 255}`);
const http = (n: number): string[] => Array.from({ length: n }, () => HTTP);

beforeAll(() => {
  writeFileSync(NOT_A_CAPTURE, 'these are notes, not packets\n');
  const bytes = readFileSync(HTTP);
  writeFileSync(DAMAGED, bytes.subarray(0, Math.floor(bytes.length * 0.8) + 7)); // cut inside a packet
  writeFileSync(BAD_PACK, JSON.stringify({ id: 'bad', signatures: [{ id: 1 }] }));
  const batch = toFile(['batch', HTTP, sharedCapture('sensors_js.pcap'), sharedCapture('tls_browser.pcap'), '--out', BATCH_OUT, '--jobs', '1', '--quiet']);
  expect(batch.status).toBe(0);
});

/** command → exit code → arguments giving that exit code (each a report of well over 64 KiB where the command can write that much) */
const CASES: Record<string, Record<number, () => string[]>> = {
  analyze: {
    0: () => ['analyze', HTTP, '--format', 'ndjson'],
    1: () => ['analyze', HTTP, '--format', 'ndjson', '--fail-on-leak'],
    2: () => ['analyze', HTTP, NOT_A_CAPTURE, '--format', 'ndjson'],
    3: () => ['analyze', DAMAGED, '--format', 'json', '--quiet'],
  },
  events: {
    0: () => ['events', ...http(8), '--format', 'ndjson'],
    2: () => ['events', ...http(8), NOT_A_CAPTURE, '--format', 'ndjson'],
    3: () => ['events', ...http(8), DAMAGED, '--format', 'ndjson', '--quiet'],
  },
  streams: {
    0: () => ['streams', ...http(20), '--format', 'ndjson', '--udp'],
    2: () => ['streams', ...http(20), NOT_A_CAPTURE, '--format', 'json'],
    3: () => ['streams', ...http(20), DAMAGED, '--format', 'table', '--quiet'],
  },
  info: {
    0: () => ['info', ...http(3), '--format', 'json'],
    2: () => ['info', ...http(3), NOT_A_CAPTURE, '--format', 'table'],
    3: () => ['info', HTTP, DAMAGED, '--format', 'ndjson', '--quiet'],
  },
  batch: {
    0: () => ['batch', HTTP, sharedCapture('sensors_js.pcap'), '--jobs', '1', '--quiet'],
    2: () => ['batch', '--shard', 'x', HTTP],
    3: () => ['batch', HTTP, DAMAGED, '--jobs', '1', '--quiet'],
  },
  merge: {
    0: () => ['merge', BATCH_OUT],
    2: () => ['merge', BATCH_OUT, at('no-such.ndjson')],
  },
  signatures: {
    0: () => ['signatures', '--format', 'json'],
    2: () => ['signatures', 'validate', path.join(REPO_ROOT, 'signatures', 'xiaomi.json'), BAD_PACK],
  },
  geo: {
    0: () => ['geo', ...MANY_IPS, '--format', 'ndjson'],
    2: () => ['geo', ...MANY_IPS, 'not-an-ip'],
  },
  decode: {
    0: () => ['decode', 'data=eyJldmVudCI6InNlYXJjaCIsInF1ZXJ5IjoicG9ybm8ifQ%3D%3D', '--format', 'json'],
    2: () => ['decode', 'x', '--limit', 'nonsense'],
  },
};

describe('standard output through a slow pipe gets every byte a file gets', () => {
  for (const [command, byExit] of Object.entries(CASES)) {
    for (const [exit, args] of Object.entries(byExit)) {
      it(`${command}, exit ${exit}`, async () => {
        const file = toFile(args());
        expect(file.status).toBe(Number(exit));
        const piped = await throughSlowPipe(args());
        expect(piped.status).toBe(Number(exit));
        expect(piped.stdout.length).toBe(file.stdout.length);
        expect(piped.stdout.equals(file.stdout)).toBe(true);
      });
    }
  }

  it('the reports are big enough to have been cut before (over 64 KiB) wherever the command writes that much', () => {
    for (const command of ['analyze', 'events', 'streams', 'batch', 'merge', 'signatures', 'geo']) {
      expect(toFile(CASES[command][0]()).stdout.length, command).toBeGreaterThan(64 * 1024);
    }
    expect(toFile(CASES.analyze[1]()).stdout.length).toBeGreaterThan(64 * 1024);
    expect(toFile(CASES.events[3]()).stdout.length).toBeGreaterThan(64 * 1024);
  });
});

describe('`| head -1` ends quietly', () => {
  for (const command of Object.keys(CASES)) {
    it(command, () => {
      const line = CASES[command][0]()
        .map((a) => `'${a}'`)
        .join(' ');
      const r = spawnSync('bash', ['-c', `node ${RUN} ${line} | head -1`], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(r.status).toBe(0);
      expect(r.stdout.indexOf('\n')).toBe(r.stdout.length - 1); // one line
      expect(r.stderr).toBe('');
    });
  }
});
