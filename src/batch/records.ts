/**
 * The records `leakscope batch` writes, one JSON object per line. For every capture: a
 * `capture` record followed by its `host` records (the objects `analyze --format ndjson` prints
 * for that file alone, plus `capture`), or a lone `error` record; at the end one `aggregate`.
 */
import { safeJson } from '../report/escape.js';
import type { AnalyzeResult } from '../engine/analyze.js';
import type { HostRecord } from '../engine/hosts.js';
import type { NotDecoded } from '../engine/not-decoded.js';

export interface CaptureRecord {
  type: 'capture';
  /** the capture's path as given (tar members: `archive.tar:inner/path.pcap`) */
  capture: string;
  sha256: string;
  packets: number;
  /** number of host records that follow */
  hosts: number;
  /** leaked values over all its hosts */
  leaks: number;
  status: 'ok' | 'partial';
  /** where reading stopped (status partial) */
  damage?: { offset: number; frame: number; expected: string };
  /** packets that could not be looked into (status partial) */
  not_decoded?: NotDecoded[];
  /** TLS/QUIC connections by what decryption came to, when keys were available (--keylog, or embedded) */
  decryption?: { decrypted: number; no_key: number; failed: number };
}

export interface BatchErrorRecord {
  type: 'error';
  capture: string;
  message: string;
}

export type BatchHostRecord = HostRecord & { capture: string };

/** One capture's records: what a worker sends back and what the output file holds contiguously. */
export interface CaptureResultSet {
  capture: CaptureRecord | BatchErrorRecord;
  hosts: BatchHostRecord[];
}

/** The result of analysing one capture alone, as batch records. */
export function resultSetFrom(name: string, result: AnalyzeResult): CaptureResultSet {
  const status = result.header.captures[0];
  if (!status || status.status === 'error' || status.sha256 === null) {
    return { capture: errorRecord(name, status?.message ?? 'not a capture'), hosts: [] };
  }
  const record: CaptureRecord = {
    type: 'capture',
    capture: name,
    sha256: status.sha256,
    packets: status.packets,
    hosts: result.hosts.length,
    leaks: result.hosts.reduce((n, h) => n + h.leaks.length, 0),
    status: status.status,
  };
  if (status.damage) record.damage = { ...status.damage };
  if (status.not_decoded) record.not_decoded = status.not_decoded;
  if (status.decryption) record.decryption = { ...status.decryption };
  return { capture: record, hosts: result.hosts.map((h) => ({ ...h, capture: name })) };
}

export function errorRecord(capture: string, message: string): BatchErrorRecord {
  return { type: 'error', capture, message };
}

/** The set without evidence lists and server details: what the aggregate needs, cheap to pass between threads. */
export function slimResultSet(set: CaptureResultSet): CaptureResultSet {
  return {
    capture: set.capture,
    hosts: set.hosts.map((h) => ({ ...h, servers: [], leaks: h.leaks.map((l) => ({ kind: l.kind, value: l.value, count: l.count, evidence: [] })) })),
  };
}

/** The set as NDJSON lines, ready for one write (so sets never interleave in the output). */
export function resultSetLines(set: CaptureResultSet): string {
  let text = safeJson(set.capture) + '\n';
  for (const h of set.hosts) text += safeJson(h) + '\n';
  return text;
}
