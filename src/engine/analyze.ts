/**
 * The main job as a library call: captures in, per-host records out. Commands and tests call
 * this; it does no printing.
 */
import { resolveLimits, type Limits } from '../limits.js';
import { SignatureDb } from '../signatures/db.js';
import type { Identifier } from '../leaks/detect.js';
import { NULL_GEO, type GeoLookup, type GeoSource } from '../../geo/lookup.js';
import { scanCapture } from './scan.js';
import type { HostRecord, HostServer } from './hosts.js';
import { ReportStage } from './report-stage.js';
import { redactHosts } from './redact.js';
import { TOOL_VERSION } from '../version.js';
import type { NotDecoded } from './not-decoded.js';

export interface AnalyzeOptions {
  limits?: Limits;
  signatures?: SignatureDb;
  geo?: GeoLookup;
  identifiers?: Identifier[];
  allHosts?: boolean;
  vendor?: string;
  /** replace leaked values by salted hashes; the salt makes reports comparable when reused */
  redact?: { salt: string };
  onProgress?: (file: string, bytesRead: number, totalBytes: number | null) => void;
  /** stop reading when aborted (Ctrl-C): what was read is reported, the capture marked interrupted, later ones not read */
  stop?: AbortSignal;
}

export interface CaptureStatus {
  file: string;
  sha256: string | null;
  packets: number;
  status: 'ok' | 'partial' | 'error';
  message?: string;
  damage?: { offset: number; frame: number; expected: string };
  /** packets that could not be looked into, per link type and reason: status 'partial' */
  not_decoded?: NotDecoded[];
  /** reading was stopped (Ctrl-C) after `packets` packets: status 'partial', message "interrupted after N packets" */
  interrupted?: true;
  anomalies: Record<string, number>;
}

export interface AnalyzeHeader {
  tool: string;
  version: string;
  signatures: { version: string; packs: { name: string; version: string; count: number }[] };
  geo: GeoSource[];
  captures: CaptureStatus[];
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
  const agg = new ReportStage({ signatures, limits, identifiers: options.identifiers });
  const captures: CaptureStatus[] = [];

  for (const { name, source } of inputs) {
    if (options.stop?.aborted) break;
    agg.beginCapture(name);
    try {
      const res = await scanCapture(source, {
        name,
        limits,
        onObservation: (obs, detail) => agg.observe(obs, detail),
        onFlowClose: (flow, extra) => agg.flowClosed(flow, extra),
        onProgress: options.onProgress ? (d, t) => options.onProgress!(name, d, t) : undefined,
        stop: options.stop,
      });
      agg.endCapture(res.read.sha256);
      const status: CaptureStatus = {
        file: name,
        sha256: res.read.sha256,
        packets: res.read.frames,
        status: res.read.damage || res.read.interrupted || res.notDecoded.length > 0 ? 'partial' : 'ok',
        anomalies: res.anomalies.countsObject(),
      };
      if (res.read.damage) status.damage = { ...res.read.damage };
      if (res.notDecoded.length > 0) status.not_decoded = res.notDecoded;
      if (res.read.interrupted) {
        status.interrupted = true;
        status.message = interruptedMessage(res.read.frames);
      }
      captures.push(status);
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'CaptureFormatError') throw err;
      captures.push({ file: name, sha256: null, packets: 0, status: 'error', message: err.message, anomalies: {} });
    }
  }

  const lookup = (ip: string): HostServer => {
    const g = geo.lookup(ip);
    const s: HostServer = { ip, country: g.country, city: g.city, asn: g.asn, org: g.org };
    if (g.special) s.special = g.special;
    return s;
  };
  let hosts = agg.records({ allHosts: options.allHosts, vendor: options.vendor, geo: lookup });
  if (options.redact) hosts = redactHosts(hosts, options.redact.salt);
  return {
    header: {
      tool: 'leakscope',
      version: TOOL_VERSION,
      signatures: { version: signatures.version, packs: signatures.packs },
      geo: geo.sources,
      captures,
    },
    hosts,
  };
}

/** How a capture whose reading was stopped is described, in the report and on stderr. */
export function interruptedMessage(packets: number): string {
  return `interrupted after ${packets} packets`;
}
