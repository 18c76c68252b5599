/**
 * Flags that name something (a vendor, an observation type, a limit): matched without regard
 * to letter case, spaces or punctuation, and by alias (a vendor's pack id); a name that matches
 * nothing is a usage error (exit 2) naming what exists, with the nearest as a suggestion —
 * never an empty, clean-looking report.
 */
import { UserError } from '../src/errors.js';

export interface Named {
  /** the canonical name, as reports spell it */
  name: string;
  /** other spellings that mean it (e.g. a vendor's pack id) */
  aliases?: string[];
}

/** lower case, letters and digits only: `Sensors Data`, `sensors-data` and `sensorsdata` are one key */
const key = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** The canonical name `given` means, or a UserError (exit 2) naming the ones that exist. */
export function resolveName(flag: string, given: string, known: readonly Named[]): string {
  const k = key(given);
  const hit = known.find((n) => key(n.name) === k || (n.aliases ?? []).some((a) => key(a) === k));
  if (hit && k !== '') return hit.name;
  const nearest = known.map((n) => ({ n, d: Math.min(...[n.name, ...(n.aliases ?? [])].map((s) => editDistance(key(s), k))) })).sort((a, b) => a.d - b.d)[0];
  const list = known.map((n) => (n.aliases?.length ? `${n.name} (${n.aliases.join(', ')})` : n.name)).join(', ');
  const suggestions = nearest && nearest.d <= Math.max(2, Math.floor(k.length / 3)) ? [`${flag} ${quote(nearest.n.name)}`] : [];
  throw new UserError(`unknown ${flag} "${given}"; known: ${list}`, 2, suggestions);
}

const quote = (s: string): string => (/^[\w.-]+$/.test(s) ? s : `"${s}"`);

/** Levenshtein distance (names are short). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
