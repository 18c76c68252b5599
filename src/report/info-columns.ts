import type { Column } from './columns.js';
import type { InfoRecord } from '../engine/info.js';

export const INFO_COLUMNS: readonly Column<InfoRecord>[] = [
  { key: 'file', header: 'File', get: (r) => r.file },
  { key: 'format', header: 'Format', get: (r) => `${r.format} ${r.version}${r.compression ? ` (${r.compression})` : ''}, ${r.byte_order}-endian, ${r.ts_precision}` },
  { key: 'linktypes', header: 'Link types', get: (r) => [...new Set(r.linktypes.map((l) => `${l.name} (${l.linktype})`))] },
  { key: 'packets', header: 'Packets', get: (r) => r.packets },
  { key: 'bytes', header: 'Bytes (captured / wire)', get: (r) => `${r.bytes} / ${r.wire_bytes}` },
  { key: 'first_ts', header: 'First', get: (r) => r.first_ts },
  { key: 'last_ts', header: 'Last', get: (r) => r.last_ts },
  { key: 'duration_s', header: 'Duration s', get: (r) => r.duration_s },
  { key: 'layers', header: 'Layers', get: (r) => Object.entries(r.layers).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`) },
  { key: 'anomalies', header: 'Anomalies', get: (r) => (Object.keys(r.anomalies).length ? Object.entries(r.anomalies).map(([k, n]) => `${k} ${n}`) : 'none') },
  { key: 'decryption', header: 'Decryption', get: (r) => (r.decryption === null ? (r.decryption_secrets.tls > 0 ? `${r.decryption_secrets.tls} key blocks` : 'no keys')
    : `${r.decryption.decrypted} decrypted, ${r.decryption.no_key} no key, ${r.decryption.failed} failed`) },
  { key: 'sha256', header: 'SHA-256', get: (r) => r.sha256 },
];
