// Runs a command and measures it: wall seconds, peak RSS (VmHWM polled from /proc every
// 20 ms), exit code, stdout size and its first 4 KiB, stderr's start. Shared by the benchmark
// and the adversarial-capture runner.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function measure(cmd, cmdArgs, { env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let peakKb = 0;
    let out = 0;
    let head = '';
    let err = '';
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 20);
    child.stdout.on('data', (d) => {
      out += d.length;
      if (head.length < 4096) head += d.toString('utf8', 0, Math.min(d.length, 4096));
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ s: Number(process.hrtime.bigint() - t0) / 1e9, peakMb: peakKb / 1024, code: code ?? signal, out, head, err: err.slice(0, 400) });
    });
  });
}
