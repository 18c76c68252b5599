#!/usr/bin/env node
// `npm run bench`: writes a deterministic synthetic capture with the project's generator, then
// times leakscope (reader alone, decoding to TCP/UDP, `info`, `events`, `analyze`) and, when
// installed, tshark on the same file in the same run. Prints MB/s, packets/s, peak RSS and
// the ratio to tshark — a ratio, because these machines are shared and noisy.
//
// With --repeat N every command keeps its best of N runs, and the runs go in turns (tshark,
// then each leakscope command, N times over), so that the best of a short command and the best
// of tshark are taken across the same minute: a slow spell of a few seconds on the host would
// otherwise catch all the runs of a short command, run back to back, and few of tshark's.
//
// `events-1cpu` runs `events` pinned to one CPU (taskset): V8 compiles and collects on other
// threads while tshark needs one core, so on a host whose second core comes and goes the ratio
// does too. This row is the floor: the ratio when leakscope gets no more CPU than tshark uses.
//
// `keyed` runs `analyze --keylog` on the keyed benchmark capture (bench-capture --keyed: TLS 1.3
// and 1.2 carrying HTTP/2 and HTTP/1.1, with its key log) against tshark decrypting the same file
// with the same keys and listing the requests (`-Y "http2.headers.method or http.request"`).
//
// usage: npm run bench -- [--size MB] [--file PCAP] [--only reader,decode,info,events,events-1cpu,analyze,warm,keyed] [--keyed-size MB] [--no-tshark] [--repeat N]
import { spawnSync } from 'node:child_process';
import { measure as run } from './measure.mjs';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { benchCapture, flag, keyedBenchCapture, option, root } from './args.mjs';

const only = new Set(option('only', 'reader,decode,info,events,events-1cpu,analyze,warm,keyed').split(','));
const useTshark = !flag('no-tshark') && spawnSync('tshark', ['--version']).status === 0;
const repeat = Number(option('repeat', '1'));

// `--only keyed` needs no plain capture
const needPlain = [...only].some((k) => k !== 'keyed');
const file = needPlain ? benchCapture() : null;
const bytes = file ? statSync(file).size : 0;

/** a command that exits 0 (or 3, a partial result) */
async function measure(cmd, cmdArgs) {
  const r = await run(cmd, cmdArgs);
  if (r.code !== 0 && r.code !== 3) throw new Error(`${cmd} ${cmdArgs.join(' ')} exited ${r.code}: ${r.err}`);
  return r;
}

/** keeps the faster of two measurements */
const faster = (a, b) => (!a || b.s < a.s ? b : a);

const cli = [path.join(root, 'bin/run.js')];
/** a library pass prints {"s": seconds} of its own loop */
const inner = (r) => ({ ...r, s: JSON.parse(r.head).s });
const lib = (what) => [path.join(root, 'bench/lib-pass.mjs'), what, file];
const tsharkFields = [
  '-r',
  file,
  '-T',
  'fields',
  '-e',
  'tls.handshake.extensions_server_name',
  '-e',
  'http.host',
  '-e',
  'http.request.uri',
  '-e',
  'dns.qry.name',
  '-Y',
  'tls.handshake.type==1 || http.request || dns.flags.response==1',
];

