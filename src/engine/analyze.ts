/**
 * The main job as a library call: captures in, per-host records out. Commands and tests call
 * this; it does no printing.
 */
import { resolveLimits, type Limits } from '../limits.js';
import { SignatureDb } from '../signatures/db.js';
import type { Identifier } from '../leaks/detect.js';
import { NULL_GEO, type GeoLookup, type GeoSource } from '../../geo/lookup.js';
import { scanCapture } from './scan.js';
import { EMBEDDED_SOURCE, type KeyStore } from '../decrypt/key-sources.js';
import type { HostRecord, HostServer } from './hosts.js';
import { ReportStage } from './report-stage.js';
import { redactHosts } from './redact.js';
import { TOOL_VERSION } from '../version.js';
import type { NotDecoded } from './not-decoded.js';
import { formatTimestamp } from '../capture/frame.js';
import type { ExperimentWindow } from './windows.js';
import type { Observation } from './observations.js';

export interface AnalyzeOptions {
  limits?: Limits;
  signatures?: SignatureDb;
  geo?: GeoLookup;
  identifiers?: Identifier[];
  allHosts?: boolean;
  vendor?: string;
  /** replace leaked values by salted hashes; the salt makes reports comparable when reused */
  redact?: { salt: string };
  /** experiment windows (--window) every finding is tagged with */
  windows?: readonly ExperimentWindow[];
  /** the run's key log files (--keylog); keys embedded in each capture are used as well */
  keyStore?: KeyStore;
  /** use keys embedded in the captures (pcapng Decryption Secrets Blocks); default true */
  embeddedKeys?: boolean;
  onProgress?: (file: string, bytesRead: number, totalBytes: number | null) => void;
  /** every observation, after the host aggregation has seen it (e.g. the HTML timeline's request times) */
  onObservation?: (obs: Observation) => void;
  /** stop reading when aborted (Ctrl-C): what was read is reported, the capture marked interrupted, later ones not read */
  stop?: AbortSignal;
}

export interface CaptureStatus {
  file: string;
  sha256: string | null;
  packets: number;
  /** the first frame's timestamp (offsets in --window count from it) and the latest one */
  first_packet: string | null;
  last_packet: string | null;
  status: 'ok' | 'partial' | 'error';
  message?: string;
  damage?: { offset: number; frame: number; expected: string };
  /** packets that could not be looked into, per link type and reason: status 'partial' */
  not_decoded?: NotDecoded[];
  /** reading was stopped (Ctrl-C) after `packets` packets: status 'partial', message "interrupted after N packets" */
  interrupted?: true;
  anomalies: Record<string, number>;
  /** TLS/QUIC connections by what decryption came to; null when no keys were available */
  decryption?: { decrypted: number; no_key: number; failed: number } | null;
}

/** A key source as the report header names it, and what it did for the run. */
export interface KeySourceReport {
  /** the key log's path, or "embedded in the capture" */
  source: string;
  /** SHA-256 of the key log file; for embedded keys, the capture they were embedded in */
  sha256: string | null;
  capture: string | null;
  /** connections the source holds secrets for */
  sessions: number;
  /** the run's TLS and QUIC connections it opened, of `connections` */
  opened: number;
  connections: number;
  /** key log lines skipped (malformed, read leniently) */
  skipped_lines: number;
}

export interface AnalyzeHeader {
  tool: string;
  version: string;
  signatures: { version: string; packs: { name: string; version: string; count: number }[] };
  geo: GeoSource[];
  captures: CaptureStatus[];
  /** the key sources decryption used (empty when none were given or embedded) */
  keys: KeySourceReport[];
  /** the experiment windows findings were tagged with, as given (only when some were) */
  windows?: { label: string; start: string; end: string }[];
}

export interface AnalyzeResult {
  header: AnalyzeHeader;
  hosts: HostRecord[];
}

export type CaptureSource = { name: string; source: string | NodeJS.ReadableStream };

/**
 * Analyzes captures together (hosts merge across them). A capture that is not a capture at all
 * is recorded with status 'error' and the others go on; callers decide the exit code.
 */
