/**
 * Test-only: TCP/UDP segments of the real captures in ../shared (read by the project's own
 * reader and decoder, test/helpers/capture.ts) and a naive in-order join of one TCP direction,
 * so the TLS, QUIC, HTTP and DNS parser tests can take their bytes from real traffic.
 */
import { readSegments, type TestSegment } from '../../helpers/capture.js';

export { readSegments, type TestSegment };

/** the in-order payload chunks of one TCP direction (retransmitted bytes dropped), with frames */
export function tcpChunks(segs: TestSegment[], sport: number, dport: number): { frame: number; bytes: Uint8Array }[] {
  const out: { frame: number; bytes: Uint8Array }[] = [];
  let next = -1;
  for (const s of segs) {
    if (s.proto !== 6 || s.sport !== sport || s.dport !== dport) continue;
    if (next < 0) next = (s.seq + (s.flags & 0x02 ? 1 : 0)) >>> 0;
    if (s.payload.length === 0) continue;
    const skip = (next - s.seq) | 0; // bytes of this segment already seen
    if (skip < 0 || skip >= s.payload.length) continue;
    out.push({ frame: s.frame, bytes: s.payload.subarray(skip) });
    next = (s.seq + s.payload.length) >>> 0;
  }
  return out;
}

export function concat(chunks: { bytes: Uint8Array }[]): Uint8Array {
  return Buffer.concat(chunks.map((c) => c.bytes));
}
