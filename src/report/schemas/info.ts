/**
 * `info`'s capture record. Table: one field per line (vertical). CSV: one value per column,
 * lists space-separated (csvList), the per-layer and per-anomaly counts as `name=count`.
 */
import { csvList, type RecordSchema } from '../columns.js';
import type { InfoRecord } from '../../engine/info.js';
import { notDecodedLine } from '../../engine/not-decoded.js';

const counts = (m: Record<string, number>): string[] =>
  Object.entries(m)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`);

export const INFO_SCHEMA: RecordSchema<InfoRecord> = {
  columns: [
    { key: 'file', header: 'File', get: (r) => r.file },
    {
      key: 'format',
      header: 'Format',
      get: (r) => `${r.format} ${r.version}${r.compression ? ` (${r.compression})` : ''}, ${r.byte_order}-endian, ${r.ts_precision}`,
      csv: (r) => r.format,
    },
    { key: 'version', header: 'Version', csv: (r) => r.version },
    { key: 'compression', header: 'Compression', csv: (r) => r.compression },
    { key: 'byte_order', header: 'Byte order', csv: (r) => r.byte_order },
    { key: 'ts_precision', header: 'Timestamp precision', csv: (r) => r.ts_precision },
    {
      key: 'linktypes',
      header: 'Link types',
      get: (r) => [...new Set(r.linktypes.map((l) => `${l.name} (${l.linktype})`))],
      csv: (r) => csvList([...new Set(r.linktypes.map((l) => l.linktype))]),
    },
    { key: 'packets', header: 'Packets', get: (r) => r.packets },
    { key: 'status', header: 'Status', get: (r) => infoStatus(r) },
    { key: 'bytes_pair', header: 'Bytes (captured / wire)', get: (r) => `${r.bytes} / ${r.wire_bytes}`, csv: false },
    { key: 'bytes', header: 'Bytes', csv: (r) => r.bytes },
    { key: 'wire_bytes', header: 'Wire bytes', csv: (r) => r.wire_bytes },
    { key: 'first_ts', header: 'First', get: (r) => r.first_ts },
    { key: 'last_ts', header: 'Last', get: (r) => r.last_ts },
    { key: 'duration_s', header: 'Duration s', get: (r) => r.duration_s },
    {
      key: 'layers',
      header: 'Layers',
      get: (r) =>
        Object.entries(r.layers)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`),
      csv: (r) => csvList(counts(r.layers)),
    },
    {
      key: 'anomalies',
      header: 'Anomalies',
      get: (r) => (Object.keys(r.anomalies).length ? Object.entries(r.anomalies).map(([k, n]) => `${k} ${n}`) : 'none'),
      csv: (r) => csvList(counts(r.anomalies)),
    },
    {
      key: 'decryption',
      header: 'Decryption',
      get: (r) =>
        r.decryption === null
          ? r.decryption_secrets.tls > 0
            ? `${r.decryption_secrets.tls} key block(s)`
            : 'no keys'
          : `${r.decryption.decrypted} decrypted, ${r.decryption.no_key} no key, ${r.decryption.failed} failed`,
      csv: (r) => (r.decryption === null ? null : csvList(counts(r.decryption))),
    },
    { key: 'sha256', header: 'SHA-256', get: (r) => r.sha256 },
  ],
};

/** Whether the whole capture was read: a damaged, interrupted or partly undecodable one is said in the report itself, --quiet or not. */
function infoStatus(r: InfoRecord): string {
  const parts: string[] = [];
  if (r.interrupted) parts.push(`interrupted after ${r.packets} packets`);
  if (r.damage) parts.push(`damaged at byte ${r.damage.offset} after ${r.damage.frame} packets: expected ${r.damage.expected}`);
  if (r.not_decoded.length > 0) parts.push(`partial: ${r.not_decoded.map(notDecodedLine).join('; ')}`);
  return parts.length ? parts.join('; ') : 'complete';
}
