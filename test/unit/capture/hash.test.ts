/** The SHA-256 of a large file is computed on the other core; it must equal the file's hash. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../../src/capture/reader.js';
import { PARALLEL_HASH_MIN_BYTES } from '../../../src/capture/hash-file.js';
import { writePcapFile } from '../../../test-support/synth/pcap-file.js';

describe('SHA-256 of a large capture (hashed in a worker thread)', () => {
  it('equals the hash of the file, and every frame is still read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-hash-'));
    try {
      const file = path.join(dir, 'large.pcap');
      const frame = new Uint8Array(1400).fill(0x5a);
      const { frames, bytes } = await writePcapFile(file, (sink) => {
        for (let i = 0; sink.bytes < PARALLEL_HASH_MIN_BYTES + 4096; i++) sink.write(1_700_000_000 + (i >> 10), (i & 1023) * 1000, frame);
      });
      expect(bytes).toBeGreaterThan(PARALLEL_HASH_MIN_BYTES);
      let seen = 0;
      const summary = await readCapture(file, () => seen++);
      expect(seen).toBe(frames);
      expect(summary.fileBytes).toBe(bytes);
      expect(summary.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
