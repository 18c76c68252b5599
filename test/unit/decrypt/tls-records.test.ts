import { describe, expect, it } from 'vitest';
import { RecordBufferPool, TlsRecordSplitter } from '../../../src/decrypt/tls-records.js';

/** a TLS 1.2 application-data record whose fragment is `n` bytes of `fill` */
function record(n: number, fill: number): Buffer {
  return Buffer.concat([Buffer.from([23, 3, 3, n >> 8, n & 0xff]), Buffer.alloc(n, fill)]);
}

/** the records' bytes cut into TCP-segment-sized pushes */
function segments(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < bytes.length; p += size) out.push(bytes.subarray(p, p + size));
  return out;
}

describe('TlsRecordSplitter', () => {
  it('gathers records that straddle segments in a buffer the pool lends again to the next one, each record delivered whole', () => {
    const pool = new RecordBufferPool();
    const seen: { length: number; fill: number; same: boolean }[] = [];
    const buffers = new Set<ArrayBufferLike>();
    const splitter = new TlsRecordSplitter(
      (header, fragment) => {
        // read during the call, as the contract says: every byte is the record's own
        seen.push({ length: fragment.length, fill: fragment[0]!, same: fragment.every((b) => b === fragment[0]) });
        buffers.add(fragment.buffer);
        expect(header[0]).toBe(23);
      },
      undefined,
      pool,
    );
    const stream = Buffer.concat([record(16_384, 1), record(16_384, 2), record(300, 3), record(16_384, 4)]);
    for (const s of segments(stream, 1448)) splitter.push(s);
    expect(seen).toEqual([
      { length: 16_384, fill: 1, same: true },
      { length: 16_384, fill: 2, same: true },
      { length: 300, fill: 3, same: true },
      { length: 16_384, fill: 4, same: true },
    ]);
    // one gathering buffer served every straddling record (the input's own buffer aside)
    buffers.delete(stream.buffer);
    expect(buffers.size).toBe(1);
  });

  it('hands a record that arrives whole straight from the input, and gives a half-gathered buffer back at a gap', () => {
    const pool = new RecordBufferPool();
    const fragments: Uint8Array[] = [];
    const splitter = new TlsRecordSplitter((_h, f) => fragments.push(f), undefined, pool);
    const whole = record(100, 7);
    splitter.push(whole);
    expect(fragments[0]!.buffer).toBe(whole.buffer);

    const big = record(10_000, 8);
    splitter.push(big.subarray(0, 4000));
    expect(pool.kept).toBe(0); // lent to the splitter, mid-record
    splitter.gap();
    expect(splitter.stopped).toBe('gap');
    expect(pool.kept).toBe(1); // given back: the splitter reads nothing more
    expect(fragments).toHaveLength(1);
  });
});
