/**
 * Runs a batch: items are handed out one at a time to worker threads (each with its own signature
 * and geo databases, opened once), and every capture's result set is passed to `onResult` as it
 * arrives, in completion order. `jobs: 'inline'` runs everything in the calling thread (tests,
 * library users who want no threads).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BatchItem } from './inputs.js';
import type { CaptureResultSet } from './records.js';
import { errorRecord } from './records.js';
import { openBatchEnv, runItem, type BatchConfig, type DoneCaptures } from './task.js';
import type { MainToWorker, WorkerToMain } from './protocol.js';

export interface BatchProgress {
  itemsDone: number;
  itemsTotal: number;
  /** raw bytes read of the items (archives: compressed size) */
  bytesDone: number;
  bytesTotal: number;
  /** captures finished, including errors and skipped ones */
  captures: number;
  /** captures that failed or were partial */
  failures: number;
}

export interface BatchRunOptions {
  items: readonly BatchItem[];
  config: BatchConfig;
  /** worker threads (default: all cores), or 'inline' for none */
  jobs?: number | 'inline';
  /** resume: capture name → SHA-256 already recorded */
  done?: DoneCaptures;
  /** `lines`: the set as NDJSON when a worker serialised it (then `set` has no evidence lists) */
  onResult(set: CaptureResultSet, lines?: string): void;
  onSkipped?(name: string): void;
  onProgress?(p: BatchProgress): void;
}

export interface BatchRunStats {
  captures: number;
  ok: number;
  partial: number;
  errors: number;
  skipped: number;
  jobs: number;
}

export function defaultJobs(): number {
  return availableParallelism();
}

/** The compiled worker script; from the TypeScript sources (tests) the built copy in dist/ is used. */
export function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const root = path.resolve(path.dirname(here), '../..');
    return pathToFileURL(path.join(root, 'dist/src/batch/worker.js'));
  }
  return new URL('./worker.js', import.meta.url);
}

export async function runBatch(opts: BatchRunOptions): Promise<BatchRunStats> {
  const items = opts.items;
  const done = opts.done ?? new Map<string, string>();
  const stats: BatchRunStats = { captures: 0, ok: 0, partial: 0, errors: 0, skipped: 0, jobs: 0 };
  const progress: BatchProgress = {
    itemsDone: 0,
    itemsTotal: items.length,
    bytesDone: 0,
    bytesTotal: items.reduce((n, it) => n + it.size, 0),
    captures: 0,
    failures: 0,
  };
  const onResult = (set: CaptureResultSet, lines?: string): void => {
    stats.captures++;
    progress.captures++;
    if (set.capture.type === 'error') stats.errors++;
    else if (set.capture.status === 'partial') stats.partial++;
    else stats.ok++;
    if (set.capture.type === 'error' || set.capture.status === 'partial') progress.failures++;
    opts.onResult(set, lines);
    opts.onProgress?.(progress);
  };
  const onSkipped = (name: string): void => {
    stats.skipped++;
    progress.captures++;
    opts.onSkipped?.(name);
  };

  const doneFor = (item: BatchItem): [string, string][] => {
    if (done.size === 0) return [];
    if (item.kind === 'capture') {
      const sha = done.get(item.path);
      return sha === undefined ? [] : [[item.path, sha]];
    }
    const prefix = `${item.path}:`;
    return [...done].filter(([name]) => name.startsWith(prefix));
  };

  if (items.length === 0) return stats;

  if (opts.jobs === 'inline') {
    stats.jobs = 0;
    const env = openBatchEnv(opts.config);
    for (const item of items) {
      let itemBytes = 0;
      await runItem(item, env, new Map(doneFor(item)), {
        result: onResult,
        skipped: onSkipped,
        progress: (b) => {
          progress.bytesDone += b - itemBytes;
          itemBytes = b;
          opts.onProgress?.(progress);
        },
      });
      progress.bytesDone += Math.max(0, item.size - itemBytes);
      progress.itemsDone++;
      opts.onProgress?.(progress);
    }
    return stats;
  }

  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), items.length));
  stats.jobs = jobs;
  const script = workerScript();
  let next = 0;

  await new Promise<void>((resolve, reject) => {
    let live = 0;
    let failed = false;

    const start = (): void => {
      const worker = new Worker(script, { workerData: { config: opts.config } });
      live++;
      let current: BatchItem | null = null;
      let currentBytes = 0;
      let gotResult = false;

      const handOut = (): void => {
        if (next >= items.length) {
          current = null;
          void worker.terminate();
          return;
        }
        current = items[next++];
        currentBytes = 0;
        gotResult = false;
        const msg: MainToWorker = { item: current, done: doneFor(current) };
        worker.postMessage(msg);
      };

      worker.on('message', (msg: WorkerToMain) => {
        switch (msg.kind) {
          case 'ready':
            handOut();
            break;
          case 'result':
            gotResult = true;
            onResult(msg.set, msg.lines);
            break;
          case 'skipped':
            onSkipped(msg.name);
            break;
          case 'progress':
            progress.bytesDone += msg.bytes - currentBytes;
            currentBytes = msg.bytes;
            opts.onProgress?.(progress);
            break;
          case 'done':
            if (current) progress.bytesDone += Math.max(0, current.size - currentBytes);
            progress.itemsDone++;
            opts.onProgress?.(progress);
            handOut();
            break;
        }
      });
      worker.on('error', (err) => {
        if (current) {
          // the item that was running is lost, not the batch: record it and carry on
          if (!gotResult) onResult({ capture: errorRecord(current.path, `${current.path}: worker failed: ${err.message}`), hosts: [] });
          progress.itemsDone++;
          current = null;
        } else if (!failed) {
          failed = true;
          reject(err);
        }
      });
      worker.on('exit', () => {
        live--;
        if (failed) return;
        // a worker that died mid-batch is replaced while there is work left
        if (next < items.length && live < jobs) start();
        else if (live === 0) resolve();
      });
    };

    for (let i = 0; i < jobs; i++) start();
  });
  return stats;
}
