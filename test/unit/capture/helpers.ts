/** Test helpers: run the push parser over bytes cut into chunks, keeping copies of the frames. */
import { CaptureParser } from '../../../src/capture/parser.js';
import type { Frame } from '../../../src/capture/frame.js';
import type { ReadSummary } from '../../../src/capture/types.js';
import { AnomalyLog } from '../../../src/anomaly.js';
import type { Limits } from '../../../src/limits.js';

export interface KeptFrame extends Omit<Frame, 'data'> {
  hex: string;
}

export function keep(f: Frame): KeptFrame {
  return {
    index: f.index,
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    caplen: f.caplen,
    origlen: f.origlen,
    linkType: f.linkType,
    interfaceId: f.interfaceId,
    fileOffset: f.fileOffset,
    hex: Buffer.from(f.data).toString('hex'),
  };
}

/** Parses `bytes` pushed in chunks of the given sizes (cycled); default: one chunk. */
export function parse(
  bytes: Uint8Array,
  chunkSizes: number[] = [bytes.length || 1],
  limits?: Limits,
): { frames: KeptFrame[]; summary: ReadSummary; log: AnomalyLog } {
  const frames: KeptFrame[] = [];
  const log = new AnomalyLog();
  const parser = new CaptureParser('test.pcap', (f) => frames.push(keep(f)), { anomalies: log, limits });
  let off = 0;
  for (let i = 0; off < bytes.length; i++) {
    const n = chunkSizes[i % chunkSizes.length];
    // a fresh copy each time, then scribbled over: the parser must not keep views into it
    const chunk = bytes.slice(off, off + n);
    parser.push(chunk);
    chunk.fill(0xee);
    off += n;
  }
  return { frames, summary: parser.end(), log };
}

export function hexBytes(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
