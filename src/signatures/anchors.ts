/**
 * Literal domain suffixes a host regex can only match under, read off the regex's end
 * (`^t[0-9]{1,2}\.(a\.)?market\.xiaomi\.com$` → `market.xiaomi.com`). The database files each
 * host regex under these suffixes, so a regex runs only for names below one of them instead of
 * for every name seen.
 */

const LABEL = '[a-z0-9_-]+';
/** one escaped literal: `\.label` */
const DOT_LABEL_END = new RegExp(`\\\\\\.(${LABEL})$`);
/** a group of plain alternatives at the end: `(miui|xiaomi)` or `(edgesuite\.net|ksyna\.net)` */
const ALT_GROUP_END = new RegExp(`\\((${LABEL}(?:\\\\\\.${LABEL})*(?:\\|${LABEL}(?:\\\\\\.${LABEL})*)*)\\)$`);
/** a bare label at the end, e.g. `market` in `(a\.)?market` */
const LABEL_END = new RegExp(`(?:^|[^\\\\a-z0-9_-])(${LABEL})$`);

/** Whether a pattern position is the start of a DNS label: after `\.`, an optional `(x\.)?`, `^` or a group opening. */
function atLabelStart(before: string): boolean {
  return before === '' || before.endsWith('\\.') || before.endsWith('\\.)?') || before.endsWith('\\.)') || /[\^(|]$/.test(before);
}

/**
 * The suffixes (each of at least two labels) under which `source` can match, or null when the
 * regex does not end in literal labels (such a regex must be tried for every name).
 */
export function hostRegexAnchors(source: string): string[] | null {
  if (!source.endsWith('$')) return null;
  let rest = source.slice(0, -1);
  // suffixes are built right to left; each alternative multiplies them
  let tails: string[] = [''];
  const prepend = (parts: string[]) => {
    const next: string[] = [];
    for (const p of parts) for (const t of tails) next.push(t ? `${p}.${t}` : p);
    tails = next;
  };
  for (;;) {
    let m = DOT_LABEL_END.exec(rest);
    if (m) {
      prepend([m[1]]);
      rest = rest.slice(0, m.index);
      continue;
    }
    m = ALT_GROUP_END.exec(rest);
    if (m && atLabelStart(rest.slice(0, m.index))) {
      prepend(m[1].split('|').map((alt) => alt.replace(/\\\./g, '.')));
      rest = rest.slice(0, m.index);
      if (rest.endsWith('\\.')) {
        rest = rest.slice(0, -2);
        continue;
      }
      break;
    }
    m = LABEL_END.exec(rest);
    if (m && atLabelStart(rest.slice(0, rest.length - m[1].length))) {
      prepend([m[1]]);
      rest = rest.slice(0, rest.length - m[1].length);
      if (rest.endsWith('\\.')) {
        rest = rest.slice(0, -2);
        continue;
      }
    }
    break;
  }
  const usable = tails.filter((t) => t.includes('.'));
  return usable.length === tails.length && usable.length > 0 ? usable : null;
}
