import type { Column } from '../report/columns.js';
import type { HostDiff, LeakRef } from './hosts-diff.js';

const leakList = (ls: LeakRef[]) => ls.map((l) => `${l.kind}: ${l.value}`);

/** Table and CSV columns of `diff`: one row per host of A or B. */
export const DIFF_COLUMNS: readonly Column<HostDiff>[] = [
  { key: 'host', header: 'Host', get: (d) => d.host },
  { key: 'vendor', header: 'Vendor', get: (d) => d.vendor },
  { key: 'change', header: 'Recipient', get: (d) => d.change },
  { key: 'leaks_new', header: 'Sent only in B', get: (d) => leakList(d.leaks_new), multiline: true },
  { key: 'leaks_gone', header: 'Sent only in A', get: (d) => leakList(d.leaks_gone), multiline: true },
  { key: 'leaks_common', header: 'Same', get: (d) => d.leaks_common },
];
