/** Messages between the batch pool (main thread) and its worker threads. */
import type { BatchItem } from './inputs.js';
import type { CaptureResultSet } from './records.js';

export interface MainToWorker {
  item: BatchItem;
  /** resume: captures of this item already recorded, name → SHA-256 */
  done: [string, string][];
}

export type WorkerToMain =
  | { kind: 'ready' }
  | { kind: 'result'; set: CaptureResultSet }
  | { kind: 'skipped'; name: string }
  | { kind: 'progress'; bytes: number }
  | { kind: 'done' };
