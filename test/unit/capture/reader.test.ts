import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { readCapture, CaptureFormatError, type CaptureHeader } from '../../../src/capture/reader.js';
import { PcapWriter, PcapngWriter, concatBytes } from '../../../src/capture/writer.js';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits } from '../../../src/limits.js';
import { keep, type KeptFrame } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(here, '../../..', '../shared/corpus/files');
let tmp = '';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leakscope-capture-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function tmpFile(name: string, bytes: Uint8Array | string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}

async function readAll(source: string | NodeJS.ReadableStream, opts: Parameters<typeof readCapture>[2] = {}) {
  const frames: KeptFrame[] = [];
  const summary = await readCapture(source, (f) => frames.push(keep(f)), opts);
  return { frames, summary };
}

/** 200 Ethernet-sized records: enough to straddle several small read chunks */
function sampleCapture(): Uint8Array {
  const w = new PcapWriter({ nanosecond: true });
  const parts = [w.header()];
  for (let i = 0; i < 200; i++) {
    const data = new Uint8Array(60 + (i % 37)).map((_v, j) => (i + j) & 0xff);
    parts.push(w.packet({ tsSec: 1_650_000_000 + i, tsNsec: i * 1000 + 7, data }));
  }
  return concatBytes(parts);
}

describe('sources', () => {
  const bytes = sampleCapture();

  it('a file read in small chunks gives the same frames, hash and progress as the parser', async () => {
    const file = tmpFile('sample.pcap', bytes);
    const progress: Array<[number, number | null]> = [];
    let header: CaptureHeader | undefined;
    const { frames, summary } = await readAll(file, {
      limits: resolveLimits({ readChunkBytes: 333 }),
      onProgress: (n, total) => progress.push([n, total]),
      onHeader: (h) => {
        header = h;
      },
    });
    expect(frames).toHaveLength(200);
    expect(frames[199]).toMatchObject({ index: 200, tsSec: 1_650_000_199, tsNsec: 199_007, caplen: 60 + (199 % 37) });
    expect(summary.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(summary.fileBytes).toBe(bytes.length);
    expect(summary.damage).toBeNull();
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
    expect(progress.length).toBe(Math.ceil(bytes.length / 333));
    expect(header?.tsPrecision).toBe('ns');
  });

  it('a Readable stream (as standard input would be) in 1-byte and odd chunks', async () => {
    const whole = (await readAll(Readable.from([Buffer.from(bytes)]))).frames;
    const pieces: Buffer[] = [];
    for (let off = 0, i = 0; off < bytes.length; i++) {
      const n = [1, 5, 1, 777][i % 4];
      pieces.push(Buffer.from(bytes.subarray(off, off + n)));
      off += n;
    }
    const { frames, summary } = await readAll(Readable.from(pieces), { name: 'piped' });
    expect(frames).toEqual(whole);
    expect(summary.frames).toBe(200);
    expect(summary.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('sets anomalies.packet to the frame index before each callback', async () => {
    const log = new AnomalyLog();
    const seen: number[] = [];
    await readCapture(
      Readable.from([Buffer.from(bytes)]),
      (f) => {
        seen.push(log.packet - f.index);
      },
      { anomalies: log },
    );
    expect(new Set(seen)).toEqual(new Set([0]));
  });

  it('an aborted signal rejects', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(readAll(tmpFile('abort.pcap', bytes), { signal: ac.signal })).rejects.toThrow('stop');
  });

  it('a regular file is read in one synchronous loop that still lets the event loop in: an abort from a timer stops a long read', async () => {
    // 24 MB of 1,500-byte records: three turns of the event loop at least
    const w = new PcapWriter();
    const record = w.packet({ tsSec: 1_650_000_000, tsNsec: 0, data: new Uint8Array(1500) });
    const parts = [w.header()];
    for (let i = 0; i < 16_000; i++) parts.push(record);
    const file = tmpFile('long.pcap', concatBytes(parts));
    const ac = new AbortController();
    let frames = 0;
    const onFrame = (): void => {
      if (frames++ === 0) setImmediate(() => ac.abort(new Error('stopped by a timer')));
    };
    await expect(readCapture(file, onFrame, { signal: ac.signal, sha256: false })).rejects.toThrow('stopped by a timer');
    // the timer ran at the first turn: after 8 MiB (BYTES_BETWEEN_EVENT_LOOP_TURNS), not at the end
    expect(frames).toBeGreaterThan(5_000);
    expect(frames).toBeLessThan(16_000);
  });
});

describe('gzip', () => {
  const bytes = sampleCapture();
  const gz = gzipSync(bytes);

  it('a .pcap.gz file reads transparently; hash and size are of the compressed bytes', async () => {
    const { frames, summary } = await readAll(tmpFile('sample.pcap.gz', gz), { limits: resolveLimits({ readChunkBytes: 1000 }) });
    expect(frames).toHaveLength(200);
    expect(summary.header.compression).toBe('gzip');
    expect(summary.fileBytes).toBe(gz.length);
    expect(summary.sha256).toBe(createHash('sha256').update(gz).digest('hex'));
    expect(frames[1].fileOffset).toBe(24 + 16 + 60);
  });

  it('gzip from a stream, pcapng inside', async () => {
    const w = new PcapngWriter({ byteOrder: 'big' });
    const ng = concatBytes([w.section(), w.interface({ linkType: 1 }), w.enhancedPacket(0, { tsSec: 5, tsNsec: 0, data: new Uint8Array(9) })]);
    const { frames, summary } = await readAll(Readable.from([gzipSync(ng)]));
    expect(summary.header).toMatchObject({ format: 'pcapng', compression: 'gzip', byteOrder: 'big' });
    expect(frames.map((f) => f.caplen)).toEqual([9]);
  });

  it('a cut gzip stream is damage: frames inflated before the cut are kept', async () => {
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const log = new AnomalyLog();
    const { frames, summary } = await readAll(tmpFile('cut.pcap.gz', cut), { anomalies: log });
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(200);
    expect(summary.damage?.frame).toBe(frames.length);
    expect(summary.damage?.expected).toMatch(/^a valid gzip stream, found unexpected end of file/);
    expect(log.counts.get('capture_gzip_invalid')).toBe(1);
  });

  it('gzip around something that is not a capture', async () => {
    await expect(readAll(tmpFile('notes.txt.gz', gzipSync('hello, this is just text\n')))).rejects.toThrow(
      /notes\.txt\.gz: gzip-compressed, but not a pcap or pcapng file inside: starts with 68 65 6c 6c \(a text file\)$/,
    );
  });
});

describe('inputs that are not captures', () => {
  const tarHeader = new Uint8Array(512);
  tarHeader.set(Buffer.from('capture.pcap'), 0);
  tarHeader.set(Buffer.from('ustar\u000000'), 257);

  it.each([
    ['a.zip', hexOf('504b0304140000000800'), 'starts with 50 4b 03 04 (a zip archive)'],
    ['a.tar', tarHeader, 'starts with 63 61 70 74 (a tar archive)'],
    ['a.pdf', Buffer.from('%PDF-1.7\n%\u00e2\u00e3'), 'starts with 25 50 44 46 (a PDF document)'],
    ['a.html', Buffer.from('<!DOCTYPE html><html><body>404</body></html>'), 'starts with 3c 21 44 4f (an HTML document)'],
    ['a.txt', Buffer.from('just some notes\n'), 'starts with 6a 75 73 74 (a text file)'],
    ['a.elf', hexOf('7f454c4602010100000000000000000003003e00'), 'starts with 7f 45 4c 46 (an ELF executable)'],
    ['a.bin', hexOf('00010203fffefdfc'), 'starts with 00 01 02 03'],
  ])('%s', async (name, bytes, found) => {
    const file = tmpFile(name, bytes);
    const err = await readAll(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect((err as Error).message).toBe(`${file}: not a pcap or pcapng file: ${found}`);
    expect((err as CaptureFormatError).offset).toBe(0);
  });

  it('an empty file', async () => {
    const file = tmpFile('empty.pcap', new Uint8Array(0));
    await expect(readAll(file)).rejects.toThrow(`${file}: empty file (0 bytes)`);
  });

  it('a directory', async () => {
    await expect(readAll(tmp)).rejects.toThrow(`${tmp}: is a directory`);
  });

  it('a missing file', async () => {
    const err = await readAll(path.join(tmp, 'nope.pcap')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect((err as Error).message).toBe(`${path.join(tmp, 'nope.pcap')}: cannot read: no such file (ENOENT)`);
  });

  it('a capture header cut short', async () => {
    const file = tmpFile('short.pcap', new PcapWriter().header().subarray(0, 10));
    await expect(readAll(file)).rejects.toThrow(`${file}: capture file header cut short: expected 24 bytes, found 10`);
  });
});

describe('known-damaged real captures', () => {
  it('tcpdump__timestamp_invalid_nano.pcap: fractions ≥ 10^9 ns are carried into the seconds', async () => {
    const log = new AnomalyLog();
    const { frames, summary } = await readAll(path.join(corpus, 'tcpdump__timestamp_invalid_nano.pcap'), { anomalies: log });
    // raw (sec, nsec): (1418145369, 999999999), (1418145370, 1000000000), (1418145370, 2147483648)
    expect(frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [1418145369, 999_999_999],
      [1418145371, 0],
      [1418145372, 147_483_648],
    ]);
    expect(log.kept.map((a) => [a.code, a.packet])).toEqual([
      ['pcap_timestamp_fraction_invalid', 2],
      ['pcap_timestamp_fraction_invalid', 3],
    ]);
    expect(summary.damage).toBeNull();
  });

  it('zeek__trunc-hdr.pcap: caplen 8 above snaplen 1 is read, with an anomaly', async () => {
    const log = new AnomalyLog();
    const { frames } = await readAll(path.join(corpus, 'zeek__trunc-hdr.pcap'), { anomalies: log });
    expect(frames.map((f) => [f.caplen, f.origlen])).toEqual([[8, 78]]);
    expect(log.countsObject()).toEqual({ pcap_caplen_exceeds_snaplen: 1 });
  });

  it('gopacket__be_test202.pcapng: three big-endian sections, custom and statistics blocks, simple packets', async () => {
    const { frames, summary } = await readAll(path.join(corpus, 'gopacket__be_test202.pcapng'));
    expect(summary.header).toMatchObject({ format: 'pcapng', byteOrder: 'big', sections: 3 });
    expect(frames).toHaveLength(8);
    // interface ids are unique across the sections
    expect(Math.max(...frames.map((f) => f.interfaceId))).toBeLessThan(summary.header.interfaces.length);
    expect(summary.header.interfaces.length).toBeGreaterThan(3);
  });
});

describe('pcap-parser as an independent oracle (classic µs pcap 2.4)', () => {
  const require = createRequire(import.meta.url);
  const pcapp = require('pcap-parser') as { parse(file: string): NodeJS.EventEmitter };

  function oracle(file: string): Promise<Array<[number, number, number, number]>> {
    return new Promise((resolve, reject) => {
      const out: Array<[number, number, number, number]> = [];
      const p = pcapp.parse(file);
      p.on('packet', (pkt: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number } }) =>
        out.push([pkt.header.timestampSeconds, pkt.header.timestampMicroseconds * 1000, pkt.header.capturedLength, pkt.header.originalLength]),
      );
      p.on('end', () => resolve(out));
      p.on('error', reject);
    });
  }

  it.each(['nDPI__xiaomi.pcap', 'zeek__get-gzip.pcap', 'nDPI__fuzz-2006-09-29-28586.pcap', 'filesamples__simple_http_sll2.pcap'])('%s', async (name) => {
    const file = path.join(corpus, name);
    const expected = await oracle(file);
    const { frames } = await readAll(file);
    expect(expected.length).toBeGreaterThan(0);
    expect(frames.map((f) => [f.tsSec, f.tsNsec, f.caplen, f.origlen])).toEqual(expected);
  });
});

function hexOf(s: string): Buffer {
  return Buffer.from(s, 'hex');
}
