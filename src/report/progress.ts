/**
 * Progress on stderr: only on a terminal and never with --quiet, so pipes and logs stay clean.
 * Redraws at most ten times a second; the line is erased when done.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {},
  ) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = !opts.quiet && Boolean(this.stream.isTTY);
  }
  private readonly stream: NodeJS.WriteStream;

  /** bytes done; total null when unknown (standard input) */
  update(done: number, total: number | null, extra = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    if (elapsed < 0.5) return; // a quick job shows nothing
    const rate = done / Math.max(elapsed, 1e-3);
    let line = `${this.label} ${formatBytes(done)}`;
    if (total) {
      const pct = Math.min(100, (100 * done) / total);
      const eta = rate > 0 ? (total - done) / rate : 0;
      line += ` / ${formatBytes(total)} (${pct.toFixed(0)}%) ${formatBytes(rate)}/s, ${formatDuration(eta)} left`;
    } else {
      line += ` ${formatBytes(rate)}/s`;
    }
    if (extra) line += ` ${extra}`;
    const width = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r${line.slice(0, width).padEnd(Math.min(width, line.length + 2))}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}
