import type { Column } from './columns.js';
import type { Observation } from '../engine/observations.js';

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
      return `${o.method} ${o.host ?? '(no Host)'} ${o.uri}${o.body_bytes ? ` [${o.body_bytes} B body]` : ''}${o.incomplete ? ' (incomplete: bytes not captured)' : ''}`;
    case 'http_response':
      return `${o.status} ${o.reason}${o.incomplete ? ' (incomplete: bytes not captured)' : ''}`;
    case 'dns':
      return `${o.qname} ${o.qtype} ${o.rcode ?? '(no response)'}${o.cnames.length ? ` → ${o.cnames.join(' → ')}` : ''}${o.answers.length ? ` = ${o.answers.join(', ')}` : ''}`;
    case 'anomaly':
      return `${o.code}${o.detail !== null ? `: ${o.detail}` : ''}${o.stream !== null ? ` (${o.proto} stream ${o.stream})` : ''}`;
  }
}

export const EVENT_COLUMNS: readonly Column<Observation>[] = [
  { key: 'frame', header: 'Frame', get: (o) => o.frame },
  { key: 'ts', header: 'Time', get: (o) => o.ts },
  { key: 'type', header: 'Type', get: (o) => o.type },
  { key: 'src', header: 'Source', get: (o) => (o.src === null ? '' : `${o.src}:${o.sport}`) },
  { key: 'dst', header: 'Destination', get: (o) => (o.dst === null ? '' : `${o.dst}:${o.dport}`) },
  { key: 'summary', header: 'What', get: observationSummary },
];
