#!/usr/bin/env node
// The mutation fuzzer: mutates the project's small captures (test-support/synth/mutate.ts: editcap -E
// byte errors, truncation, duplicated/removed/swapped records, corrupted length fields) and runs
// each copy through the whole pipeline (scanCapture). Properties checked on every iteration:
//   - nothing throws except CaptureFormatError (only when the file header itself is broken),
//     and no decoder throws inside the per-packet guard (no internal_decoder_error anomaly);
//   - output stays proportional to input: observations + anomalies ≤ input bytes;
//   - nothing hangs: an iteration running longer than --timeout seconds is recorded as a hang
//     (here the loop runs in a worker thread that is terminated and restarted after it; inside
//     the test suite a watchdog thread ends the process, naming the iteration);
//   - a known-good capture decodes exactly as before after all the bad ones.
// Deterministic: iteration i of input i % inputs always gets the same bytes.
//
// usage: npm run fuzz -- [--iterations N=10000] [--from I=0] [--seed S=0] [--timeout SEC=10]
//                        [--input FILE]... [--save-failures DIR]
//
// The test suite imports runFuzz() with the TypeScript sources (test/fuzz/fuzz.test.ts); run
// directly, it uses the compiled dist/.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { option } from './args.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The default corpus: small captures of the project and of ../shared (read in place). */
export const DEFAULT_INPUTS = [
  'fixtures/captures/loopback_clients.pcap',
  'fixtures/captures/mi_browser_demo.pcap',
  '../shared/captures/dns.pcap',
  '../shared/captures/sensors_node.pcap',
  '../shared/corpus/files/scapy__http_chunk.pcap',
  '../shared/corpus/files/nDPI__xiaomi.pcap',
  '../shared/corpus/files/dpkt__truncated_dns.pcap',
  '../shared/corpus/files/tcpdump__quic_handshake.pcap',
  '../shared/corpus/files/gopacket__le_test901.pcapng',
  // decryption: TLS 1.2/1.3 with their key logs (F.keys beside them), keys embedded in a DSB
  '../shared/keyed/clients/partial_keys.pcap',
  '../shared/keyed/corpus/files/wireshark-wireshark__tls13-rfc8446.pcap',
  '../shared/keyed/corpus/files/wireshark-wireshark__tls12-dsb.pcapng',
  // QUIC v1 with its key log: 1-RTT ping/pong, and Chromium's HTTP/3 (QPACK, 6 connections)
  '../shared/keyed/corpus/files/syncsynchalt-illustrated-quic__capture.pcap',
  '../shared/keyed/clients/h3_chromium_caddy.pcap',
].map((p) => path.resolve(root, p));

/** The key log beside a capture, as the conformance tool finds it (F.keys, or F without its extension + .keys). */
export function keylogBeside(file) {
  for (const k of [`${file}.keys`, file.replace(/\.[^./]+$/, '.keys')]) {
    try {
      return readFileSync(k, 'utf8');
    } catch {
      /* none */
    }
  }
  return undefined;
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A damaged key log: a flipped hex digit (a wrong key: records must fail, not crash), a line
 * cut short, a line dropped, garbage inserted, or line ends changed. Returns the text and what was done.
 */
export function mutateKeyLog(text, iteration, seed = 0) {
  const rnd = prng((seed * 0x9e3779b1) ^ iteration);
  const lines = text.split('\n');
  const i = Math.floor(rnd() * lines.length);
  const line = lines[i] ?? '';
  const op = Math.floor(rnd() * 5);
  if (op === 0 && line.length > 0) {
    const at = Math.floor(rnd() * line.length);
    lines[i] = line.slice(0, at) + '0123456789abcdefXZ '[Math.floor(rnd() * 19)] + line.slice(at + 1);
    return { text: lines.join('\n'), applied: `keylog-flip line ${i + 1}` };
  }
  if (op === 1) {
    lines[i] = line.slice(0, Math.floor(rnd() * line.length));
    return { text: lines.join('\n'), applied: `keylog-cut line ${i + 1}` };
  }
  if (op === 2) {
    lines.splice(i, 1);
    return { text: lines.join('\n'), applied: `keylog-drop line ${i + 1}` };
  }
  if (op === 3) {
    lines.splice(i, 0, String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))));
    return { text: lines.join('\n'), applied: `keylog-garbage line ${i + 1}` };
  }
  return { text: lines.join(rnd() < 0.5 ? '\r\n' : '\r'), applied: 'keylog-line-ends' };
}

