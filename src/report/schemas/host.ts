/**
 * `analyze`'s host record: its table columns and its CSV, declared once.
 *
 * Table (narrow terminals drop, in this order: Flows, Bytes, Transport, Category, Server
 * location; the host with its server addresses and the personal data are always shown): per
 * leak kind at most LEAK_SAMPLES values (`url: 3 of 3,001 shown` says what is missing),
 * hashed or re-cased forms labelled (`imei (md5)`).
 *
 * CSV (tidy): one row per host, leak kind and value; a host without leaks has one row with
 * empty leak fields. Lists are space-separated (csvList).
 */
import { csvList, sampled, type RecordSchema, type TableView } from '../columns.js';
import type { HostLeak, HostRecord, HostServer } from '../../engine/hosts.js';

/** values shown per leak kind in the table (all with --wide) */
export const LEAK_SAMPLES = 3;
/** servers shown per host in the table (all with --wide) */
export const SERVER_SAMPLES = 4;

/** `imei (md5)`: the kind, and the forms other than plain the value was found in; `android_id (probable)` for a probable finding. */
export function leakLabel(l: HostLeak): string {
  const forms = [...new Set(l.evidence.map((e) => e.form).filter((f): f is string => Boolean(f) && f !== 'plain'))];
  if (l.probable) forms.push('probable');
  return forms.length ? `${l.kind} (${forms.join(', ')})` : l.kind;
}

/** One line per leaked value (`imei (md5): 406a…`), sampled per kind, cut lists counted. */
export function leakLines(h: HostRecord, view: TableView): string[] {
  const byKind = new Map<string, HostLeak[]>();
  for (const l of h.leaks) {
    let list = byKind.get(l.kind);
    if (!list) byKind.set(l.kind, (list = []));
    list.push(l);
  }
  const lines: string[] = [];
  for (const [kind, leaks] of byKind) {
    // findings inside an experiment window (--window) carry its label
    for (const item of sampled(leaks, LEAK_SAMPLES, view, `${kind}: `))
      lines.push(typeof item === 'string' ? item : `${leakLabel(item)}: ${item.value}${item.windows?.length ? ` [window: ${item.windows.join(', ')}]` : ''}`);
    const dropped = h.leaks_dropped[kind];
    if (dropped) lines.push(`${kind}: ${dropped.toLocaleString('en-US')} more finding(s) not kept (limit maxLeakValuesPerKind)`);
  }
  for (const [kind, dropped] of Object.entries(h.leaks_dropped)) {
    if (!byKind.has(kind)) lines.push(`${kind}: ${dropped.toLocaleString('en-US')} finding(s) not kept (limit maxLeakValuesPerKind)`);
  }
  return lines;
}

/** `AS45102` in tables; the number in JSON and CSV (as `geo` writes it). */
function asnText(asn: number | null): string | null {
  return asn === null ? null : `AS${asn}`;
}

/** `161.117.2.20 SG`: the address with its country or special range (`(dns)`: known only from a DNS answer). */
export function serverLine(s: HostServer): string {
  return [s.ip, s.special ? `(${s.special})` : s.country, s.dns_only ? '(dns)' : null].filter(Boolean).join(' ');
}