export async function analyzeCaptures(inputs: CaptureSource[], options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const limits = options.limits ?? resolveLimits();
  const signatures = options.signatures ?? SignatureDb.bundled();
  const geo = options.geo ?? NULL_GEO;
  const agg = new ReportStage({ signatures, limits, identifiers: options.identifiers, windows: options.windows });
  const captures: CaptureStatus[] = [];
  const keys: KeySourceReport[] = [];
  // TLS and QUIC connections of the run: what each key source opened is said "of" these
  let encryptedConnections = 0;

  for (const { name, source } of inputs) {
    if (options.stop?.aborted) break;
    agg.beginCapture(name);
    const decryption = { decrypted: 0, no_key: 0, failed: 0 };
    let decryptionSeen = false;
    try {
      const res = await scanCapture(source, {
        name,
        limits,
        keyStore: options.keyStore,
        embeddedKeys: options.embeddedKeys,
        onObservation: options.onObservation
          ? (obs, detail) => {
              agg.observe(obs, detail);
              options.onObservation!(obs);
            }
          : (obs, detail) => agg.observe(obs, detail),
        onFlowClose: (flow, extra) => {
          if (extra.protocol === 'tls' || extra.protocol === 'quic') encryptedConnections++;
          if (extra.decryption) {
            decryption[extra.decryption]++;
            decryptionSeen = true;
          }
          agg.flowClosed(flow, extra);
        },
        onStart: (sec, nsec) => agg.captureStarted(sec, nsec),
        onProgress: options.onProgress ? (d, t) => options.onProgress!(name, d, t) : undefined,
        stop: options.stop,
      });
      agg.endCapture(res.read.sha256);
      const status: CaptureStatus = {
        file: name,
        sha256: res.read.sha256,
        packets: res.read.frames,
        first_packet: res.span ? formatTimestamp(res.span.firstSec, res.span.firstNsec) : null,
        last_packet: res.span ? formatTimestamp(res.span.lastSec, res.span.lastNsec) : null,
        status: res.read.damage || res.read.interrupted || res.notDecoded.length > 0 ? 'partial' : 'ok',
        anomalies: res.anomalies.countsObject(),
        decryption: decryptionSeen || res.keySources.length > 0 ? decryption : null,
      };
      if (res.read.damage) status.damage = { ...res.read.damage };
      if (res.notDecoded.length > 0) status.not_decoded = res.notDecoded;
      if (res.read.interrupted) {
        status.interrupted = true;
        status.message = interruptedMessage(res.read.frames);
      }
      for (const k of res.keySources) {
        if (k.name !== EMBEDDED_SOURCE) continue;
        keys.push({ source: k.name, sha256: null, capture: name, sessions: k.sessions, opened: k.opened, connections: 0, skipped_lines: k.counts.malformed });
      }
      captures.push(status);
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'CaptureFormatError') throw err;
      captures.push({ file: name, sha256: null, packets: 0, first_packet: null, last_packet: null, status: 'error', message: err.message, anomalies: {} });
    }
  }

  const lookup = (ip: string): HostServer => {
    const g = geo.lookup(ip);
    const s: HostServer = { ip, country: g.country, city: g.city, asn: g.asn, org: g.org };
    if (g.special) s.special = g.special;
    // the city's coordinates, where the database has them: the HTML report's map places the server there
    if (typeof g.latitude === 'number' && typeof g.longitude === 'number') {
      s.latitude = Math.round(g.latitude * 1e4) / 1e4;
      s.longitude = Math.round(g.longitude * 1e4) / 1e4;
    }
    return s;
  };
  // the key log files are shared by the run: their counts are the run's
  const fileKeys: KeySourceReport[] = (options.keyStore?.sources() ?? []).map((k) => ({
    source: k.name,
    sha256: k.sha256,
    capture: null,
    sessions: k.sessions,
    opened: k.opened,
    connections: 0,
    skipped_lines: k.counts.malformed,
  }));
  keys.unshift(...fileKeys);
  for (const k of keys) k.connections = encryptedConnections;
  let hosts = agg.records({ allHosts: options.allHosts, vendor: options.vendor, geo: lookup });
  if (options.redact) hosts = redactHosts(hosts, options.redact.salt);
  const header: AnalyzeHeader = {
    tool: 'leakscope',
    version: TOOL_VERSION,
    signatures: { version: signatures.version, packs: signatures.packs },
    geo: geo.sources,
    captures,
    keys,
  };
  if (options.windows?.length) header.windows = options.windows.map((w) => ({ label: w.label, start: w.start.text, end: w.end.text }));
  return { header, hosts };
}

/** How a capture whose reading was stopped is described, in the report and on stderr. */
export function interruptedMessage(packets: number): string {
  return `interrupted after ${packets} packets`;
}