/**
 * Runs one capture through the pipeline from memory. Returns what it produced, or the error it
 * threw (never rejects).
 */
export async function runOnce(lib, bytes, keylog) {
  const observations = [];
  let flows = 0;
  try {
    let keyStore;
    if (keylog !== undefined) {
      // read leniently: a damaged line is skipped, as --keylog-lenient does
      keyStore = new lib.KeyStore({ lenient: true, maxLineBytes: 64 * 1024, maxFileBytes: 1 << 28 });
      keyStore.addText(keylog, 'fuzz.keys');
    }
    const res = await lib.scanCapture(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), {
      name: 'fuzz',
      keyStore,
      onObservation: (o) => observations.push(o),
      onFlowClose: () => flows++,
    });
    return {
      ok: true,
      observations,
      flows,
      frames: res.read.frames,
      anomalies: res.anomalies.countsObject(),
      anomalyTotal: res.anomalies.total,
      damaged: Boolean(res.read.damage),
      internalErrors: res.anomalies.kept.filter((a) => a.code === 'internal_decoder_error').map((a) => `frame ${a.packet}: ${a.detail}`),
    };
  } catch (error) {
    return { ok: false, error, observations, flows };
  }
}

/** what a run produced, as one comparable string */
export function digest(run) {
  return JSON.stringify({ frames: run.frames, flows: run.flows, observations: run.observations, anomalies: run.anomalies });
}

/**
 * A thread that watches a heartbeat the fuzz loop bumps per iteration. A synchronous infinite
 * loop in the pipeline blocks the event loop, so no timer on the main thread could fire; this
 * thread can still print which iteration hung and end the process.
 */
