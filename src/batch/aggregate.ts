/**
 * The archive-wide view: which hosts each capture talked to, in how many captures each host
 * appears, and which device identifiers occur in more than one capture (the same IMEI in two
 * captures means one device). Built from capture result sets only, so a batch run, a resumed
 * run and `merge` of shard outputs compute it the same way. Deterministic: everything sorted.
 */
import type { BatchHostRecord, CaptureResultSet } from './records.js';
import { compareNames } from './glob.js';

/** Leak kinds that identify a device or person: seen in two captures, they link them. */
export const LINKING_KINDS: readonly string[] = ['imei', 'android_id', 'advertising_id', 'mac', 'email', 'phone', 'account_id', 'session_token', 'device_id'];

export interface AggregateHost {
  host: string;
  vendor: string | null;
  alert: boolean;
  /** in how many captures the host appears */
  captures: number;
  flows: number;
  bytes_out: number;
  bytes_in: number;
  /** leak kinds sent to it in any capture */
  leak_kinds: string[];
}

export interface AggregateCapture {
  capture: string;
  sha256: string | null;
  status: 'ok' | 'partial' | 'error';
  /** hosts it talked to (the names of its host records) */
  hosts: string[];
}

export interface LinkedIdentifier {
  kind: string;
  value: string;
  captures: string[];
}

export interface AggregateRecord {
  type: 'aggregate';
  totals: { captures: number; ok: number; partial: number; error: number; hosts: number; linked_identifiers: number };
  hosts: AggregateHost[];
  captures: AggregateCapture[];
  linked_identifiers: LinkedIdentifier[];
  /** groups of captures joined by shared identifiers (each group: probably one device) */
  devices: { captures: string[]; identifiers: { kind: string; value: string }[] }[];
}

interface CaptureSummary {
  capture: AggregateCapture;
  hosts: BatchHostRecord[];
}

export class BatchAggregator {
  /** per capture path; a later set for the same path replaces the earlier one */
  private readonly captures = new Map<string, CaptureSummary>();

  add(set: CaptureResultSet): void {
    const c = set.capture;
    this.captures.set(c.capture, {
      capture: {
        capture: c.capture,
        sha256: c.type === 'capture' ? c.sha256 : null,
        status: c.type === 'capture' ? c.status : 'error',
        hosts: [...new Set(set.hosts.map((h) => h.host))].sort(compareNames),
      },
      // only what the aggregate needs is kept, not the whole record
      hosts: set.hosts.map(slimHost),
    });
  }

  get size(): number {
    return this.captures.size;
  }

  aggregate(): AggregateRecord {
    const paths = [...this.captures.keys()].sort(compareNames);
    const hosts = new Map<string, AggregateHost & { kinds: Set<string> }>();
    const identifiers = new Map<string, { kind: string; value: string; captures: Set<string> }>();
    const totals = { captures: paths.length, ok: 0, partial: 0, error: 0, hosts: 0, linked_identifiers: 0 };

    for (const path of paths) {
      const s = this.captures.get(path)!;
      totals[s.capture.status]++;
      const seenHere = new Set<string>();
      for (const h of s.hosts) {
        let a = hosts.get(h.host);
        if (!a) {
          a = { host: h.host, vendor: h.vendor, alert: h.alert, captures: 0, flows: 0, bytes_out: 0, bytes_in: 0, leak_kinds: [], kinds: new Set() };
          hosts.set(h.host, a);
        }
        if (!seenHere.has(h.host)) {
          a.captures++;
          seenHere.add(h.host);
        }
        a.alert ||= h.alert;
        a.vendor ??= h.vendor;
        a.flows += h.flows;
        a.bytes_out += h.bytes_out;
        a.bytes_in += h.bytes_in;
        for (const leak of h.leaks) {
          a.kinds.add(leak.kind);
          if (!LINKING_KINDS.includes(leak.kind)) continue;
          const key = `${leak.kind}\u0000${leak.value}`;
          let id = identifiers.get(key);
          if (!id) identifiers.set(key, (id = { kind: leak.kind, value: leak.value, captures: new Set() }));
          id.captures.add(path);
        }
      }
    }

    const hostList: AggregateHost[] = [...hosts.values()]
      .map(({ kinds, ...rest }) => ({ ...rest, leak_kinds: [...kinds].sort(compareNames) }))
      .sort((a, b) => b.captures - a.captures || compareNames(a.host, b.host));
    const linked: LinkedIdentifier[] = [...identifiers.values()]
      .filter((id) => id.captures.size > 1)
      .map((id) => ({ kind: id.kind, value: id.value, captures: [...id.captures].sort(compareNames) }))
      .sort((a, b) => compareNames(a.kind, b.kind) || compareNames(a.value, b.value));
    totals.hosts = hostList.length;
    totals.linked_identifiers = linked.length;

    return {
      type: 'aggregate',
      totals,
      hosts: hostList,
      captures: paths.map((p) => this.captures.get(p)!.capture),
      linked_identifiers: linked,
      devices: deviceGroups(linked),
    };
  }
}

function slimHost(h: BatchHostRecord): BatchHostRecord {
  // evidence lists can be long; the aggregate needs kind and value only
  return { ...h, servers: [], leaks: h.leaks.map((l) => ({ kind: l.kind, value: l.value, count: l.count, evidence: [] })) };
}

/** Union-find over captures joined by linked identifiers. */
function deviceGroups(linked: LinkedIdentifier[]): AggregateRecord['devices'] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // path compression keeps later finds short
    while (parent.get(x) !== root) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const id of linked) {
    for (const c of id.captures) if (!parent.has(c)) parent.set(c, c);
    const first = find(id.captures[0]);
    for (const c of id.captures.slice(1)) {
      const r = find(c);
      if (r !== first) parent.set(r, first);
    }
  }
  const groups = new Map<string, { captures: string[]; identifiers: { kind: string; value: string }[] }>();
  for (const c of parent.keys()) {
    const r = find(c);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = { captures: [], identifiers: [] }));
    g.captures.push(c);
  }
  for (const id of linked) groups.get(find(id.captures[0]))!.identifiers.push({ kind: id.kind, value: id.value });
  return [...groups.values()]
    .map((g) => ({ captures: g.captures.sort(compareNames), identifiers: g.identifiers }))
    .sort((a, b) => compareNames(a.captures[0], b.captures[0]));
}
