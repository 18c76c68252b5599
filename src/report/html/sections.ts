/**
 * The parts of an HTML report built from `analyze` results: the captures header, the map of
 * server locations, the timeline, and per vendor and host what reached it with its evidence.
 * Everything in the JSON report is here; what the HTML caps leave out is counted on the page.
 */
import type { AnalyzeHeader, AnalyzeResult, KeySourceReport } from '../../engine/analyze.js';
import type { HostLeak, HostRecord } from '../../engine/hosts.js';
import type { Limits } from '../../limits.js';
import { parseWindow, resolveWindows, timestampUs } from '../../engine/windows.js';
import { countryName } from '../../../geo/countries.js';
import { html, join, type Fragment, type Html } from './markup.js';
import { placeName, serverLocations, worldMapSvg, type ServerLocation, type Unplaced } from './map.js';
import { timelineSvg, type TimelineWindow } from './timeline.js';
import { controls } from './page.js';
import type { RequestActivity } from './activity.js';
import { notDecodedLine, type NotDecoded } from '../../engine/not-decoded.js';

const fmtInt = (n: number) => n.toLocaleString('en-US');

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A value of a field this writer does not know (added to the JSON later): shown as JSON text. */
function anyValue(v: unknown): Fragment {
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return html`<span class="muted">none</span>`;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(', ');
  return html`<code>${JSON.stringify(v)}</code>`;
}

