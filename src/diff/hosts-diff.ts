/**
 * `leakscope diff A B`: what changed between two reports (firmware A against B, incognito on
 * against off). Recipients are new, gone or common; for every host, the leaked (kind, value)
 * pairs B sends that A did not (`leaks_new`) and those A sent that B does not (`leaks_gone`).
 * Values are compared as reported: two reports made with --redact compare only with one salt.
 */
import type { AnalyzeHeader, AnalyzeResult } from '../engine/analyze.js';
import type { HostRecord } from '../engine/hosts.js';

export interface LeakRef {
  kind: string;
  value: string;
}

export type HostChange = 'new' | 'gone' | 'common';

export interface HostDiff {
  type: 'host_diff';
  host: string;
  vendor: string | null;
  change: HostChange;
  leaks_new: LeakRef[];
  leaks_gone: LeakRef[];
  /** (kind, value) pairs both sent */
  leaks_common: number;
  /** leak kinds B sends this host and A did not, and the reverse */
  kinds_new: string[];
  kinds_gone: string[];
  bytes_out_a: number | null;
  bytes_out_b: number | null;
  /** values one side may not have kept (maxLeakValuesPerKind): the diff of such a kind is incomplete */
  incomplete_kinds?: string[];
}

export interface DiffSummary {
  hosts_new: number;
  hosts_gone: number;
  hosts_common: number;
  /** common hosts whose leaks changed */
  hosts_changed: number;
  leaks_new: number;
  leaks_gone: number;
}

export interface DiffResult {
  a: { label: string; header: AnalyzeHeader };
  b: { label: string; header: AnalyzeHeader };
  summary: DiffSummary;
  hosts: HostDiff[];
  /** the host records of each side, for reports that show them (the HTML map) */
  hostsA: HostRecord[];
  hostsB: HostRecord[];
}

const key = (l: LeakRef) => `${l.kind}\u0000${l.value}`;
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byKindValue = (x: LeakRef, y: LeakRef) => cmp(x.kind, y.kind) || cmp(x.value, y.value);

function hostDiff(a: HostRecord | undefined, b: HostRecord | undefined): HostDiff {
  const la = new Map((a?.leaks ?? []).map((l) => [key(l), { kind: l.kind, value: l.value }]));
  const lb = new Map((b?.leaks ?? []).map((l) => [key(l), { kind: l.kind, value: l.value }]));
  const leaksNew = [...lb]
    .filter(([k]) => !la.has(k))
    .map(([, l]) => l)
    .sort(byKindValue);
  const leaksGone = [...la]
    .filter(([k]) => !lb.has(k))
    .map(([, l]) => l)
    .sort(byKindValue);
  const kindsA = new Set([...la.values()].map((l) => l.kind));
  const kindsB = new Set([...lb.values()].map((l) => l.kind));
  const d: HostDiff = {
    type: 'host_diff',
    host: (b ?? a)!.host,
    vendor: b?.vendor ?? a?.vendor ?? null,
    change: a && b ? 'common' : b ? 'new' : 'gone',
    leaks_new: leaksNew,
    leaks_gone: leaksGone,
    leaks_common: [...lb.keys()].filter((k) => la.has(k)).length,
    kinds_new: [...kindsB].filter((k) => !kindsA.has(k)).sort(),
    kinds_gone: [...kindsA].filter((k) => !kindsB.has(k)).sort(),
    bytes_out_a: a?.bytes_out ?? null,
    bytes_out_b: b?.bytes_out ?? null,
  };
  const incomplete = [...new Set([...Object.keys(a?.leaks_dropped ?? {}), ...Object.keys(b?.leaks_dropped ?? {})])].sort();
  if (incomplete.length) d.incomplete_kinds = incomplete;
  return d;
}

const CHANGE_RANK: Record<HostChange, number> = { new: 0, gone: 1, common: 2 };

/** Every host of A and B, new first, then gone, then common ones with changes, then the rest. */
export function diffResults(a: AnalyzeResult, b: AnalyzeResult, labels: { a: string; b: string }): DiffResult {
  const hostsA = new Map(a.hosts.map((h) => [h.host, h]));
  const hostsB = new Map(b.hosts.map((h) => [h.host, h]));
  const names = [...new Set([...hostsA.keys(), ...hostsB.keys()])];
  const hosts = names.map((n) => hostDiff(hostsA.get(n), hostsB.get(n)));
  const changed = (d: HostDiff) => d.leaks_new.length + d.leaks_gone.length > 0;
  hosts.sort((x, y) => CHANGE_RANK[x.change] - CHANGE_RANK[y.change] || Number(changed(y)) - Number(changed(x)) || cmp(x.host, y.host));
  const summary: DiffSummary = {
    hosts_new: hosts.filter((d) => d.change === 'new').length,
    hosts_gone: hosts.filter((d) => d.change === 'gone').length,
    hosts_common: hosts.filter((d) => d.change === 'common').length,
    hosts_changed: hosts.filter((d) => d.change === 'common' && changed(d)).length,
    leaks_new: hosts.reduce((n, d) => n + d.leaks_new.length, 0),
    leaks_gone: hosts.reduce((n, d) => n + d.leaks_gone.length, 0),
  };
  return { a: { label: labels.a, header: a.header }, b: { label: labels.b, header: b.header }, summary, hosts, hostsA: a.hosts, hostsB: b.hosts };
}

/** B sends something A did not: a new recipient or a new (kind, value) to any host. */
export function sendsAnythingNew(d: DiffResult): boolean {
  return d.hosts.some((h) => h.change === 'new' || h.leaks_new.length > 0);
}
