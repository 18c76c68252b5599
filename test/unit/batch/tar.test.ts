import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parsePaxRecords, parseTarNumber, tarEntries, TarFormatError, type TarEntry } from '../../../src/batch/tar.js';
import { FIXTURES } from '../../helpers/paths.js';

const LOOPBACK = path.join(FIXTURES, 'captures', 'loopback_clients.pcap');
const OPTS = { maxMetaBytes: 1024 * 1024, chunkBytes: 4096 };

/** Archive bytes as a stream of odd-sized chunks (headers straddle chunk borders). */
function chunked(bytes: Uint8Array, size = 777): AsyncIterable<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function readAll(entry: TarEntry): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of entry.stream) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

async function collect(bytes: Uint8Array): Promise<{ path: string; data: Buffer }[]> {
  const out: { path: string; data: Buffer }[] = [];
  for await (const e of tarEntries(chunked(bytes), OPTS)) out.push({ path: e.path, data: await readAll(e) });
  return out;
}

/** A ustar header built by hand (for what GNU tar will not write on request). */
function header(name: string, size: number, type: string, sizeField?: Uint8Array): Uint8Array {
  const h = new Uint8Array(512);
  h.set(Buffer.from(name), 0);
  h.set(Buffer.from('0000644\0'), 100);
  h.set(sizeField ?? Buffer.from(size.toString(8).padStart(11, '0') + '\0'), 124);
  h.set(Buffer.from('00000000000\0'), 136);
  h[156] = type.charCodeAt(0);
  h.set(Buffer.from('ustar\x0000'), 257);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.set(Buffer.from(sum.toString(8).padStart(6, '0') + '\0 '), 148);
  return h;
}
const pad = (b: Uint8Array): Uint8Array => Buffer.concat([b, new Uint8Array((512 - (b.length % 512)) % 512)]);
const END = new Uint8Array(1024);

