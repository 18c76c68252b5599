/**
 * The aggregate of `batch` and `merge` as tables (`--format table`): hosts across captures,
 * captures, identifiers linking captures. Narrow terminals drop Flows, then Out / in, then
 * Vendor; a list cut to fit says how much is missing.
 */
import { sampled, type RecordSchema } from '../columns.js';
import type { AggregateCapture, AggregateHost, LinkedIdentifier } from '../../batch/aggregate.js';

/** host names listed per capture, captures listed per identifier (all with --wide) */
export const LIST_SAMPLES = 5;

export type AggregateHostRow = AggregateHost & { total: number };

export const AGGREGATE_HOST_SCHEMA: RecordSchema<AggregateHostRow> = {
  columns: [
    { key: 'host', header: 'Host', get: (h) => h.host, min: 28 },
    { key: 'vendor', header: 'Vendor', get: (h) => h.vendor, drop: 3 },
    { key: 'captures', header: 'Captures', get: (h) => `${h.captures} / ${h.total}`, min: 8 },
    { key: 'flows', header: 'Flows', get: (h) => h.flows, drop: 1, min: 5 },
    { key: 'bytes', header: 'Out / in', get: (h) => `${h.bytes_out} / ${h.bytes_in}`, drop: 2 },
    { key: 'leak_kinds', header: 'Leaked kinds', get: (h) => h.leak_kinds, multiline: true, min: 12 },
  ],
};

export const AGGREGATE_CAPTURE_SCHEMA: RecordSchema<AggregateCapture> = {
  columns: [
    { key: 'capture', header: 'Capture', get: (c) => c.capture, min: 16 },
    { key: 'status', header: 'Status', get: (c) => c.status, min: 7 },
    { key: 'hosts', header: 'Hosts', get: (c, view) => sampled(c.hosts, LIST_SAMPLES, view, 'hosts: '), multiline: true, min: 16 },
  ],
};

export const LINKED_IDENTIFIER_SCHEMA: RecordSchema<LinkedIdentifier> = {
  columns: [
    { key: 'kind', header: 'Identifier', get: (i) => i.kind, min: 10 },
    { key: 'value', header: 'Value', get: (i) => i.value, min: 16 },
    { key: 'captures', header: 'Seen in captures', get: (i, view) => sampled(i.captures, LIST_SAMPLES, view, 'captures: '), multiline: true, min: 16 },
  ],
};
