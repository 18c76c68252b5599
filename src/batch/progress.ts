/**
 * Batch progress on stderr: inputs done of total, captures, bytes, throughput, ETA and failures
 * so far. Like report/progress.ts: only on a terminal, never with --quiet, at most ten redraws
 * a second, erased when done.
 */
import { formatBytes } from '../report/progress.js';
import type { BatchProgress } from './run.js';

export function formatBatchProgress(p: BatchProgress, elapsedSec: number): string {
  const rate = elapsedSec > 0 ? p.bytesDone / elapsedSec : 0;
  let line = `inputs ${p.itemsDone}/${p.itemsTotal}, ${p.captures} capture${p.captures === 1 ? '' : 's'}, ${formatBytes(p.bytesDone)}`;
  if (p.bytesTotal > 0) line += ` of ${formatBytes(p.bytesTotal)}`;
  line += `, ${formatBytes(rate)}/s`;
  if (p.bytesTotal > 0 && rate > 0) line += `, ${formatEta(Math.max(0, p.bytesTotal - p.bytesDone) / rate)} left`;
  if (p.failures > 0) line += `, ${p.failures} failed`;
  return line;
}

function formatEta(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class BatchProgressLine {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;
  private readonly stream: NodeJS.WriteStream;

  constructor(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = !opts.quiet && Boolean(this.stream.isTTY);
  }

  update(p: BatchProgress): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const line = formatBatchProgress(p, (now - this.started) / 1000);
    const width = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r${line.slice(0, width)}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
