/**
 * The HTML form of `batch`: the captures of an archive with their status, the hosts they talked
 * to merged by name (map, timeline, per host what reached it and in which captures), the
 * aggregate's hosts × captures and the identifiers that link captures.
 */
import type { AnalyzeHeader, AnalyzeResult } from '../../engine/analyze.js';
import type { HostLeak, HostRecord } from '../../engine/hosts.js';
import type { Limits } from '../../limits.js';
import type { GeoSource } from '../../../geo/lookup.js';
import type { AggregateRecord } from '../../batch/aggregate.js';
import type { CaptureResultSet } from '../../batch/records.js';
import { compareNames } from '../../batch/glob.js';
import { html, join, type Html } from './markup.js';
import { captureStatusCell, hostsSection, mapSection, sourcesFooter, timelineSection } from './sections.js';

export interface BatchHtmlInput {
  sets: CaptureResultSet[];
  aggregate: AggregateRecord;
  limits: Limits;
  tool: { name: string; version: string };
  geo: GeoSource[];
  signatures: AnalyzeHeader['signatures'];
}

/** One record per host name over all captures: servers, bytes and flows added, leaks joined by (kind, value). */
export function mergeHosts(sets: readonly CaptureResultSet[], limits: Limits): HostRecord[] {
  const byName = new Map<string, HostRecord>();
  const order: string[] = [];
  for (const set of sets) {
    for (const rec of set.hosts) {
      const { capture: _capture, ...h } = rec;
      const m = byName.get(h.host);
      if (!m) {
        byName.set(h.host, {
          ...h,
          servers: [...h.servers],
          leaks: h.leaks.map((l) => ({ ...l, evidence: [...l.evidence] })),
          captures: [...h.captures],
          leaks_dropped: { ...h.leaks_dropped },
        });
        order.push(h.host);
        continue;
      }
      m.flows += h.flows;
      m.bytes_out += h.bytes_out;
      m.bytes_in += h.bytes_in;
      m.decrypted_bytes = (m.decrypted_bytes ?? 0) + (h.decrypted_bytes ?? 0);
      m.opaque_bytes += h.opaque_bytes;
      m.opaque_reasons = [...new Set([...m.opaque_reasons, ...h.opaque_reasons])].sort();
      m.seen_as = [...new Set([...m.seen_as, ...h.seen_as])].sort();
      m.apps = [...new Set([...(m.apps ?? []), ...(h.apps ?? [])])].sort();
      m.transport = [...new Set([...m.transport, ...h.transport])].sort();
      if (h.first_seen && (!m.first_seen || h.first_seen < m.first_seen)) m.first_seen = h.first_seen;
      if (h.last_seen && (!m.last_seen || h.last_seen > m.last_seen)) m.last_seen = h.last_seen;
      for (const s of h.servers) if (!m.servers.some((x) => x.ip === s.ip)) m.servers.push(s);
      for (const c of h.captures) if (!m.captures.includes(c)) m.captures.push(c);
      for (const [k, n] of Object.entries(h.leaks_dropped)) m.leaks_dropped[k] = (m.leaks_dropped[k] ?? 0) + n;
      const leaks = new Map<string, HostLeak>(m.leaks.map((l) => [`${l.kind}\u0000${l.value}`, l]));
      for (const l of h.leaks) {
        const have = leaks.get(`${l.kind}\u0000${l.value}`);
        if (!have) {
          const copy = { ...l, evidence: [...l.evidence] };
          leaks.set(`${l.kind}\u0000${l.value}`, copy);
          m.leaks.push(copy);
          continue;
        }
        have.count += l.count;
        if (!l.probable) delete have.probable; // certain in one capture: certain
        have.evidence.push(...l.evidence.slice(0, Math.max(0, limits.maxEvidencePerValue - have.evidence.length)));
      }
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const hosts = order.map((n) => byName.get(n)!);
  for (const h of hosts) h.leaks.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.value, b.value));
  const rank = (r: HostRecord) => (r.vendor === null ? 2 : r.alert ? 0 : 1);
  return hosts.sort((a, b) => rank(a) - rank(b) || cmp(a.vendor ?? '', b.vendor ?? '') || cmp(a.host, b.host));
}

