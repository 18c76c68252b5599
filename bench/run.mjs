#!/usr/bin/env node
// `npm run bench`: writes a deterministic synthetic capture with the project's generator, then
// times leakscope (reader alone, decoding to TCP/UDP, `info`, `events`, `analyze`) and, when
// installed, tshark on the same file in the same run. Prints MB/s, packets/s, peak RSS and
// the ratio to tshark — a ratio, because these machines are shared and noisy.
//
// usage: npm run bench -- [--size MB] [--file PCAP] [--only reader,decode,info,events,analyze,warm] [--no-tshark] [--repeat N]
import { spawnSync } from 'node:child_process';
import { measure as run } from './measure.mjs';
import { statSync } from 'node:fs';
import path from 'node:path';
import { benchCapture, flag, option, root } from './args.mjs';

const only = new Set((option('only', 'reader,decode,info,events,analyze,warm')).split(','));
const useTshark = !flag('no-tshark') && spawnSync('tshark', ['--version']).status === 0;
const repeat = Number(option('repeat', '1'));

const file = benchCapture();
const bytes = statSync(file).size;


/** a command that exits 0 (or 3, a partial result) */
async function measure(cmd, cmdArgs) {
  const r = await run(cmd, cmdArgs);
  if (r.code !== 0 && r.code !== 3) throw new Error(`${cmd} ${cmdArgs.join(' ')} exited ${r.code}: ${r.err}`);
  return r;
}

async function best(cmd, cmdArgs) {
  let b;
  for (let i = 0; i < repeat; i++) {
    const r = await measure(cmd, cmdArgs);
    if (!b || r.s < b.s) b = r;
  }
  return b;
}

const cli = [path.join(root, 'bin/run.js')];
/** a library pass prints {"s": seconds} of its own loop */
const inner = (r) => ({ ...r, s: JSON.parse(r.head).s });
const lib = (what) => [path.join(root, 'bench/lib-pass.mjs'), what, file];
const tsharkFields = ['-r', file, '-T', 'fields', '-e', 'tls.handshake.extensions_server_name', '-e', 'http.host', '-e', 'http.request.uri', '-e', 'dns.qry.name',
  '-Y', 'tls.handshake.type==1 || http.request || dns.flags.response==1'];

const rows = [];
let packets = 0;
try {
  packets = JSON.parse(spawnSync(process.execPath, [...cli, 'info', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout).packets;
} catch {
  packets = 0;
}
const tshark = useTshark ? await best('tshark', tsharkFields) : null;
const tsharkCount = useTshark && only.has('info') ? await best('tshark', ['-r', file, '-q', '-z', 'io,stat,0']) : null;

const jobs = [
  // the library passes report their own loop time (process start-up and imports excluded)
  ['reader', 'reader: iterate frames', () => best(process.execPath, lib('reader')).then(inner), null],
  ['decode', 'decode to TCP/UDP', () => best(process.execPath, lib('decode')).then(inner), null],
  ['info', 'leakscope info', () => best(process.execPath, [...cli, 'info', file, '--format', 'json']), tsharkCount],
  ['events', 'leakscope events', () => best(process.execPath, [...cli, 'events', file, '--format', 'ndjson']), tshark],
  ['analyze', 'leakscope analyze', () => best(process.execPath, [...cli, 'analyze', file, '--format', 'json']), tshark],
  // the engine alone, second pass in one process: what start-up and JIT warm-up leave
  ['warm', 'events engine, warm', () => best(process.execPath, lib('events-warm')).then(inner), tshark],
  ['warm', 'analyze engine, warm', () => best(process.execPath, lib('analyze-warm')).then(inner), tshark],
];
for (const [key, label, run, against] of jobs) {
  if (!only.has(key)) continue;
  const r = await run();
  rows.push({ label, ...r, ratio: against ? against.s / r.s : null });
}

const mb = bytes / 1e6;
console.log(`capture ${path.relative(root, file)}: ${mb.toFixed(0)} MB, ${packets} packets; node ${process.version}`);
if (tshark) console.log(`tshark (fields sni/host/uri/dns): ${tshark.s.toFixed(2)} s, ${(mb / tshark.s).toFixed(0)} MB/s, peak RSS ${tshark.peakMb.toFixed(0)} MB`);
if (tsharkCount) console.log(`tshark (count frames, io,stat): ${tsharkCount.s.toFixed(2)} s, ${(mb / tsharkCount.s).toFixed(0)} MB/s`);
console.log('');
console.log('what                      seconds      MB/s   Mpkt/s  peak RSS MB  × tshark');
for (const r of rows) {
  console.log(
    `${r.label.padEnd(24)} ${r.s.toFixed(2).padStart(8)} ${(mb / r.s).toFixed(0).padStart(9)} ${(packets / r.s / 1e6).toFixed(2).padStart(8)} ${r.peakMb.toFixed(0).padStart(12)} ${r.ratio ? r.ratio.toFixed(1).padStart(9) : '        -'}`,
  );
}
