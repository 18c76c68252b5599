#!/usr/bin/env node
// Hostile captures against the resource bounds: generates each capture of
// test-support/synth/adversarial.ts at half and at full scale (into /tmp, deleted afterwards unless
// --keep), runs `leakscope analyze --format json` and `leakscope events --format ndjson` on
// each, and prints time, peak RSS (VmHWM polled from /proc, as bench/run.mjs does) and exit
// code. Bounds: peak RSS ≤ 300 MB, and time linear in size (full / half ≤ 2.5, i.e. about 2).
//
// usage: npm run build && node bench/adversarial.mjs [--only syn-flood,gap-stream,gzip-bomb,pipelined]
//                                                    [--scale F=1] [--out DIR] [--keep] [--json]
import { measure } from './measure.mjs';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { flag, option, root } from './args.mjs';

const RSS_BOUND_MB = 300;
const LINEAR_BOUND = 2.5;

const { ADVERSARIAL_CAPTURES } = await import(pathToFileURL(path.join(root, 'dist/test-support/synth/adversarial.js')).href);
const only = option('only', null)?.split(',');
const scaleFactor = Number(option('scale', '1'));
const outDir = option('out', '/tmp/leakscope-adversarial');
const keep = flag('keep');
mkdirSync(outDir, { recursive: true });

const cli = path.join(root, 'bin/run.js');
const commands = [
  ['analyze', ['analyze', '--format', 'json', '--no-geo']],
  ['events', ['events', '--format', 'ndjson']],
];
const rows = [];
for (const spec of ADVERSARIAL_CAPTURES) {
  if (only && !only.includes(spec.name)) continue;
  const full = Math.round(spec.fullScale * scaleFactor);
  const runs = {};
  for (const scale of [Math.round(full / 2), full]) {
    const file = path.join(outDir, `${spec.name}-${scale}.pcap`);
    let frames = null;
    if (!existsSync(file)) {
      const t0 = Date.now();
      frames = (await spec.write(file, scale)).frames;
      process.stderr.write(`wrote ${file} (${spec.describe(scale)}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    const mb = statSync(file).size / 1e6;
    for (const [label, cmdArgs] of commands) {
      const r = await measure(process.execPath, [cli, ...cmdArgs.slice(0, 1), file, ...cmdArgs.slice(1)]);
      const key = `${label}`;
      (runs[key] ??= []).push(r.s);
      rows.push({ capture: spec.name, what: spec.describe(scale), scale, mb, frames, command: label, ...r });
    }
    if (!keep) rmSync(file, { force: true });
  }
  for (const row of rows.filter((r) => r.capture === spec.name && r.scale === full)) {
    const [half, whole] = runs[row.command];
    row.ratio = whole / half;
  }
}

if (flag('json')) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  console.log(`node ${process.version}; bounds: peak RSS ≤ ${RSS_BOUND_MB} MB, time full/half ≤ ${LINEAR_BOUND}`);
  console.log('');
  console.log('capture      scale          file MB  command   seconds  peak RSS MB  exit  full/half  verdict');
  for (const r of rows) {
    const rssOk = r.peakMb <= RSS_BOUND_MB;
    const exitOk = r.code === 0 || r.code === 3;
    const linOk = r.ratio === undefined || r.ratio <= LINEAR_BOUND;
    const verdict = rssOk && exitOk && linOk ? 'ok' : [!rssOk && 'RSS', !exitOk && `EXIT ${r.code}`, !linOk && 'NOT LINEAR'].filter(Boolean).join(' ');
    console.log(
      `${r.capture.padEnd(12)} ${String(r.scale).padEnd(13)} ${r.mb.toFixed(1).padStart(8)}  ${r.command.padEnd(8)} ${r.s.toFixed(2).padStart(8)} ${r.peakMb.toFixed(0).padStart(12)} ${String(r.code).padStart(5)} ${r.ratio === undefined ? '         ' : r.ratio.toFixed(2).padStart(9)}  ${verdict}`,
    );
    if (!exitOk && r.err) console.log(`    stderr: ${r.err.replace(/\n/g, ' | ')}`);
  }
}
if (!keep) rmSync(outDir, { recursive: true, force: true });
