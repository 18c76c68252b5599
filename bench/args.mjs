// What the bench scripts share: the repository root, `--name value` options and the
// benchmark capture.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** the value after `--name`, or `dflt` */
export function option(name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
}

/** whether the bare flag `--name` was given */
export function flag(name) {
  return args.includes(`--${name}`);
}

/** `--file PCAP`, or the synthetic capture of `--size MB` (default 400), generated on first use. */
export function benchCapture() {
  const given = option('file', null);
  if (given) return given;
  const sizeMb = Number(option('size', '400'));
  mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  const file = path.join(root, `bench/out/bench-${sizeMb}mb.pcap`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} (${sizeMb} MB)…\n`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [path.join(root, 'dist/test-support/synth/bench-capture.js'), file, String(sizeMb)], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
    process.stderr.write(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return file;
}

/**
 * The keyed benchmark capture of `--keyed-size MB` (default 100) and its key log, generated on
 * first use: every TLS connection decrypts (bench-capture --keyed).
 */
export function keyedBenchCapture() {
  const sizeMb = Number(option('keyed-size', '100'));
  mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  const file = path.join(root, `bench/out/bench-keyed-${sizeMb}mb.pcap`);
  const keys = file.replace(/\.pcap$/, '.keys');
  if (!existsSync(file) || !existsSync(keys)) {
    process.stderr.write(`generating ${file} and its key log (${sizeMb} MB)…\n`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [path.join(root, 'dist/test-support/synth/bench-capture.js'), file, String(sizeMb), '--keyed'], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
    process.stderr.write(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return { file, keys };
}