function capturesSection(sets: readonly CaptureResultSet[], a: AggregateRecord): Html {
  const t = a.totals;
  const rows = sets.map((s) => {
    const c = s.capture;
    if (c.type === 'error')
      return html`<tr><td data-label="Capture"><code>${c.capture}</code></td><td data-label="SHA-256">—</td><td data-label="Packets">—</td><td data-label="Status"><span class="status-error">error</span>: ${c.message}</td><td data-label="Hosts">0</td><td data-label="Values">0</td></tr>`;
    return html`<tr><td data-label="Capture"><code>${c.capture}</code></td><td data-label="SHA-256"><code>${c.sha256}</code></td><td data-label="Packets" class="num">${c.packets}</td><td data-label="Status">${captureStatusCell(c)}</td><td data-label="Hosts" class="num">${c.hosts}</td><td data-label="Values" class="num">${c.leaks}</td></tr>`;
  });
  return html`<section aria-labelledby="h-captures"><h2 id="h-captures">Captures</h2>
<p>${t.captures} capture(s): ${t.ok} ok, ${t.partial} partial, ${t.error} failed; ${t.hosts} host(s).</p>
<div class="scroll"><table class="stack"><thead><tr><th scope="col">Capture</th><th scope="col">SHA-256</th><th scope="col">Packets</th><th scope="col">Status</th><th scope="col">Hosts</th><th scope="col">Values</th></tr></thead><tbody>${rows}</tbody></table></div>
</section>`;
}

function aggregateSection(a: AggregateRecord): Html {
  return html`<section aria-labelledby="h-aggregate"><h2 id="h-aggregate">Across captures</h2>
<h3>Hosts × captures</h3>
<div class="scroll"><table class="stack"><thead><tr><th scope="col">Host</th><th scope="col">Vendor</th><th scope="col">Captures</th><th scope="col">Flows</th><th scope="col">Bytes out / in</th><th scope="col">Leaked kinds</th></tr></thead><tbody>
${a.hosts.map((h) => html`<tr><td data-label="Host"><code>${h.host}</code></td><td data-label="Vendor">${h.vendor ?? '—'}</td><td data-label="Captures" class="num">${h.captures} / ${a.totals.captures}</td><td data-label="Flows" class="num">${h.flows}</td><td data-label="Bytes out / in">${h.bytes_out} / ${h.bytes_in}</td><td data-label="Leaked kinds">${h.leak_kinds.join(', ')}</td></tr>`)}
</tbody></table></div>
<h3>Identifiers seen in more than one capture</h3>
${
  a.linked_identifiers.length
    ? html`<div class="scroll"><table class="stack"><thead><tr><th scope="col">Identifier</th><th scope="col">Value</th><th scope="col">Captures</th></tr></thead><tbody>${a.linked_identifiers.map(
        (i) =>
          html`<tr><td data-label="Identifier">${i.kind}</td><td data-label="Value"><code>${i.value}</code></td><td data-label="Captures">${join(
            i.captures.map((c) => html`<code>${c}</code>`),
            html`<br>`,
          )}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="note">None.</p>`
}
${a.devices.length ? html`<p>${a.devices.length} device group(s) linked by identifiers: ${a.devices.map((d, i) => html`${i ? '; ' : ''}${d.captures.length} capture(s) sharing ${d.identifiers.map((x) => `${x.kind} ${x.value}`).join(', ')}`)}.</p>` : ''}
</section>`;
}

export function* batchBody(input: BatchHtmlInput): Generator<Html> {
  // workers finish in any order: the report follows the captures' names, like the aggregate
  const sets = [...input.sets].sort((a, b) => compareNames(a.capture.capture, b.capture.capture));
  const hosts = mergeHosts(sets, input.limits);
  const header: AnalyzeHeader = { tool: input.tool.name, version: input.tool.version, signatures: input.signatures, geo: input.geo, captures: [], keys: [] };
  const merged: AnalyzeResult = { header, hosts };
  yield html`<header><h1>What the devices sent: ${input.aggregate.totals.captures} capture(s)</h1></header>`;
  yield capturesSection(sets, input.aggregate);
  yield mapSection(hosts);
  yield timelineSection(merged, input.limits);
  yield hostsSection(hosts, input.limits, true);
  yield aggregateSection(input.aggregate);
  yield sourcesFooter(header);
}
