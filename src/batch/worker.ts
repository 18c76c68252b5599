/**
 * A batch worker thread: opens the signature and geo databases once, then analyses the items
 * the main thread hands it one at a time, streaming each capture's records back as it finishes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openBatchEnv, runItem, type BatchConfig } from './task.js';
import type { MainToWorker, WorkerToMain } from './protocol.js';
import { resultSetLines, slimResultSet } from './records.js';

const port = parentPort;
if (!port) throw new Error('batch/worker.js must run in a worker thread');

const env = openBatchEnv((workerData as { config: BatchConfig }).config);
const send = (msg: WorkerToMain): void => port.postMessage(msg);

port.on('message', (msg: MainToWorker) => {
  let lastProgress = 0;
  void runItem(msg.item, env, new Map(msg.done), {
    result: (set) => send({ kind: 'result', set: slimResultSet(set), lines: resultSetLines(set) }),
    skipped: (name) => send({ kind: 'skipped', name }),
    progress: (bytes) => {
      // a message per chunk would cost more than it tells: at most ~10 a second
      const now = Date.now();
      if (now - lastProgress < 100) return;
      lastProgress = now;
      send({ kind: 'progress', bytes });
    },
  }).then(() => send({ kind: 'done' }));
});
send({ kind: 'ready' });
