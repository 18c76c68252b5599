/**
 * SHA-256 of a capture file on the other core. Hashing runs at about 1.3 GB/s, slower than
 * the reader itself; for large files a worker thread reads and hashes the file while the main
 * thread parses it (the second read comes from the page cache). The worker's isolate is kept
 * small: it costs about 10 MB of memory, and only files of 16 MB and more use it.
 */
import { Worker } from 'node:worker_threads';

/** below this size a worker's start-up costs more than hashing inline */
export const PARALLEL_HASH_MIN_BYTES = 16 * 1024 * 1024;

// an eval'd CommonJS worker: no module file to locate from compiled or TypeScript sources
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
// The digest is needed only when the parse ends, but the parse is fastest once V8 has compiled
// its hot code, which happens on the same spare core in the first second: on Linux the hashing
// thread lowers its own priority so the compiler threads go first (best effort).
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) require('node:os').setPriority(tid, 19);
} catch {}
const h = createHash('sha256');
const buf = Buffer.allocUnsafe(256 * 1024);
let bytes = 0;
try {
  const fd = openSync(workerData.path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; bytes += n) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  parentPort.postMessage({ hex: h.digest('hex'), bytes });
} catch (e) {
  parentPort.postMessage({ error: String((e && e.message) || e) });
}
`;

export interface FileHash {
  hex: string;
  /** bytes hashed: differs from what the parser read if the file changed meanwhile */
  bytes: number;
}

/** Starts hashing `path` in a worker; the promise rejects if the file cannot be read. */
export function hashFileInWorker(path: string): Promise<FileHash> {
  return new Promise((resolve, reject) => {
    // a small isolate: the worker holds one 256 KiB buffer and a hash state
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2, codeRangeSizeMb: 2 },
    });
    worker.unref();
    worker.once('message', (m: { hex?: string; bytes?: number; error?: string }) => {
      void worker.terminate();
      if (m.hex !== undefined) resolve({ hex: m.hex, bytes: m.bytes ?? 0 });
      else reject(new Error(m.error ?? 'hash worker failed'));
    });
    worker.once('error', reject);
  });
}
