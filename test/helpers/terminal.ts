/**
 * Runs the built CLI in a real terminal: a detached tmux session of a given size on a private
 * socket, so the command's stdout is a pty with that width, as a user's would be. The pane is
 * read back with wrapped lines joined (`capture-pane -J`), so a line wider than the terminal
 * shows up as one long line instead of being hidden by the wrap.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

const SOCKET = `leakscope-test-${process.pid}`;
let sessions = 0;
let conf: string | undefined;

function tmux(...args: string[]): string {
  if (!conf) {
    // a long scroll-back: the whole output is read back, not only the last screen
    conf = path.join(mkdtempSync(path.join(tmpdir(), 'leakscope-tmux-')), 'tmux.conf');
    writeFileSync(conf, 'set -g history-limit 50000\n');
    // one idle session keeps the server up between runs (it exits with its last session)
    execFileSync('tmux', ['-L', SOCKET, '-f', conf, 'new-session', '-d', '-s', 'keep', 'sleep', '3600']);
    process.once('exit', closeTerminals);
  }
  return execFileSync('tmux', ['-L', SOCKET, '-f', conf, ...args], { encoding: 'utf8' });
}

/** Ends the tmux server (call from afterAll; also done when the process exits). */
export function closeTerminals(): void {
  if (!conf) return;
  conf = undefined;
  try {
    execFileSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalRun {
  /** the pane's lines (wrapped lines joined, trailing blanks removed) */
  lines: string[];
  /** the same with colour escape sequences kept */
  raw: string;
}

/**
 * `leakscope ARGS` in a WIDTH-column terminal. `env` is set for the command only (NO_COLOR and
 * FORCE_COLOR are cleared unless given).
 */
export function runInTerminal(args: string[], width: number, env: Record<string, string> = {}): TerminalRun {
  const name = `t${sessions++}`;
  const marker = '__leakscope_done__';
  const envArgs = ['-u', 'NO_COLOR', '-u', 'FORCE_COLOR', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  const command = `cd ${quote(REPO_ROOT)} && env ${envArgs.map(quote).join(' ')} ${quote(process.execPath)} ${quote(path.join(REPO_ROOT, 'bin', 'run.js'))} ${args.map(quote).join(' ')}; printf '%s\\n' ${marker}; sleep 120`;
  tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', '50', 'bash', '-c', command);
  try {
    const deadline = Date.now() + 60_000;
    let text = '';
    for (;;) {
      text = tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', name);
      if (text.includes(marker)) break;
      if (Date.now() > deadline) throw new Error(`leakscope ${args.join(' ')} did not finish in a ${width}-column terminal`);
      execFileSync('sleep', ['0.2']);
    }
    const raw = tmux('capture-pane', '-p', '-J', '-e', '-S', '-', '-E', '-', '-t', name);
    const lines = text
      .slice(0, text.indexOf(marker))
      .split('\n')
      .map((l) => l.trimEnd());
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return { lines, raw: raw.slice(0, raw.indexOf(marker)) };
  } finally {
    tmux('kill-session', '-t', name);
  }
}