function durationText(fromUs: number, toUs: number): string {
  const s = Math.max(0, (toUs - fromUs) / 1e6);
  if (s < 120) return `${Math.round(s * 1000) / 1000} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

const KNOWN_HEADER = new Set(['tool', 'version', 'signatures', 'geo', 'captures', 'keys', 'windows']);
const KNOWN_CAPTURE = new Set([
  'file',
  'sha256',
  'packets',
  'first_packet',
  'last_packet',
  'status',
  'message',
  'damage',
  'not_decoded',
  'interrupted',
  'decryption',
  'anomalies',
]);

/** One key source (a --keylog file, or keys embedded in a capture) and what it opened. */
function keySourceLine(k: KeySourceReport): Html {
  return html`<code>${k.source}</code>${k.capture ? html` (<code>${k.capture}</code>)` : ''}${k.sha256 ? html`, SHA-256 <code>${k.sha256}</code>` : ''}: secrets for ${fmtInt(k.sessions)} connection(s), opened ${fmtInt(k.opened)} of ${fmtInt(k.connections)} TLS/QUIC connection(s)${k.skipped_lines ? `; ${fmtInt(k.skipped_lines)} malformed line(s) skipped` : ''}`;
}

/** What decryption came to for a capture's TLS and QUIC connections, when keys were available. */
function decryptionLine(d: { decrypted: number; no_key: number; failed: number } | null | undefined): Fragment {
  if (!d) return '';
  return html`<br>TLS/QUIC connections: ${fmtInt(d.decrypted)} decrypted, ${fmtInt(d.no_key)} without a key, ${fmtInt(d.failed)} failed to decrypt`;
}

/** A capture's status with why it is partial: where it was damaged, packets not decoded, an interruption (its message). */
export function captureStatusCell(c: {
  status: string;
  damage?: { offset: number; frame: number; expected: string };
  not_decoded?: readonly NotDecoded[];
  interrupted?: boolean;
  message?: string;
}): Html {
  const why = [c.damage ? 'damaged' : '', c.not_decoded?.length ? 'packets not decoded' : '', c.interrupted ? 'interrupted' : ''].filter(Boolean).join(', ');
  return html`<span class="status-${c.status}">${c.status}${why ? ` (${why})` : ''}</span>${c.damage ? html`<br>damaged at byte ${fmtInt(c.damage.offset)} after ${fmtInt(c.damage.frame)} packets: expected ${c.damage.expected}; everything before it is reported` : ''}${(c.not_decoded ?? []).map((n) => html`<br>${notDecodedLine(n)}`)}${c.message ? html`<br>${c.message}` : ''}`;
}

/** Captures (hash, packets, time span, status), versions, data sources, windows and any other header field. */
export function headerSection(header: AnalyzeHeader, heading = 'Captures'): Html {
  // a saved report given to diff may come from another version: missing members are shown as missing
  const geo = header.geo ?? [];
  const packs = header.signatures?.packs ?? [];
  const captures = header.captures.map((c) => {
    const anomalies = Object.entries(c.anomalies ?? {});
    const total = anomalies.reduce((n, [, k]) => n + k, 0);
    const span = c.first_packet && c.last_packet ? durationText(timestampUs(c.first_packet), timestampUs(c.last_packet)) : null;
    const extra = Object.entries(c).filter(([k]) => !KNOWN_CAPTURE.has(k));
    return html`<tr>
<td data-label="File"><code>${c.file}</code></td>
<td data-label="SHA-256"><code>${c.sha256 ?? 'not computed'}</code></td>
<td data-label="Packets" class="num">${fmtInt(c.packets)}</td>
<td data-label="Time span">${c.first_packet ? html`${c.first_packet}<br>… ${c.last_packet} <span class="muted">(${span})</span>` : html`<span class="muted">no packets</span>`}</td>
<td data-label="Status">${captureStatusCell(c)}${decryptionLine(c.decryption)}</td>
<td data-label="Anomalies">${total === 0 ? 'none' : html`${fmtInt(total)}: ${anomalies.map(([k, n]) => html`<code>${k}</code> ${n}`).map((f, i) => (i ? html`, ${f}` : f))}`}${extra.map(([k, v]) => html`<br>${k}: ${anyValue(v)}`)}</td>
</tr>`;
  });
  const extraHeader = Object.entries(header).filter(([k]) => !KNOWN_HEADER.has(k));
  return html`<section aria-labelledby="h-captures">
<h2 id="h-captures">${heading}</h2>
<div class="scroll"><table class="stack"><thead><tr><th scope="col">File</th><th scope="col">SHA-256</th><th scope="col">Packets</th><th scope="col">Time span</th><th scope="col">Status</th><th scope="col">Anomalies</th></tr></thead>
<tbody>${captures}</tbody></table></div>
<dl class="facts">
<dt>Tool</dt><dd>${header.tool ?? 'unknown'} ${header.version ?? ''}</dd>
<dt>Signatures</dt><dd>${header.signatures?.version ?? 'unknown'}: ${packs.map((p, i) => html`${i ? ', ' : ''}${p.name} ${p.version} (${p.count})`)}</dd>
${geo.length ? geo.map((g) => html`<dt>${g.kind === 'asn' ? 'ASN data' : 'Geolocation'}</dt><dd>${g.name}${g.version ? ` ${g.version}` : ''} (<code>${g.file}</code>), ${g.licence}: ${g.attribution}</dd>`) : html`<dt>Geolocation</dt><dd>not used (--no-geo)</dd>`}
${header.keys?.length ? html`<dt>Key sources</dt><dd>${join(header.keys.map(keySourceLine), html`<br>`)}</dd>` : ''}
${header.windows?.length ? html`<dt>Experiment windows</dt><dd>${header.windows.map((w, i) => html`${i ? '; ' : ''}<span class="badge win">${w.label}</span> ${w.start} … ${w.end}`)}</dd>` : ''}
${extraHeader.map(([k, v]) => html`<dt>${k.replaceAll('_', ' ')}</dt><dd>${anyValue(v)}</dd>`)}
</dl>
</section>`;
}

/** The map, its legend, and a table of the locations (the map's text form, and where marks link to). */
export function mapSection(hosts: readonly HostRecord[], heading = 'Where the data went'): Html {
  const { locations, unplaced } = serverLocations(hosts);
  return html`<section aria-labelledby="h-map">
<h2 id="h-map">${heading}</h2>
<p id="map-caption" class="note">${locations.length} server location(s). A mark is a city (or the centre of a country where the city is not known), sized by the bytes the hosts there were sent; red where personal data reached them. Hover or focus a mark for its hosts; it links to its row below.</p>
<div class="legend"><span><span class="dot leaked"></span>personal data received</span><span><span class="dot ok"></span>no personal data seen</span></div>
${worldMapSvg(locations)}
${locationTable(locations, unplaced)}
</section>`;
}

function locationTable(locations: readonly ServerLocation[], unplaced: readonly Unplaced[]): Html {
  return html`<div class="scroll"><table class="stack locations"><thead><tr><th scope="col">Location</th><th scope="col">Hosts</th><th scope="col">Servers</th><th scope="col">Network</th><th scope="col">Bytes sent</th><th scope="col">Personal data</th></tr></thead><tbody>
${locations.map(
  (l) =>
    html`<tr id="${l.id}"><td data-label="Location">${placeName(l)}<br><span class="muted">${l.approximate ? 'country centre, ' : ''}${l.lat.toFixed(2)}, ${l.lon.toFixed(2)}</span></td><td data-label="Hosts">${join(
      l.hosts.map((h) => html`<code>${h}</code>`),
      html`<br>`,
    )}</td><td data-label="Servers"><code>${l.ips.join(' ')}</code></td><td data-label="Network">${join(l.networks, html`<br>`)}</td><td data-label="Bytes sent" class="num">${bytes(l.bytesOut)}</td><td data-label="Personal data">${l.leaked ? html`<strong class="badge leak">yes</strong>` : 'no'}</td></tr>`,
)}
</tbody></table></div>
${unplaced.length ? html`<p class="note">Not on the map: ${unplaced.map((u, i) => html`${i ? '; ' : ''}<code>${u.host}</code> (<code>${u.ip}</code>): ${u.reason}`)}.</p>` : ''}`;
}

/** Window bounds per capture: offsets count from each capture's first packet. */
function timelineWindows(header: AnalyzeHeader): TimelineWindow[] {
  const out: TimelineWindow[] = [];
  for (const w of header.windows ?? []) {
    const parsed = parseWindow(`${w.label}=${w.start}..${w.end}`);
    for (const c of header.captures) {
      if (!c.first_packet) continue;
      for (const r of resolveWindows([parsed], timestampUs(c.first_packet))) if (!out.some((o) => o.label === r.label && o.startUs === r.startUs)) out.push(r);
    }
  }
  return out;
}

export function timelineSection(result: AnalyzeResult, limits: Limits, activity?: RequestActivity): Html {
  const times: number[] = [];
  for (const c of result.header.captures) {
    if (c.first_packet) times.push(timestampUs(c.first_packet));
    if (c.last_packet) times.push(timestampUs(c.last_packet));
  }
  for (const h of result.hosts) {
    if (h.first_seen) times.push(timestampUs(h.first_seen));
    if (h.last_seen) times.push(timestampUs(h.last_seen));
    for (const l of h.leaks) for (const e of l.evidence) if (e.time) times.push(timestampUs(e.time));
  }
  if (times.length === 0)
    return html`<section aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2><p class="note">No timed traffic in the capture.</p></section>`;
  const start = Math.min(...times);
  const end = Math.max(...times);
  const { svg, left } = timelineSvg(result.hosts, start, end, timelineWindows(result.header), limits.htmlTimelineHosts, activity);
  return html`<section aria-labelledby="h-timeline">
<h2 id="h-timeline">Timeline</h2>
<p id="timeline-caption" class="note">Per host, from ${new Date(start / 1000).toISOString()} (offsets above): the pale bar spans its connections${activity ? ', grey bars are requests and TLS/QUIC connections (taller where there were more)' : ''}; each coloured mark is a request that carried personal data${result.header.windows?.length ? ', outlined when inside an experiment window (yellow bands)' : ''}. Hover a mark for its frame and findings.</p>
<div class="legend"><span><span class="dot leaked"></span>request with personal data</span><span><span class="dot inc"></span>request saying incognito</span>${result.header.windows?.length ? html`<span><span class="dot win"></span>experiment window</span>` : ''}</div>
${svg}
${left > 0 ? html`<p class="note">${left} more host(s) not drawn (limit htmlTimelineHosts); all are listed below.</p>` : ''}
</section>`;
}

const KNOWN_HOST = new Set([
  'type',
  'host',
  'vendor',
  'category',
  'signature',
  'vendors',
  'signatures',
  'alert',
  'seen_as',
  'apps',
  'transport',
  'flows',
  'bytes_out',
  'bytes_in',
  'opaque_bytes',
  'opaque_reasons',
  'decrypted_bytes',
  'first_seen',
  'last_seen',
  'servers',
  'leaks',
  'leaks_dropped',
  'captures',
]);

/** What an opaque reason of the JSON means, beside its name (a reason this writer does not know: its name alone). */
const OPAQUE_REASONS: Record<string, string> = {
  tls_encrypted: 'TLS, no keys given',
  quic_encrypted: 'QUIC, no keys given',
  no_key: 'keys given, none for these connections',
  decrypt_failed: 'keys that did not open them',
  decrypted_unparsed: 'decrypted, in a protocol not read',
  mipush_encrypted: 'MiPush, encrypted',
  not_parsed: 'protocol recognised, payload not read',
  unrecognised_protocol: 'protocol not recognised',
};

function opaqueReason(r: string): Html {
  const meaning = OPAQUE_REASONS[r];
  return html`<code>${r}</code>${meaning ? ` (${meaning})` : ''}`;
}

function serverLine(s: HostRecord['servers'][number]): Html {
  const place = s.special
    ? `special-purpose (${s.special})`
    : [s.city, s.country ? (countryName(s.country) ?? s.country) : null].filter(Boolean).join(', ') || 'location unknown';
  const net = s.asn !== null || s.org ? `AS${s.asn ?? '?'} ${s.org ?? ''}`.trim() : '';
  return html`<code>${s.ip}</code> ${place}${net ? html` · ${net}` : ''}`;
}

function evidenceList(l: HostLeak, limits: Limits, multiCapture: boolean): Html {
  const shown = l.evidence.slice(0, limits.htmlEvidencePerValue);
  const notShown = l.count - shown.length;
  return html`<ul class="evidence">${shown.map(
    (e) =>
      html`<li>frame ${e.frame} · ${e.time ?? ''} · stream ${e.stream} · <code>${e.chain}</code>${e.form ? html` · form <strong>${e.form}</strong>` : ''}${e.app ? html` · app <code>${e.app}</code>` : ''}${e.windows?.length ? html` ${e.windows.map((w) => html`<span class="badge win">${w}</span>`)}` : ''}${multiCapture ? html` · <code>${e.file}</code>` : ''}</li>`,
  )}${notShown > 0 ? html`<li class="muted">${notShown} more finding(s) not listed${l.evidence.length > shown.length ? ` here (${l.evidence.length} in the JSON)` : ''}</li>` : ''}</ul>`;
}

function leakRows(h: HostRecord, limits: Limits, multiCapture: boolean): Html {
  const perKind = new Map<string, number>();
  const rows: Html[] = [];
  const hidden = new Map<string, number>();
  for (const l of h.leaks) {
    const n = perKind.get(l.kind) ?? 0;
    perKind.set(l.kind, n + 1);
    if (n >= limits.htmlValuesPerKind) {
      hidden.set(l.kind, (hidden.get(l.kind) ?? 0) + 1);
      continue;
    }
    const inc = l.kind === 'incognito';
    rows.push(html`<tr data-kind="${l.kind}"${l.windows?.length ? html` class="in-window"` : ''}>
<td data-label="Kind"><span class="badge ${inc ? 'inc' : 'leak'}">${l.kind}</span>${l.probable ? html`<br><span class="muted" title="${l.probable}">probable</span>` : ''}</td>
<td data-label="Value"><code>${l.value}</code>${l.windows?.length ? html`<br>${l.windows.map((w) => html`<span class="badge win">in ${w}</span>`)}` : ''}</td>
<td data-label="Times" class="num">${l.count}</td>
<td data-label="Evidence">${evidenceList(l, limits, multiCapture)}</td>
</tr>`);
  }
  const notes: Fragment[] = [];
  for (const [kind, n] of hidden)
    notes.push(html`<li>${n} more <code>${kind}</code> value(s) not listed here (limit htmlValuesPerKind; the JSON report has them)</li>`);
  for (const [kind, n] of Object.entries(h.leaks_dropped ?? {}))
    notes.push(html`<li>${n} finding(s) of further <code>${kind}</code> values not kept (limit maxLeakValuesPerKind)</li>`);
  return html`${rows.length ? html`<div class="scroll"><table class="stack leaks"><thead><tr><th scope="col">Kind</th><th scope="col">Value</th><th scope="col">Times</th><th scope="col">Evidence (frame · time · stream · decode chain)</th></tr></thead><tbody>${rows}</tbody></table></div>` : ''}${notes.length ? html`<ul class="note">${notes}</ul>` : ''}`;
}

/** One host: what it is, how it was reached, where it is, and what reached it. */
export function hostSection(h: HostRecord, index: number, limits: Limits, multiCapture: boolean): Html {
  const kinds = [...new Set(h.leaks.map((l) => l.kind))];
  const extra = Object.entries(h).filter(([k]) => !KNOWN_HOST.has(k));
  const visible = h.leaks.length ? '' : h.opaque_bytes > 0 ? `none visible: ${bytes(h.opaque_bytes)} could not be looked into` : 'none seen';
  return html`<section class="host${h.leaks.length ? ' leaked' : ''}" id="host-${index}" data-vendor="${h.vendor ?? ''}" data-kinds="${kinds.join(' ')}" aria-labelledby="host-${index}-h">
<h4 id="host-${index}-h">${h.host}</h4>
<dl class="facts">
<dt>Vendor</dt><dd>${h.vendors.length ? h.vendors.join(', ') : 'no signature matched'}${h.category ? ` · ${h.category}` : ''}${h.alert ? '' : h.vendor ? ' (vendor infrastructure)' : ''}${h.signatures.length ? html` · <code>${h.signatures.join(' ')}</code>` : ''}</dd>
<dt>Seen as</dt><dd>${h.seen_as.join(', ')}</dd>
${
  h.apps?.length
    ? html`<dt>Apps</dt><dd>${join(
        h.apps.map((a) => html`<code>${a}</code>`),
        ', ',
      )}</dd>`
    : ''
}
<dt>Transport</dt><dd>${h.transport.join(', ') || 'none'}; ${h.flows} flow(s)</dd>
<dt>Bytes out / in</dt><dd>${bytes(h.bytes_out)} / ${bytes(h.bytes_in)}</dd>
<dt>Decrypted</dt><dd>${h.decrypted_bytes ? `${bytes(h.decrypted_bytes)} (with the keys available)` : 'nothing'}</dd>
<dt>Not looked into</dt><dd>${h.opaque_bytes > 0 ? html`${bytes(h.opaque_bytes)}: ${h.opaque_reasons.length ? join(h.opaque_reasons.map(opaqueReason), '; ') : 'reason not recorded'}` : 'nothing'}</dd>
<dt>Seen</dt><dd>${h.first_seen ? `${h.first_seen} … ${h.last_seen}` : 'no connection (name only)'}</dd>
<dt>Servers</dt><dd>${h.servers.length ? join(h.servers.map(serverLine), html`<br>`) : 'none'}</dd>
${
  multiCapture
    ? html`<dt>Captures</dt><dd>${join(
        h.captures.map((c) => html`<code>${c}</code>`),
        ', ',
      )}</dd>`
    : ''
}
${extra.map(([k, v]) => html`<dt>${k.replaceAll('_', ' ')}</dt><dd>${anyValue(v)}</dd>`)}
<dt>Personal data</dt><dd>${visible || html`${h.leaks.length} value(s) of ${kinds.length} kind(s): ${kinds.map((k) => html`<span class="badge ${k === 'incognito' ? 'inc' : 'leak'}">${k}</span>`)}`}</dd>
</dl>
${leakRows(h, limits, multiCapture)}
</section>`;
}

/** Hosts grouped by vendor (the order of the JSON report), with the search box and filters. */
export function hostsSection(hosts: readonly HostRecord[], limits: Limits, multiCapture: boolean, heading = 'Hosts'): Html {
  let listed = hosts;
  let left = 0;
  if (hosts.length > limits.htmlHosts) {
    const keep = new Set([...hosts.filter((h) => h.leaks.length > 0), ...hosts].slice(0, limits.htmlHosts));
    listed = hosts.filter((h) => keep.has(h));
    left = hosts.length - listed.length;
  }
  const groups = new Map<string, HostRecord[]>();
  for (const h of listed) {
    const g = h.vendor ? `${h.vendor}${h.alert ? '' : ' (vendor infrastructure)'}` : 'No signature';
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(h);
  }
  const vendors = [...new Set(hosts.map((h) => h.vendor).filter((v): v is string => v !== null))].sort();
  const kinds = [...new Set(hosts.flatMap((h) => h.leaks.map((l) => l.kind)))].sort();
  let index = 0;
  return html`<section aria-labelledby="h-hosts">
<h2 id="h-hosts">${heading}</h2>
${controls(vendors, kinds)}
${[...groups].map(([name, list]) => html`<h3>${name} <span class="muted">· ${list.length} host(s)</span></h3>${list.map((h) => hostSection(h, ++index, limits, multiCapture))}`)}
${left > 0 ? html`<p class="note">${left} more host(s) without personal data not listed (limit htmlHosts); the JSON report has them.</p>` : ''}
</section>`;
}

/** Data sources and the attribution their licences require. */
export function sourcesFooter(header: AnalyzeHeader): Html {
  return html`<footer class="note"><p>Made by ${header.tool ?? 'leakscope'} ${header.version ?? ''}. ${(header.geo ?? []).map((g) => html`${g.kind === 'asn' ? 'ASN' : 'Geolocation'}: ${g.attribution}. `)}Map: Natural Earth (public domain) via world-atlas; projection by d3-geo.</p></footer>`;
}