function startWatchdog(timeoutMs, seed) {
  const shared = new Int32Array(new SharedArrayBuffer(12)); // [heartbeat, iteration, active]
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const s = new Int32Array(workerData.buf);
     for (;;) {
       const beat = Atomics.load(s, 0);
       if (Atomics.wait(s, 0, beat, workerData.timeoutMs) === 'timed-out' && Atomics.load(s, 2) === 1) {
         require('node:fs').writeSync(2, 'fuzz: iteration ' + Atomics.load(s, 1) + ' (seed ' + workerData.seed + ') did not finish within ' + workerData.timeoutMs / 1000 +
           ' s (a hang); reproduce with: npm run fuzz -- --seed ' + workerData.seed + ' --from ' + Atomics.load(s, 1) + ' --iterations 1\\n');
         process.kill(process.pid, 'SIGKILL');
       }
     }`,
    { eval: true, workerData: { buf: shared.buffer, timeoutMs, seed } },
  );
  worker.unref();
  return {
    beat(iteration) {
      Atomics.store(shared, 1, iteration);
      Atomics.store(shared, 2, 1);
      Atomics.add(shared, 0, 1);
      Atomics.notify(shared, 0);
    },
    async stop() {
      Atomics.store(shared, 2, 0);
      await worker.terminate();
    },
  };
}

/**
 * The fuzz loop. `lib` = {scanCapture, mutateCapture, captureLayout} (dist/ or the TS
 * sources); `inputs` = [{name, bytes}]. Resolves with a summary; failures are collected, not thrown.
 */
export async function runFuzz(lib, inputs, { iterations, from = 0, seed = 0, timeoutMs = 10_000, onFailure, onIteration, watchdog: useWatchdog = true } = {}) {
  const layouts = inputs.map((i) => lib.captureLayout(i.bytes));
  const clean = [];
  for (const input of inputs) {
    const run = await runOnce(lib, input.bytes, input.keylog);
    if (!run.ok) throw new Error(`clean input ${input.name} fails before any mutation: ${run.error?.stack ?? run.error}`);
    clean.push(run);
  }
  const summary = {
    iterations: 0,
    bytes: 0,
    outcomes: { ok: 0, damaged: 0, notACapture: 0 },
    kinds: {},
    failures: [],
    slowest: { iteration: -1, msPerKb: 0 },
    anomalyCodes: {},
  };
  const watchdog = useWatchdog ? startWatchdog(timeoutMs, seed) : { beat() {}, async stop() {} };
  try {
    for (let it = from; it < from + iterations; it++) {
      const k = it % inputs.length;
      const input = inputs[k];
      const m = lib.mutateCapture(input.bytes, it, { baseSeed: seed }, layouts[k]);
      for (const a of m.applied) {
        const kind = a.split(' ')[0];
        summary.kinds[kind] = (summary.kinds[kind] ?? 0) + 1;
      }
      // a keyed input: every third iteration its key log is damaged too
      let keylog = input.keylog;
      if (keylog !== undefined && it % 3 === 0) {
        const km = mutateKeyLog(keylog, it, seed);
        keylog = km.text;
        m.applied.push(km.applied);
        summary.kinds[km.applied.split(' ')[0]] = (summary.kinds[km.applied.split(' ')[0]] ?? 0) + 1;
      }
      watchdog.beat(it);
      onIteration?.(it);
      const t0 = process.hrtime.bigint();
      const run = await runOnce(lib, m.bytes, keylog);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      summary.iterations++;
      summary.bytes += m.bytes.length;
      const msPerKb = ms / Math.max(1, m.bytes.length / 1024);
      if (msPerKb > summary.slowest.msPerKb) summary.slowest = { iteration: it, input: input.name, msPerKb, ms, bytes: m.bytes.length };

      let failure;
      if (!run.ok) {
        if (run.error?.name === 'CaptureFormatError') summary.outcomes.notACapture++;
        else failure = `threw ${run.error?.stack ?? run.error}`;
      } else {
        for (const [code, n] of Object.entries(run.anomalies)) summary.anomalyCodes[code] = (summary.anomalyCodes[code] ?? 0) + n;
        if (run.anomalies.internal_decoder_error) failure = `internal_decoder_error ×${run.anomalies.internal_decoder_error}: ${run.internalErrors.join('; ')}`;
        else if (run.observations.length + run.anomalyTotal > m.bytes.length)
          failure = `output not proportional: ${run.observations.length} observations + ${run.anomalyTotal} anomalies from ${m.bytes.length} bytes`;
        else if (run.damaged) summary.outcomes.damaged++;
        else summary.outcomes.ok++;
      }
      if (failure) {
        const f = { iteration: it, input: input.name, applied: m.applied, failure };
        summary.failures.push(f);
        onFailure?.(f, m.bytes);
      }
    }
  } finally {
    await watchdog.stop();
  }
  // a known-good capture still decodes exactly as before
  summary.cleanAfter = [];
  for (let k = 0; k < inputs.length; k++) {
    const again = await runOnce(lib, inputs[k].bytes, inputs[k].keylog);
    const same = again.ok && digest(again) === digest(clean[k]);
    summary.cleanAfter.push({ input: inputs[k].name, same });
    if (!same) summary.failures.push({ iteration: -1, input: inputs[k].name, applied: [], failure: 'clean input decodes differently after the mutated ones' });
  }
  return summary;
}

async function loadLib() {
  return {
    ...(await import(pathToFileURL(path.join(root, 'dist/src/engine/scan.js')).href)),
    ...(await import(pathToFileURL(path.join(root, 'dist/test-support/synth/mutate.js')).href)),
    ...(await import(pathToFileURL(path.join(root, 'dist/src/decrypt/key-sources.js')).href)),
  };
}

function loadInputs(files) {
  return (files.length ? files : DEFAULT_INPUTS).map((f) => ({
    name: path.relative(root, f),
    bytes: new Uint8Array(readFileSync(f)),
    keylog: keylogBeside(f),
  }));
}

/** Worker side: runs iterations [from, from+iterations) and reports each start and the summary. */
async function workerMain() {
  const { files, from, iterations, seed, saveDir } = workerData;
  const lib = await loadLib();
  const inputs = loadInputs(files);
  const summary = await runFuzz(lib, inputs, {
    iterations,
    from,
    seed,
    watchdog: false,
    onIteration: (it) => parentPort.postMessage({ type: 'start', it }),
    onFailure: (f, bytes) => {
      if (saveDir) {
        mkdirSync(saveDir, { recursive: true });
        writeFileSync(path.join(saveDir, `fuzz-seed${seed}-${f.iteration}.pcap`), bytes);
      }
      parentPort.postMessage({ type: 'failure', failure: f });
    },
  });
  parentPort.postMessage({ type: 'done', summary });
}

/**
 * Runs iterations in a worker thread and terminates it when one iteration takes longer than
 * timeoutMs (a hang): the hang is recorded and the run goes on with the next iteration.
 */
function runChunk(opts) {
  return new Promise((resolve, reject) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: opts });
    let current = opts.from - 1;
    let timer;
    const failures = [];
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        await w.terminate();
        resolve({ hung: current, failures });
      }, opts.timeoutMs);
    };
    arm();
    w.on('message', (m) => {
      if (m.type === 'start') {
        current = m.it;
        arm();
      } else if (m.type === 'failure') {
        failures.push(m.failure);
        process.stderr.write(
          `FAIL iteration ${m.failure.iteration} (${m.failure.input}; ${m.failure.applied.join(', ')}): ${m.failure.failure.split('\n').slice(0, 3).join(' | ')}\n`,
        );
      } else if (m.type === 'done') {
        clearTimeout(timer);
        resolve({ summary: m.summary, failures });
      }
    });
    w.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const files = args.flatMap((a, i) => (a === '--input' ? [path.resolve(args[i + 1])] : []));
  const saveDir = option('save-failures', null);
  const inputs = loadInputs(files);
  const iterations = Number(option('iterations', '10000'));
  const from = Number(option('from', '0'));
  const seed = Number(option('seed', '0'));
  const timeoutMs = Number(option('timeout', '10')) * 1000;
  const t0 = Date.now();
  let lastReport = t0;
  const total = {
    iterations: 0,
    bytes: 0,
    outcomes: { ok: 0, damaged: 0, notACapture: 0 },
    kinds: {},
    failures: [],
    hangs: [],
    anomalyCodes: {},
    slowest: { msPerKb: 0 },
  };
  let cleanAfter = [];
  const chunk = 5000;
  let next = from;
  const end = from + iterations;
  while (next < end) {
    const n = Math.min(chunk, end - next);
    const r = await runChunk({ files, from: next, iterations: n, seed, saveDir, timeoutMs });
    if (r.summary === undefined) {
      // a hang: count what ran before it, record it, go on after it
      process.stderr.write(
        `HANG iteration ${r.hung} (seed ${seed}): no result within ${timeoutMs / 1000} s; reproduce with npm run fuzz -- --seed ${seed} --from ${r.hung} --iterations 1\n`,
      );
      total.hangs.push(r.hung);
      total.failures.push(...r.failures);
      total.iterations += r.hung - next + 1;
      next = r.hung + 1;
      continue;
    }
    const s = r.summary;
    total.iterations += s.iterations;
    total.bytes += s.bytes;
    for (const k of Object.keys(s.outcomes)) total.outcomes[k] += s.outcomes[k];
    for (const [k, v] of Object.entries(s.kinds)) total.kinds[k] = (total.kinds[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.anomalyCodes)) total.anomalyCodes[k] = (total.anomalyCodes[k] ?? 0) + v;
    total.failures.push(...s.failures);
    if (s.slowest.msPerKb > total.slowest.msPerKb) total.slowest = s.slowest;
    cleanAfter = s.cleanAfter;
    next += n;
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      process.stderr.write(
        `${next - from}/${iterations} mutations, ${((Date.now() - t0) / 1000).toFixed(0)} s, ${total.failures.length} failures, ${total.hangs.length} hangs\n`,
      );
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  const byKind = {};
  for (const f of total.failures) {
    const key = f.failure.split('\n')[0].slice(0, 120);
    (byKind[key] ??= []).push(f.iteration);
  }
  const report = {
    iterations: total.iterations,
    from,
    seed,
    inputs: inputs.map((i) => i.name),
    seconds: Number(seconds.toFixed(1)),
    mutationsPerSecond: Math.round(total.iterations / seconds),
    megabytes: Number((total.bytes / 1e6).toFixed(1)),
    outcomes: total.outcomes,
    operators: total.kinds,
    anomalyCodes: Object.fromEntries(Object.entries(total.anomalyCodes).sort()),
    slowest: total.slowest,
    cleanInputsUnchangedAfterwards: cleanAfter.every((c) => c.same),
    hangs: total.hangs,
    failures: total.failures.length,
    failuresByKind: Object.fromEntries(Object.entries(byKind).map(([k, its]) => [k, { count: its.length, first: its.slice(0, 5) }])),
  };
  console.log(JSON.stringify(report, null, 2));
  process.exit(total.failures.length + total.hangs.length > 0 ? 1 : 0);
}

if (!isMainThread && workerData?.files) await workerMain();
else if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
