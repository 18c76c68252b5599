/**
 * `events`' observation records: the table's columns and the CSV's, declared once.
 *
 * Table: type, frame, time, the two endpoints and one human summary (narrow terminals drop
 * Time, then Source). CSV: one row per observation with a real column for every field of
 * every type (empty where the type has no such field; checked when compiling); lists are
 * space-separated (csvList).
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
    case 'push': {
      const facts = [o.model, o.os, o.udid && `token ${o.udid}`, o.connpt, o.locale].filter(Boolean).join('; ');
      return `MiPush ${o.cmd} to ${o.host ?? o.server ?? '(unnamed)'}${facts ? `: ${facts}` : ''}`;
    }
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

/** Every field name any observation type has. */
type ObservationField = Observation extends infer O ? (O extends unknown ? keyof O : never) : never;

/**
 * The CSV's columns, in order: every field of every observation type (empty where the type
 * has no such field). `quic`'s `version` is its wire version, `tls_server`'s the negotiated one.
 */
const CSV_FIELDS = [
  'type',
  'file',
  'frame',
  'ts',
  'src',
  'sport',
  'dst',
  'dport',
  'stream',
  'app',
  // tls, quic
  'sni',
  'server_names',
  'alpn',
  'versions',
  'ja4',
  'ja3',
  'ech',
  'cut',
  // tls_server, quic; http's HTTP/1 version too
  'version',
  'cipher_suite',
  // tls_certificate
  'names',
  // http
  'method',
  'host',
  'uri',
  'user_agent',
  'content_type',
  'content_encoding',
  'request_index',
  // http_response
  'status',
  'reason',
  'request_frame',
  // http, http_response (the last three when it travelled decrypted or over HTTP/2 or HTTP/3)
  'body_bytes',
  'incomplete',
  'http_version',
  'stream_id',
  'carrier',
  'tls_version',
  // dns
  'transport',
  'id',
  'qname',
  'qtype',
  'rcode',
  'answers',
  'cnames',
  'svcb',
  // push (MiPush handshake; `host` is shared with http above)
  'protocol',
  'form',
  'cmd',
  'server',
  'model',
  'os',
  'udid',
  'sdk',
  'connpt',
  'locale',
  'andver',
  // anomaly
  'proto',
  'code',
  'offset',
  'detail',
] as const satisfies readonly ObservationField[];

// A field added to an observation type and not to CSV_FIELDS fails to compile here, naming it.
type MissingFromCsv = Exclude<ObservationField, (typeof CSV_FIELDS)[number]>;
const csvCoversEveryField: [MissingFromCsv] extends [never] ? true : MissingFromCsv = true;
void csvCoversEveryField;

/** One field of the record, lists space-separated (csvList); empty when its type has no such field. */
function fieldColumn(key: (typeof CSV_FIELDS)[number]): Column<Observation> {
  return {
    key,
    header: key,
    csv: (o) => {
      const v = (o as unknown as Record<string, unknown>)[key];
      if (v === undefined) return null;
      return Array.isArray(v) ? csvList(v) : v;
    },
  };
}

export const EVENT_SCHEMA: RecordSchema<Observation> = {
  columns: [
    // the table
    { key: 'type', header: 'Type', get: (o) => o.type, csv: false },
    { key: 'frame', header: 'Frame', get: (o) => o.frame, csv: false, min: 5 },
    { key: 'ts', header: 'Time', get: (o) => o.ts, csv: false, drop: 1, min: 27 },
    { key: 'source', header: 'Source', get: (o) => (o.src === null ? '' : formatEndpoint(o.src, o.sport)), csv: false, drop: 2, min: 15 },
    { key: 'destination', header: 'Destination', get: (o) => (o.dst === null ? '' : formatEndpoint(o.dst, o.dport)), csv: false, min: 15 },
    { key: 'summary', header: 'What', get: observationSummary, csv: false, min: 20, want: 40 },
    // the CSV
    ...CSV_FIELDS.map(fieldColumn),
  ],
};
