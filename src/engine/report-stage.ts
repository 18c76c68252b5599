/**
 * The report stage of a run: each observation's HTTP request inspected (findings.ts: signatures
 * and leaks), and everything aggregated per host (hosts.ts, which only aggregates). What
 * `analyzeCaptures` feeds a capture's observations and closed flows into.
 */
import type { Limits } from '../limits.js';
import type { FlowInfo } from '../flow/table.js';
import type { FlowSummaryExtra } from '../analyzers/analyzer.js';
import type { Identifier } from '../leaks/detect.js';
import type { SignatureDb } from '../signatures/db.js';
import { RequestInspector } from './findings.js';
import { HostAggregator, type HostRecord, type HostServer } from './hosts.js';
import type { Observation, ObservationDetail } from './observations.js';
import type { ExperimentWindow } from './windows.js';

export interface ReportStageOptions {
  signatures: SignatureDb;
  limits: Limits;
  identifiers?: Identifier[];
  /** experiment windows findings are tagged with */
  windows?: readonly ExperimentWindow[];
}

export class ReportStage {
  private readonly hosts: HostAggregator;
  private readonly inspector: RequestInspector;

  constructor(opts: ReportStageOptions) {
    const { signatures, limits } = opts;
    this.hosts = new HostAggregator({ limits, hostSignatures: (name) => signatures.matchHost(name), windows: opts.windows });
    this.inspector = new RequestInspector(opts);
  }

  /** Starts a new capture (flow ids restart; names learnt from DNS carry over). */
  beginCapture(file: string): void {
    this.hosts.beginCapture(file);
  }

  /** The current capture's first packet: offsets in --window count from it. */
  captureStarted(tsSec: number, tsNsec: number): void {
    this.hosts.captureStarted(tsSec, tsNsec);
  }

  endCapture(sha256: string): void {
    this.hosts.endCapture(sha256);
  }

  observe(obs: Observation, detail?: ObservationDetail): void {
    this.hosts.observe(obs, detail && { dns: detail.dns, findings: detail.http && this.inspector.inspect(detail.http) });
  }

  flowClosed(flow: FlowInfo, extra: FlowSummaryExtra): void {
    this.hosts.flowClosed(flow, extra);
  }

  records(opts: { allHosts?: boolean; vendor?: string; geo?: (ip: string) => HostServer } = {}): HostRecord[] {
    return this.hosts.records(opts);
  }
}
