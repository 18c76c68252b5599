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
  /**
   * `lines` is the set already serialised as NDJSON (the worker does the JSON work, not the
   * main thread); `set` then carries hosts without their evidence lists, for the aggregate
   */
  | { kind: 'result'; set: CaptureResultSet; lines?: string }
  | { kind: 'skipped'; name: string }
  | { kind: 'progress'; bytes: number }
  | { kind: 'done' };