let packets = 0;
if (file)
  try {
    packets = JSON.parse(spawnSync(process.execPath, [...cli, 'info', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout).packets;
  } catch {
    packets = 0;
  }
/** the first CPU this process may run on, for `taskset -c`; null when pinning says nothing (one CPU) or cannot be done */
function oneCpu() {
  if (availableParallelism() < 2 || spawnSync('taskset', ['--version']).status !== 0) return null;
  const allowed = /Cpus_allowed_list:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return allowed ? allowed[1] : null;
}
const pinnedCpu = only.has('events-1cpu') ? oneCpu() : null;

const tsharkJob = useTshark && needPlain ? () => measure('tshark', tsharkFields) : null;

// the keyed row needs `analyze --keylog` (issue #20's key plumbing): until the CLI has it, the row is skipped and said so
const cliHasKeylog = spawnSync(process.execPath, [...cli, 'analyze', '--help'], { encoding: 'utf8' }).stdout.includes('--keylog');
const keyed = only.has('keyed') && cliHasKeylog ? keyedBenchCapture() : null;
const keyedMb = keyed ? statSync(keyed.file).size / 1e6 : 0;
const tsharkKeyedJob =
  useTshark && keyed ? () => measure('tshark', ['-r', keyed.file, '-o', `tls.keylog_file:${keyed.keys}`, '-Y', 'http2.headers.method or http.request']) : null;
const tsharkCountJob = useTshark && only.has('info') ? () => measure('tshark', ['-r', file, '-q', '-z', 'io,stat,0']) : null;

const jobs = [
  // the library passes report their own loop time (process start-up and imports excluded)
  ['reader', 'reader: iterate frames', () => measure(process.execPath, lib('reader')).then(inner), null],
  ['decode', 'decode to TCP/UDP', () => measure(process.execPath, lib('decode')).then(inner), null],
  ['info', 'leakscope info', () => measure(process.execPath, [...cli, 'info', file, '--format', 'json']), 'count'],
  ['events', 'leakscope events', () => measure(process.execPath, [...cli, 'events', file, '--format', 'ndjson']), 'fields'],
  [
    'events-1cpu',
    'events, pinned to 1 CPU',
    () => measure('taskset', ['-c', pinnedCpu, process.execPath, ...cli, 'events', file, '--format', 'ndjson']),
    'fields',
  ],
  ['analyze', 'leakscope analyze', () => measure(process.execPath, [...cli, 'analyze', file, '--format', 'json']), 'fields'],
  ['keyed', 'analyze --keylog (keyed)', () => measure(process.execPath, [...cli, 'analyze', keyed.file, '--keylog', keyed.keys, '--format', 'json']), 'keyed'],
  // the same capture without its keys: everything but decryption and the parsing it opens up
  // (reading, TCP, TLS records, handshakes, the report) — the floor under the row above
  ['keyed', 'analyze, no keys (keyed)', () => measure(process.execPath, [...cli, 'analyze', keyed.file, '--format', 'json']), 'keyed'],
  ['keyed', 'events, no keys (keyed)', () => measure(process.execPath, [...cli, 'events', keyed.file, '--format', 'ndjson']), 'keyed'],
  // the engine alone, second pass in one process: what start-up and JIT warm-up leave
  ['warm', 'events engine, warm', () => measure(process.execPath, lib('events-warm')).then(inner), 'fields'],
  ['warm', 'analyze engine, warm', () => measure(process.execPath, lib('analyze-warm')).then(inner), 'fields'],
].filter(([key]) => only.has(key) && (key !== 'events-1cpu' || pinnedCpu !== null) && (key !== 'keyed' || keyed !== null));

let tshark = null;
let tsharkCount = null;
let tsharkKeyed = null;
const bestOf = new Map();
for (let round = 0; round < repeat; round++) {
  if (tsharkJob) tshark = faster(tshark, await tsharkJob());
  if (tsharkCountJob) tsharkCount = faster(tsharkCount, await tsharkCountJob());
  if (tsharkKeyedJob) tsharkKeyed = faster(tsharkKeyed, await tsharkKeyedJob());
  for (const [, label, run] of jobs) bestOf.set(label, faster(bestOf.get(label), await run()));
}
const rows = jobs.map(([, label, , against]) => {
  const r = bestOf.get(label);
  const base = against === 'count' ? tsharkCount : against === 'fields' ? tshark : against === 'keyed' ? tsharkKeyed : null;
  return { label, ...r, mb: against === 'keyed' ? keyedMb : bytes / 1e6, ratio: base ? base.s / r.s : null };
});

const mb = bytes / 1e6;
if (file) console.log(`capture ${path.relative(root, file)}: ${mb.toFixed(0)} MB, ${packets} packets; node ${process.version}`);
if (tshark)
  console.log(`tshark (fields sni/host/uri/dns): ${tshark.s.toFixed(2)} s, ${(mb / tshark.s).toFixed(0)} MB/s, peak RSS ${tshark.peakMb.toFixed(0)} MB`);
if (tsharkCount) console.log(`tshark (count frames, io,stat): ${tsharkCount.s.toFixed(2)} s, ${(mb / tsharkCount.s).toFixed(0)} MB/s`);
if (keyed) console.log(`keyed capture ${path.relative(root, keyed.file)}: ${keyedMb.toFixed(0)} MB with ${path.relative(root, keyed.keys)}`);
if (tsharkKeyed)
  console.log(
    `tshark (decrypt, http2.headers.method or http.request): ${tsharkKeyed.s.toFixed(2)} s, ${(keyedMb / tsharkKeyed.s).toFixed(0)} MB/s, peak RSS ${tsharkKeyed.peakMb.toFixed(0)} MB`,
  );
console.log('');
console.log('what                      seconds      MB/s   Mpkt/s  peak RSS MB  × tshark');
for (const r of rows) {
  console.log(
    `${r.label.padEnd(24)} ${r.s.toFixed(2).padStart(8)} ${(r.mb / r.s).toFixed(0).padStart(9)} ${r.mb === mb ? (packets / r.s / 1e6).toFixed(2).padStart(8) : '       -'} ${r.peakMb.toFixed(0).padStart(12)} ${r.ratio ? r.ratio.toFixed(1).padStart(9) : '        -'}`,
  );
}

if (only.has('keyed') && !cliHasKeylog) {
  console.log("\nkeyed skipped: this build's `analyze` has no --keylog yet.");
}

if (only.has('events-1cpu') && pinnedCpu === null) {
  console.log('\nevents-1cpu skipped: it needs `taskset` (util-linux) and at least two CPUs to pin to one of.');
}

// Node 20 parses the NODE_EXTRA_CA_CERTS bundle at every start, before any script runs
// (nodejs/node#40524), a cost no leakscope code can avoid: say what it is on this machine.
if (process.env.NODE_EXTRA_CA_CERTS) {
  const bareStart = async (env) => {
    const times = [];
    for (let i = 0; i < 5; i++) times.push((await run(process.execPath, ['-e', '0'], { env })).s);
    return times.sort((a, b) => a - b)[2];
  };
  const { NODE_EXTRA_CA_CERTS: _unused, ...without } = process.env;
  const withCerts = await bareStart(process.env);
  const withoutCerts = await bareStart(without);
  console.log('');
  console.log(
    `NODE_EXTRA_CA_CERTS is set: Node parses it at every start, ${((withCerts - withoutCerts) * 1000).toFixed(0)} ms of each leakscope run above` +
      ` (node -e 0: ${(withCerts * 1000).toFixed(0)} ms, without it ${(withoutCerts * 1000).toFixed(0)} ms). leakscope makes no TLS connection: \`env -u NODE_EXTRA_CA_CERTS\` saves it.`,
  );
}
