/** Test helpers for the decoders: hex literals, a fresh decoder, and the frames of a capture. */
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

export type { TestFrame } from '../../helpers/capture.js';

/** The frames of a capture, read by the project's reader (test/helpers/capture.ts). */
export { readFramesSync as readClassicPcap } from '../../helpers/capture.js';
