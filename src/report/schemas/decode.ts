/** `decode`'s layers: one row per layer peeled off the blob. */
import type { RecordSchema } from '../columns.js';

export interface DecodeRow {
  depth: number;
  chain: string;
  kind: string;
  text: string | null;
}

export const DECODE_SCHEMA: RecordSchema<DecodeRow> = {
  columns: [
    { key: 'chain', header: 'Layer', get: (r) => r.chain, min: 12 },
    { key: 'kind', header: 'Kind', get: (r) => r.kind, min: 6 },
    { key: 'text', header: 'Content', get: (r) => r.text, min: 16 },
  ],
};
