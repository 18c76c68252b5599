/**
 * `events`' observation records: the table's columns and the CSV's, declared once.
 *
 * Table: frame, time, type, the two endpoints and one human summary (narrow terminals drop
 * Time, then Source). CSV: one row per observation with a real column for every field of
 * every type (empty where the type has no such field); lists are space-separated (csvList).
 */
import { formatEndpoint } from '../../decode/addr.js';
import { csvList, type Column, type RecordSchema } from '../columns.js';
import type { Observation } from '../../engine/observations.js';

/** One human line of what an observation says. */
export function observationSummary(o: Observation): string {
  switch (o.type) {
    case 'tls':
      return `SNI ${o.sni ?? '(none)'}; ALPN ${o.alpn.join(',') || '-'}; versions ${o.versions.join(',')}; ${o.cut ? 'ClientHello cut short by a capture gap' : o.ja4}${o.ech ? '; ECH' : ''}`;
    case 'tls_server':
      return `TLS ${o.version}${o.alpn ? `; ALPN ${o.alpn}` : ''}`;
    case 'tls_certificate':
      return `certificate ${o.names.join(', ')}`;
    case 'quic':
      return `QUIC v${o.version}; SNI ${o.sni ?? '(none)'}; ALPN ${o.alpn.join(',') || '-'}`;
    case 'http':
      return `${o.method} ${o.host ?? '(no Host)'} ${o.uri}${o.body_bytes ? ` [${o.body_bytes} B body]` : ''}${o.incomplete ? ' (incomplete: bytes not captured)' : ''}${carried(o)}`;
    case 'http_response':
      return `${o.status}${o.reason ? ` ${o.reason}` : ''}${o.incomplete ? ' (incomplete: bytes not captured)' : ''}${carried(o)}`;
    case 'dns':
      return `${o.qname} ${o.qtype} ${o.rcode ?? '(no response)'}${o.cnames.length ? ` → ${o.cnames.join(' → ')}` : ''}${o.answers.length ? ` = ${o.answers.join(', ')}` : ''}`;
    case 'anomaly':
      return `${o.code}${o.detail !== null ? `: ${o.detail}` : ''}${o.stream !== null ? ` (${o.proto} stream ${o.stream})` : ''}`;
  }
}

/** ` (tls → h2 stream 5)`: how an HTTP message travelled, when not as plaintext HTTP/1 */
function carried(o: { http_version?: string; stream_id?: number; carrier?: string }): string {
  const parts: string[] = [];
  if (o.carrier !== undefined) parts.push(o.carrier);
  if (o.http_version === '2' || o.http_version === '3') parts.push(`h${o.http_version}${o.stream_id !== undefined ? ` stream ${o.stream_id}` : ''}`);
  else if (o.http_version !== undefined && o.carrier !== undefined) parts.push(`http/${o.http_version}`);
  return parts.length ? ` (${parts.join(' → ')})` : '';
}

/** A field of the observation when its type has it, else empty. */
function field(name: string, list = false): (o: Observation) => unknown {
  return (o) => {
    const v = (o as unknown as Record<string, unknown>)[name];
    if (v === undefined) return null;
    return list && Array.isArray(v) ? csvList(v) : v;
  };
}

/** A CSV column of one record field (`header` for completeness: CSV columns are not in the table). */
function csvOnly(key: string, opts: { list?: boolean; from?: string } = {}): Column<Observation> {
  return { key, header: key, csv: field(opts.from ?? key, opts.list) };
}

export const EVENT_SCHEMA: RecordSchema<Observation> = {
  columns: [
    { key: 'type', header: 'Type', get: (o) => o.type },
    { key: 'file', header: 'File', csv: (o) => o.file },
    { key: 'frame', header: 'Frame', get: (o) => o.frame, min: 5 },
    { key: 'ts', header: 'Time', get: (o) => o.ts, drop: 1, min: 27 },
    { key: 'source', header: 'Source', get: (o) => (o.src === null ? '' : formatEndpoint(o.src, o.sport)), csv: false, drop: 2, min: 15 },
    { key: 'destination', header: 'Destination', get: (o) => (o.dst === null ? '' : formatEndpoint(o.dst, o.dport)), csv: false, min: 15 },
    { key: 'src', header: 'src', csv: (o) => o.src },
    { key: 'sport', header: 'sport', csv: (o) => o.sport },
    { key: 'dst', header: 'dst', csv: (o) => o.dst },
    { key: 'dport', header: 'dport', csv: (o) => o.dport },
    { key: 'stream', header: 'stream', csv: (o) => o.stream },
    { key: 'summary', header: 'What', get: observationSummary, csv: false, min: 20, want: 40 },
    // tls, quic
    csvOnly('sni'),
    csvOnly('server_names', { list: true }),
    csvOnly('alpn', { list: true }),
    csvOnly('versions', { list: true }),
    csvOnly('ja4'),
    csvOnly('ja3'),
    csvOnly('ech'),
    csvOnly('cut'),
    // tls_server (negotiated), quic (wire version)
    csvOnly('version'),
    csvOnly('cipher_suite'),
    // tls_certificate
    csvOnly('names', { list: true }),
    // http
    csvOnly('method'),
    csvOnly('host'),
    csvOnly('uri'),
    csvOnly('user_agent'),
    csvOnly('content_type'),
    csvOnly('content_encoding'),
    csvOnly('request_index'),
    // http_response
    csvOnly('status'),
    csvOnly('reason'),
    csvOnly('request_frame'),
    // http, http_response
    csvOnly('body_bytes'),
    csvOnly('incomplete'),
    // http, http_response that travelled decrypted or over HTTP/2 or HTTP/3
    csvOnly('http_version'),
    csvOnly('stream_id'),
    csvOnly('carrier'),
    // dns
    csvOnly('transport'),
    csvOnly('id'),
    csvOnly('qname'),
    csvOnly('qtype'),
    csvOnly('rcode'),
    csvOnly('answers', { list: true }),
    csvOnly('cnames', { list: true }),
    csvOnly('svcb', { list: true }),
    // anomaly (`stream` above; `proto` tcp/udp)
    csvOnly('proto'),
    csvOnly('code'),
    csvOnly('offset'),
    csvOnly('detail'),
  ],
};