/** `<len> key=value\n` where len counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.from(`${len}${body}`);
}

let dir: string;
let capture: Buffer;
const LONG_DIR = 'phones/redmi-note-8/miui-11.0.3/2020-05-01/' + 'x'.repeat(70);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'leakscope-tar-'));
  capture = readFileSync(LOOPBACK);
  mkdirSync(path.join(dir, 'src', LONG_DIR), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'a.pcap'), capture);
  writeFileSync(path.join(dir, 'src', LONG_DIR, 'b.pcap'), capture.subarray(0, 1000));
  symlinkSync('a.pcap', path.join(dir, 'src', 'link.pcap'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gnuTar(format: string): Buffer {
  const out = path.join(dir, `${format}.tar`);
  execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', path.join(dir, 'src'), '--sort=name', '.']);
  return readFileSync(out);
}

describe('tarEntries over archives written by GNU tar', () => {
  it.each(['gnu', 'pax', 'ustar'])('%s: regular files only, long names intact, bytes equal', async (format) => {
    const entries = await collect(gnuTar(format));
    expect(entries.map((e) => e.path)).toEqual(['./a.pcap', `./${LONG_DIR}/b.pcap`]);
    expect(entries[0].data.equals(capture)).toBe(true);
    expect(entries[1].data.equals(capture.subarray(0, 1000))).toBe(true);
  });

  it('skips what a consumer leaves unread and still finds the next member', async () => {
    const seen: string[] = [];
    for await (const e of tarEntries(chunked(gnuTar('gnu')), OPTS)) {
      seen.push(e.path);
      const it = e.stream[Symbol.asyncIterator]();
      await it.next(); // one chunk, then abandon the entry
      e.stream.destroy();
    }
    expect(seen).toEqual(['./a.pcap', `./${LONG_DIR}/b.pcap`]);
  });

  it('a bad checksum in the second header: first member delivered, error names the offset', async () => {
    const tar = Buffer.from(gnuTar('ustar'));
    // ./ (dir) at 0, ./a.pcap at 512, its data, then the next header
    const second = 1024 + Math.ceil(capture.length / 512) * 512;
    tar[second + 1] ^= 0xff;
    const seen: string[] = [];
    const run = async () => {
      for await (const e of tarEntries(chunked(tar), OPTS)) {
        seen.push(e.path);
        await readAll(e);
      }
    };
    await expect(run()).rejects.toThrow(new TarFormatError(second, 'header checksum mismatch'));
    expect(seen).toEqual(['./a.pcap']);
  });

  it('an archive cut inside a member: the member ends short, then a TarFormatError', async () => {
    const tar = gnuTar('ustar').subarray(0, 1024 + 3000);
    let got = -1;
    const run = async () => {
      for await (const e of tarEntries(chunked(tar), OPTS)) got = (await readAll(e)).length;
    };
    await expect(run()).rejects.toThrow(/archive ends inside entry \.\/a\.pcap/);
    expect(got).toBe(3000);
  });

  it('not a tar at all: an error at byte 0', async () => {
    await expect(collect(capture)).rejects.toThrow(/byte 0: not a tar archive/);
    await expect(collect(new Uint8Array(0))).rejects.toThrow(/empty archive/);
  });
});

describe('tarEntries over hand-built headers', () => {
  it('a global pax header path applies to the members after it; an x header overrides it once', async () => {
    const g = paxRecord('path', 'global/name.pcap');
    const x = paxRecord('path', 'local/one.pcap');
    const parts = [
      header('pax_global', g.length, 'g'),
      pad(g),
      header('pax_local', x.length, 'x'),
      pad(x),
      header('a', 3, '0'),
      pad(Buffer.from('abc')),
      header('b', 2, '0'),
      pad(Buffer.from('de')),
      END,
    ];
    const entries = await collect(Buffer.concat(parts));
    expect(entries).toEqual([
      { path: 'local/one.pcap', data: Buffer.from('abc') },
      { path: 'global/name.pcap', data: Buffer.from('de') },
    ]);
  });

  it('a base-256 size field is read', async () => {
    const field = new Uint8Array(12);
    field[0] = 0x80;
    field[11] = 5;
    const tar = Buffer.concat([header('big', 0, '0', field), pad(Buffer.from('hello')), END]);
    expect(await collect(tar)).toEqual([{ path: 'big', data: Buffer.from('hello') }]);
  });

  it('a GNU long name beyond maxTarMetaBytes is damage, not an allocation', async () => {
    const tar = Buffer.concat([header('././@LongLink', 10_000_000, 'L'), END]);
    await expect(
      (async () => {
        for await (const e of tarEntries(chunked(tar), { maxMetaBytes: 4096 })) void e;
      })(),
    ).rejects.toThrow(/maxTarMetaBytes/);
  });
});

describe('parseTarNumber', () => {
  it.each([
    ['octal with NUL', Buffer.from('00000001750\0'), 1000],
    ['octal with leading spaces and trailing space', Buffer.from('   1750 \0\0\0\0'), 1000],
    ['empty field', Buffer.alloc(12), 0],
    ['base-256', Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0x00]), 0x20000],
  ])('%s', (_name, bytes, want) => {
    expect(parseTarNumber(bytes, 0, 12)).toBe(want);
  });
  it.each([
    ['negative base-256', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])],
    ['a non-octal digit', Buffer.from('0000000019\0\0')],
    ['beyond 2^53', Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
  ])('%s → null', (_name, bytes) => {
    expect(parseTarNumber(bytes, 0, 12)).toBeNull();
  });
});

describe('parsePaxRecords', () => {
  it('reads key=value records, values may hold = and spaces', () => {
    const m = parsePaxRecords(Buffer.from('30 path=a b/c=d e/cap.pcap.gz\n12 size=200\n'));
    expect([...m]).toEqual([
      ['path', 'a b/c=d e/cap.pcap.gz'],
      ['size', '200'],
    ]);
  });
  it('stops at a zero or overrunning length, keeping what came before', () => {
    expect([...parsePaxRecords(Buffer.from('12 size=200\n0 x=\n'))]).toEqual([['size', '200']]);
    expect([...parsePaxRecords(Buffer.from('12 size=200\n99 path=x\n'))]).toEqual([['size', '200']]);
  });
});