/** `Singapore, AS45102 Alibaba …`: the rest of where a server is. */
export function serverPlace(s: HostServer): string {
  return [s.city, [asnText(s.asn), s.org].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/**
 * The Host cell: the name, then each server address with its country, indented. The Location
 * cell puts the rest of each address's place on the same line as the address.
 */
function hostLines(h: HostRecord, view: TableView): string[] {
  const lines = [h.host, ...sampled(h.servers, SERVER_SAMPLES, view, 'servers: ').map((s) => (typeof s === 'string' ? `  ${s}` : `  ${serverLine(s)}`))];
  // which apps talked to it, when a PCAPdroid capture names them
  if (h.apps.length) lines.push(`  apps: ${h.apps.join(', ')}`);
  return lines;
}
function placeLines(h: HostRecord, view: TableView): string[] {
  return ['', ...sampled(h.servers, SERVER_SAMPLES, view).map((s) => (typeof s === 'string' ? '' : serverPlace(s)))];
}

/** why bytes were not read, as the table says it (no keys given: just "encrypted") */
function notReadWhy(h: HostRecord): string {
  const r = h.opaque_reasons;
  if (r.includes('decrypt_failed')) return ', keys did not decrypt';
  if (r.includes('no_key')) return ', no key';
  return '';
}

/** For a host with decrypted traffic: that it was read (beside its leaks), and what could not be. */
function readLines(h: HostRecord): string[] {
  if (h.decrypted_bytes === 0) return [];
  const out = h.leaks.length || Object.keys(h.leaks_dropped).length ? [`(read ${h.decrypted_bytes} B decrypted)`] : [];
  if (h.opaque_bytes > 0) out.push(`(not read: ${h.opaque_bytes} B encrypted${notReadWhy(h)})`);
  return out;
}

/** A CSV row's part: one leaked value of the host, or null for a host without leaks. */
export type HostCsvPart = HostLeak | null;

const first = (h: HostRecord): HostServer | undefined => h.servers[0];

export const HOST_SCHEMA: RecordSchema<HostRecord, HostCsvPart> = {
  csvParts: (h) => (h.leaks.length ? h.leaks : [null]),
  columns: [
    { key: 'host', header: 'Host and servers', get: hostLines, csv: (h) => h.host, multiline: true, min: 28 },
    { key: 'vendor', header: 'Vendor', csv: (h) => h.vendor },
    {
      key: 'category',
      header: 'Category',
      // a host can belong to two vendors (sa.api.intl.miui.com is Xiaomi's, built on Sensors Data)
      get: (h) => [h.category, ...h.vendors.filter((v) => v !== h.vendor).map((v) => `also ${v}`)].filter(Boolean),
      csv: (h) => h.category,
      multiline: true,
      drop: 4,
    },
    { key: 'signature', header: 'Signature', csv: (h) => h.signature },
    { key: 'transport', header: 'Transport', get: (h) => h.transport, csv: (h) => csvList(h.transport), multiline: true, drop: 3, min: 6 },
    { key: 'flows', header: 'Flows', get: (h) => h.flows, drop: 1, min: 5 },
    { key: 'bytes', header: 'Bytes out/in', get: (h) => `${h.bytes_out}/${h.bytes_in}`, csv: false, drop: 2 },
    { key: 'bytes_out', header: 'Bytes out', csv: (h) => h.bytes_out },
    { key: 'bytes_in', header: 'Bytes in', csv: (h) => h.bytes_in },
    { key: 'decrypted_bytes', header: 'Decrypted bytes', csv: (h) => h.decrypted_bytes },
    { key: 'opaque_bytes', header: 'Opaque bytes', csv: (h) => h.opaque_bytes },
    {
      key: 'leaks',
      header: 'Personal data sent',
      get: (h, view) => [
        ...(h.leaks.length || Object.keys(h.leaks_dropped).length
          ? leakLines(h, view)
          : h.decrypted_bytes > 0
            ? [`none (read ${h.decrypted_bytes} B decrypted)`]
            : h.opaque_bytes > 0
              ? [`none visible (${h.opaque_bytes} B encrypted${notReadWhy(h)})`]
              : h.flows === 0 && h.transport.every((t) => t === 'dns')
                ? ['no connection seen (DNS only)']
                : ['none']),
        ...readLines(h),
      ],
      csv: false,
      multiline: true,
      min: 24,
      want: 36,
    },
    { key: 'location', header: 'Server location', get: placeLines, csv: false, multiline: true, drop: 5, min: 16, want: 24 },
    { key: 'server_ips', header: 'Server IPs', csv: (h) => csvList(h.servers.map((s) => s.ip)) },
    // the first server's place; every server's is in --format json
    { key: 'country', header: 'Country', csv: (h) => first(h)?.country ?? null },
    { key: 'special', header: 'Special range', csv: (h) => first(h)?.special ?? null },
    { key: 'asn', header: 'ASN', csv: (h) => first(h)?.asn ?? null },
    { key: 'org', header: 'Organisation', csv: (h) => first(h)?.org ?? null },
    { key: 'first_seen', header: 'First seen', csv: (h) => h.first_seen },
    { key: 'last_seen', header: 'Last seen', csv: (h) => h.last_seen },
    { key: 'leak_kind', header: 'Leak kind', csv: (_, l) => l?.kind ?? null },
    { key: 'leak_value', header: 'Leak value', csv: (_, l) => l?.value ?? null },
    { key: 'leak_form', header: 'Leak form', csv: (_, l) => (l ? csvList([...new Set(l.evidence.map((e) => e.form ?? 'plain'))]) : null) },
    { key: 'leak_count', header: 'Leak count', csv: (_, l) => l?.count ?? null },
    { key: 'frames', header: 'Frames', csv: (_, l) => (l ? csvList([...new Set(l.evidence.map((e) => e.frame))]) : null) },
    // PCAPdroid captures: the apps that talked to the host, and those that sent this value
    { key: 'apps', header: 'Apps', csv: (h) => csvList(h.apps) },
    {
      key: 'leak_apps',
      header: 'Leak apps',
      csv: (_, l) => (l ? csvList([...new Set(l.evidence.flatMap((e) => (e.app === undefined ? [] : [e.app])))]) : null),
    },
    // a value found only by its shape under a key that does not name it (the JSON's `probable` says why)
    { key: 'leak_confidence', header: 'Leak confidence', csv: (_, l) => (l ? (l.probable ? 'probable' : 'certain') : null) },
  ],
};
