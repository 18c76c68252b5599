/** `decode`'s layers: one row per layer peeled off the blob. */
import type { RecordSchema } from '../columns.js';

export interface DecodeRow {
  /** the input line the layer was peeled from (`decode -` of text: 1-based), or null for an argument or a binary input */
  line: number | null;
  depth: number;
  chain: string;
  kind: string;
  text: string | null;
}

export const DECODE_SCHEMA: RecordSchema<DecodeRow> = {
  columns: [
    { key: 'line', header: 'Line', get: (r) => r.line, min: 4 },
    { key: 'chain', header: 'Layer', get: (r) => r.chain, min: 12 },
    { key: 'kind', header: 'Kind', get: (r) => r.kind, min: 6 },
    { key: 'text', header: 'Content', get: (r) => r.text, min: 16 },
  ],
};
