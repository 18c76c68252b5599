import type { Column } from './columns.js';
import type { HostRecord } from '../engine/hosts.js';

/** One line per leak kind with a few sample values, e.g. `search_query: porno | porno videos`. */
export function leakLines(h: HostRecord, samplesPerKind = 2): string[] {
  const byKind = new Map<string, string[]>();
  for (const l of h.leaks) {
    let list = byKind.get(l.kind);
    if (!list) byKind.set(l.kind, (list = []));
    // findings inside an experiment window (--window) carry its label
    list.push(l.windows?.length ? `${l.value} [window: ${l.windows.join(', ')}]` : l.value);
  }
  return [...byKind].map(([k, vs]) => `${k}: ${vs.slice(0, samplesPerKind).join(' | ')}${vs.length > samplesPerKind ? ` (+${vs.length - samplesPerKind} more)` : ''}`);
}

/** Where the servers are: `SG Singapore, AS45102 Alibaba (US) Technology Co., Ltd.`, one line each. */
function whereLines(h: HostRecord): string[] {
  const seen = new Set<string>();
  for (const s of h.servers) {
    const place = s.special ? `(${s.special})` : [[s.country, s.city].filter(Boolean).join(' '), s.asn ? `AS${s.asn} ${s.org ?? ''}`.trim() : s.org].filter(Boolean).join(', ');
    if (place) seen.add(place);
  }
  return [...seen];
}

export const HOST_COLUMNS: readonly Column<HostRecord>[] = [
  { key: 'host', header: 'Host', get: (h) => h.host },
  {
    key: 'category',
    header: 'Category',
    // a host can belong to two vendors (sa.api.intl.miui.com is Xiaomi's, built on Sensors Data)
    get: (h) => [h.category, ...h.vendors.filter((v) => v !== h.vendor).map((v) => `also ${v}`)].filter(Boolean),
    multiline: true,
  },
  { key: 'transport', header: 'Transport', get: (h) => h.transport, multiline: true },
  { key: 'flows', header: 'Flows', get: (h) => h.flows },
  { key: 'bytes', header: 'Bytes out/in', get: (h) => `${h.bytes_out}/${h.bytes_in}` },
  {
    key: 'leaks',
    header: 'Personal data sent',
    get: (h) => (h.leaks.length ? leakLines(h) : h.opaque_bytes > 0 ? [`none visible (${h.opaque_bytes} B encrypted)`] : ['none']),
    multiline: true,
  },
  { key: 'where', header: 'Server location', get: whereLines, multiline: true },
];

/** CSV: one row per host and leak kind (hosts without leaks: one row with empty leak fields). */
export interface HostCsvRow {
  host: HostRecord;
  kind: string | null;
  values: string[];
  count: number;
  frames: number[];
}

export function hostCsvRows(h: HostRecord): HostCsvRow[] {
  if (h.leaks.length === 0) return [{ host: h, kind: null, values: [], count: 0, frames: [] }];
  const byKind = new Map<string, HostCsvRow>();
  for (const l of h.leaks) {
    let row = byKind.get(l.kind);
    if (!row) byKind.set(l.kind, (row = { host: h, kind: l.kind, values: [], count: 0, frames: [] }));
    row.values.push(l.value);
    row.count += l.count;
    for (const e of l.evidence) if (!row.frames.includes(e.frame)) row.frames.push(e.frame);
  }
  return [...byKind.values()];
}

const first = (h: HostRecord) => h.servers[0];
export const HOST_CSV_COLUMNS: readonly Column<HostCsvRow>[] = [
  { key: 'host', header: 'host', get: (r) => r.host.host },
  { key: 'vendor', header: 'vendor', get: (r) => r.host.vendor },
  { key: 'category', header: 'category', get: (r) => r.host.category },
  { key: 'signature', header: 'signature', get: (r) => r.host.signature },
  { key: 'transport', header: 'transport', get: (r) => r.host.transport.join(' ') },
  { key: 'flows', header: 'flows', get: (r) => r.host.flows },
  { key: 'bytes_out', header: 'bytes_out', get: (r) => r.host.bytes_out },
  { key: 'bytes_in', header: 'bytes_in', get: (r) => r.host.bytes_in },
  { key: 'server_ips', header: 'server_ips', get: (r) => r.host.servers.map((s) => s.ip).join(' ') },
  { key: 'country', header: 'country', get: (r) => first(r.host)?.country ?? first(r.host)?.special ?? null },
  { key: 'asn', header: 'asn', get: (r) => first(r.host)?.asn },
  { key: 'org', header: 'org', get: (r) => first(r.host)?.org },
  { key: 'leak_kind', header: 'leak_kind', get: (r) => r.kind },
  { key: 'leak_values', header: 'leak_values', get: (r) => r.values.join(' | ') },
  { key: 'leak_count', header: 'leak_count', get: (r) => r.count },
  { key: 'frames', header: 'frames', get: (r) => r.frames.join(' ') },
];
