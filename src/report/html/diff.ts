/**
 * The HTML form of `diff`: both sides' captures, the summary, every host of either side with
 * the values only B sends it and only A sent it, and the map of where B's data went.
 */
import type { DiffResult, HostDiff, LeakRef } from '../../diff/hosts-diff.js';
import { html, type Html } from './markup.js';
import { controls } from './page.js';
import { headerSection, mapSection, sourcesFooter } from './sections.js';

const CHANGE_TEXT = { new: 'new recipient (only in B)', gone: 'gone (only in A)', common: 'in both' } as const;

function leakList(ls: LeakRef[], cls: 'leak' | 'gone'): Html {
  if (ls.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="evidence">${ls.map((l) => html`<li data-kind="${l.kind}"><span class="badge ${cls === 'leak' ? 'leak' : 'inc'}">${l.kind}</span> <code>${l.value}</code></li>`)}</ul>`;
}

function hostDiffSection(d: HostDiff, i: number): Html {
  const kinds = [...new Set([...d.leaks_new, ...d.leaks_gone].map((l) => l.kind))];
  const changed = d.change !== 'common' || d.leaks_new.length + d.leaks_gone.length > 0;
  return html`<section class="host${d.change === 'new' || d.leaks_new.length ? ' leaked' : ''}" id="host-${i}" data-vendor="${d.vendor ?? ''}" data-kinds="${kinds.join(' ')}" aria-labelledby="host-${i}-h">
<h4 id="host-${i}-h">${d.host} <span class="badge ${d.change === 'new' ? 'leak' : d.change === 'gone' ? 'inc' : 'win'}">${CHANGE_TEXT[d.change]}</span></h4>
<dl class="facts">
<dt>Vendor</dt><dd>${d.vendor ?? 'no signature matched'}</dd>
<dt>Bytes out A / B</dt><dd>${d.bytes_out_a ?? '—'} / ${d.bytes_out_b ?? '—'}</dd>
<dt>Sent only in B</dt><dd>${leakList(d.leaks_new, 'leak')}</dd>
<dt>Sent only in A</dt><dd>${leakList(d.leaks_gone, 'gone')}</dd>
<dt>Sent in both</dt><dd>${d.leaks_common} value(s)${changed ? '' : ' — nothing changed'}</dd>
${d.incomplete_kinds?.length ? html`<dt>Incomplete</dt><dd>values of ${d.incomplete_kinds.join(', ')} were dropped past maxLeakValuesPerKind on one side: their diff may miss values</dd>` : ''}
</dl>
</section>`;
}

export function* diffBody(diff: DiffResult, title?: string): Generator<Html> {
  const s = diff.summary;
  yield html`<header><h1>${title ?? 'What changed from A to B'}</h1>
<p>A: <code>${diff.a.label}</code> · B: <code>${diff.b.label}</code></p>
<p><strong>${s.hosts_new}</strong> new recipient(s), <strong>${s.hosts_gone}</strong> gone, ${s.hosts_common} in both (${s.hosts_changed} sent different data); <strong>${s.leaks_new}</strong> value(s) sent only in B, ${s.leaks_gone} only in A.</p></header>`;
  yield headerSection(diff.a.header, `A: ${diff.a.label}`);
  yield headerSection(diff.b.header, `B: ${diff.b.label}`);
  const vendors = [...new Set(diff.hosts.map((d) => d.vendor).filter((v): v is string => v !== null))].sort();
  const kinds = [...new Set(diff.hosts.flatMap((d) => [...d.leaks_new, ...d.leaks_gone].map((l) => l.kind)))].sort();
  const groups: [string, HostDiff[]][] = [
    ['New recipients', diff.hosts.filter((d) => d.change === 'new')],
    ['Gone recipients', diff.hosts.filter((d) => d.change === 'gone')],
    ['Recipients in both', diff.hosts.filter((d) => d.change === 'common')],
  ];
  let i = 0;
  yield html`<section aria-labelledby="h-hosts"><h2 id="h-hosts">Recipients</h2>
${controls(vendors, kinds)}
${groups.filter(([, l]) => l.length).map(([name, list]) => html`<h3>${name} <span class="muted">· ${list.length}</span></h3>${list.map((d) => hostDiffSection(d, ++i))}`)}
</section>`;
  yield mapSection(diff.hostsB, "Where B's data went");
  yield sourcesFooter(diff.b.header);
}
