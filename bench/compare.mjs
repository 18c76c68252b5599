#!/usr/bin/env node
// `npm run bench:compare -- --baseline REV`: is this checkout faster than REV? On a shared
// machine one run of each says little (its speed drifts by ±15 % within an hour), so the two
// builds are run in turns, back to back, for several rounds, and each round gives one paired
// ratio; the median ratio and how many rounds went each way are the answer.
//
// REV is checked out into a worktree under the system's temporary folder and built once (it
// uses this checkout's node_modules). Both run the same capture, the one `npm run bench` uses.
//
// usage: npm run bench:compare -- --baseline REV [--rounds N] [--only info,events,analyze,keyed] [--size MB] [--file PCAP] [--keyed-size MB]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measure } from './measure.mjs';
import { benchCapture, keyedBenchCapture, option, root } from './args.mjs';

const rev = option('baseline', null);
if (!rev) {
  process.stderr.write('usage: npm run bench:compare -- --baseline REV [--rounds N] [--only info,events,analyze,keyed]\n');
  process.exit(2);
}
const rounds = Number(option('rounds', '8'));
const only = option('only', 'events,analyze').split(',');
// `keyed` is `analyze --keylog` on the keyed benchmark capture (--keyed-size MB); the others use the plain one
const file = only.some((k) => k !== 'keyed') ? benchCapture() : null;
const keyed = only.includes('keyed') ? keyedBenchCapture() : null;

const COMMANDS = {
  info: ['info', file, '--format', 'json'],
  events: ['events', file, '--format', 'ndjson'],
  analyze: ['analyze', file, '--format', 'json'],
  keyed: keyed && ['analyze', keyed.file, '--keylog', keyed.keys, '--format', 'json'],
};
for (const name of only) {
  if (!COMMANDS[name]) {
    process.stderr.write(`--only: unknown command ${name} (info, events, analyze or keyed)\n`);
    process.exit(2);
  }
}

/** A built checkout of `rev`, made on first use. */
function baselineCheckout() {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = path.join(tmpdir(), `leakscope-baseline-${commit.slice(0, 12)}`);
  if (!existsSync(path.join(dir, 'package.json'))) {
    execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: root, stdio: 'inherit' });
  }
  if (!existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const built = path.join(dir, 'dist', '.bench-built');
  if (!existsSync(built)) {
    process.stderr.write(`building ${rev} (${commit.slice(0, 12)}) in ${dir}…\n`);
    const r = spawnSync('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`the build of ${rev} failed`);
    writeFileSync(built, `${commit}\n`);
  }
  return { dir, commit };
}

async function time(checkout, name) {
  const r = await measure(process.execPath, [path.join(checkout, 'bin/run.js'), ...COMMANDS[name]]);
  if (r.code !== 0 && r.code !== 3) throw new Error(`${checkout}: ${name} exited ${r.code}: ${r.err}`);
  return r;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const base = baselineCheckout();
const results = Object.fromEntries(only.map((n) => [n, { base: [], cur: [], baseRss: [], curRss: [] }]));
for (let round = 0; round < rounds; round++) {
  for (const name of only) {
    // alternate which goes first, so a drift within the round does not favour one side
    const order = round % 2 === 0 ? ['cur', 'base'] : ['base', 'cur'];
    for (const side of order) {
      const r = await time(side === 'cur' ? root : base.dir, name);
      results[name][side].push(r.s);
      results[name][`${side}Rss`].push(r.peakMb);
    }
  }
  process.stderr.write(`round ${round + 1}/${rounds}\r`);
}
process.stderr.write('\n');

console.log(
  `baseline ${rev} (${base.commit.slice(0, 12)}) against this checkout; ${[file, keyed?.file]
    .filter(Boolean)
    .map((f) => path.relative(root, f))
    .join(', ')}; ${rounds} rounds, run in turns`,
);
console.log('');
console.log('what        baseline s   this s   change   this faster in   peak RSS MB (baseline → this)');
for (const name of only) {
  const { base: b, cur: c, baseRss, curRss } = results[name];
  const change = median(c.map((x, i) => x / b[i] - 1)) * 100;
  const faster = c.filter((x, i) => x < b[i]).length;
  console.log(
    `${name.padEnd(10)} ${median(b).toFixed(2).padStart(10)} ${median(c).toFixed(2).padStart(8)} ${`${change >= 0 ? '+' : ''}${change.toFixed(1)} %`.padStart(8)} ${`${faster}/${rounds} rounds`.padStart(16)}   ${median(baseRss).toFixed(0)} → ${median(curRss).toFixed(0)}`,
  );
}
