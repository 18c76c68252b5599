/**
 * `diff`'s record: one per host of A or B. Table: the leaked values only B sends and only A
 * sent, one per line. CSV (tidy): one row per host and changed value (`leak_change` new or
 * gone); a host with no changed value has one row with empty leak fields.
 */
import type { RecordSchema } from '../columns.js';
import type { HostDiff, LeakRef } from '../../diff/hosts-diff.js';

/** A CSV row's part: one value that changed, or null for a host whose values did not. */
export type DiffCsvPart = { change: 'new' | 'gone'; leak: LeakRef } | null;

const leakList = (ls: LeakRef[]) => ls.map((l) => `${l.kind}: ${l.value}`);

export const DIFF_SCHEMA: RecordSchema<HostDiff, DiffCsvPart> = {
  csvParts: (d) => {
    const parts: DiffCsvPart[] = [
      ...d.leaks_new.map((leak) => ({ change: 'new' as const, leak })),
      ...d.leaks_gone.map((leak) => ({ change: 'gone' as const, leak })),
    ];
    return parts.length ? parts : [null];
  },
  columns: [
    { key: 'host', header: 'Host', get: (d) => d.host, csv: (d) => d.host, min: 20 },
    { key: 'vendor', header: 'Vendor', get: (d) => d.vendor, csv: (d) => d.vendor, drop: 1 },
    { key: 'change', header: 'Recipient', get: (d) => d.change, csv: (d) => d.change },
    { key: 'leaks_new', header: 'Sent only in B', get: (d) => leakList(d.leaks_new), csv: false, multiline: true, min: 16 },
    { key: 'leaks_gone', header: 'Sent only in A', get: (d) => leakList(d.leaks_gone), csv: false, multiline: true, min: 16 },
    { key: 'leaks_common', header: 'Same', get: (d) => d.leaks_common, csv: (d) => d.leaks_common, drop: 2 },
    { key: 'leak_change', header: 'leak_change', csv: (_d, p) => p?.change ?? null },
    { key: 'leak_kind', header: 'leak_kind', csv: (_d, p) => p?.leak.kind ?? null },
    { key: 'leak_value', header: 'leak_value', csv: (_d, p) => p?.leak.value ?? null },
  ],
};
