/** Test helpers for the decoders: hex literals, a fresh decoder, and a classic-pcap frame list. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits, type Limits } from '../../../src/limits.js';
import { PacketDecoder } from '../../../src/decode/decoder.js';

/** /work/main/test/unit/decode → the repository root is three levels up; shared sits beside it */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const corpus = (name: string): string => path.resolve(ROOT, '../shared/corpus/files', name);

/** bytes from hex text; whitespace and `|` separators are ignored */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/[\s|]/g, ''), 'hex'));
}

export function setup(overrides: Partial<Limits> = {}): { decoder: PacketDecoder; log: AnomalyLog } {
  const log = new AnomalyLog();
  return { decoder: new PacketDecoder(resolveLimits(overrides), log), log };
}

export interface TestFrame {
  index: number;
  tsSec: number;
  data: Uint8Array;
  linkType: number;
}

/**
 * The frames of a classic little/big-endian pcap (test-only: the project's reader is
 * src/capture; this keeps the decoder tests independent of it).
 */
export function readClassicPcap(file: string): TestFrame[] {
  const b = readFileSync(file);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: not a classic pcap`);
  const u32 = (off: number) => (le ? b.readUInt32LE(off) : b.readUInt32BE(off));
  const linkType = u32(20) & 0x0fffffff;
  const frames: TestFrame[] = [];
  for (let off = 24; off + 16 <= b.length; ) {
    const caplen = u32(off + 8);
    if (off + 16 + caplen > b.length) break;
    frames.push({ index: frames.length + 1, tsSec: u32(off), data: new Uint8Array(b.buffer, b.byteOffset + off + 16, caplen), linkType });
    off += 16 + caplen;
  }
  return frames;
}
