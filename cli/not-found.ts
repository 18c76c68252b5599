/**
 * oclif's command_not_found hook: a mistyped or guessed command (`signatures list`,
 * `analyse x.pcap`, `signatures tset a.com`) gets one line naming it and the command meant,
 * with the rest of the line kept, and exit 2 (bad usage) instead of oclif's bare "not found".
 * Part of the bundle (cli/commands.ts exports it; package.json `oclif.hooks` names it).
 */
import type { Hook } from '@oclif/core';

/** Words people reach for, and the command that does it. */
const ALIASES: Record<string, string> = {
  'signatures:list': 'signatures',
  'signatures:ls': 'signatures',
  'signatures:show': 'signatures',
  'signatures:check': 'signatures:validate',
  'signatures:match': 'signatures:test',
  list: 'signatures',
  analyse: 'analyze',
  report: 'analyze',
  scan: 'analyze',
  event: 'events',
  observations: 'events',
  stream: 'streams',
  flows: 'streams',
  conn: 'streams',
  capinfos: 'info',
  signature: 'signatures',
  sigs: 'signatures',
  geoip: 'geo',
  whois: 'geo',
  peel: 'decode',
  unpack: 'decode',
  combine: 'merge',
};

/** Edit distance (Levenshtein) with an early cut: anything above 2 is "far". */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The command meant by `tokens` (id parts, then arguments), and the arguments left over. */
export function suggest(tokens: string[], ids: readonly string[]): { id: string; rest: string[] } | null {
  const known = new Set(ids);
  const near = (word: string, candidates: readonly string[]): string | null => {
    let best: string | null = null;
    let bestD = 3;
    for (const c of candidates) {
      const d = distance(word.toLowerCase(), c);
      if (d < bestD) {
        best = c;
        bestD = d;
      }
    }
    return best;
  };
  for (let n = tokens.length; n >= 1; n--) {
    const id = tokens.slice(0, n).join(':').toLowerCase();
    const alias = ALIASES[id];
    if (alias && known.has(alias)) return { id: alias, rest: tokens.slice(n) };
  }
  // the longest known prefix (a topic such as `signatures`), then a near-miss of a subcommand
  for (let n = tokens.length - 1; n >= 1; n--) {
    const topic = tokens.slice(0, n).join(':').toLowerCase();
    if (!known.has(topic)) continue;
    const subs = ids.filter((id) => id.startsWith(`${topic}:`)).map((id) => id.slice(topic.length + 1));
    const sub = near(tokens[n], subs);
    if (sub) return { id: `${topic}:${sub}`, rest: tokens.slice(n + 1) };
    return null;
  }
  const first = near(
    tokens[0],
    ids.filter((id) => !id.includes(':')),
  );
  return first ? { id: first, rest: tokens.slice(1) } : null;
}

const hook: Hook<'command_not_found'> = async function (opts) {
  const tokens = [...opts.id.split(':'), ...(opts.argv ?? [])];
  const bin = opts.config.bin;
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const typed = opts.id.split(':').join(' ');
  process.stderr.write(`${bin}: "${typed}" is not a ${bin} command\n`);
  const found = suggest(tokens, ids);
  if (found) {
    const line = [bin, ...found.id.split(':'), ...found.rest].map((w) => (/[\s"'$`\\]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ');
    const summary = opts.config.commands.find((c) => c.id === found.id)?.summary;
    process.stderr.write(`  try: ${line}${summary ? `  (${summary})` : ''}\n`);
  }
  process.stderr.write(`  see: ${bin} --help\n`);
  this.exit(2);
};

export default hook;
