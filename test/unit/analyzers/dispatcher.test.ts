/**
 * The dispatcher and the detection table on a real capture (../shared/captures/http_mixed.pcap):
 * detection picks the analyzer by content, and an analyzer can drive a child analyzer of the
 * table whose observations carry the fields the parent names (how TLS will hand decrypted
 * bytes to `http`, QUIC its streams to `http3`).
 */
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import type { PacketMeta } from '../../../src/capture/frame.js';
import { Dir } from '../../../src/flow/dir.js';
import { FlowTable, type FlowInfo } from '../../../src/flow/table.js';
import { resolveLimits } from '../../../src/limits.js';
import { looksLikeHttpRequest } from '../../../src/proto/http1.js';
import type { Analyzer, AnalyzerContext, CaptureContext, DetectionRow, FlowSummaryExtra } from '../../../src/analyzers/analyzer.js';
import { DETECTION_TABLE } from '../../../src/analyzers/detection.js';
import { FlowDispatcher } from '../../../src/analyzers/dispatcher.js';
import type { Observation } from '../../../src/engine/observations.js';
import { sharedCapture } from '../../helpers/paths.js';
import { decodeSimple, readPcapFrames } from '../flow/helpers.js';

interface Run {
  observations: Observation[];
  summaries: FlowSummaryExtra[];
}

/** The capture through the real decoder, flow table and dispatcher, with `table` as the detection table. */
function run(file: string, table: readonly DetectionRow[]): Run {
  const limits = resolveLimits();
  const anomalies = new AnomalyLog();
  const out: Run = { observations: [], summaries: [] };
  const state = new Map<string, unknown>();
  const capture: CaptureContext = {
    file: 'x',
    limits,
    anomalies,
    keys: undefined,
    emit: (o) => out.observations.push(o),
    flowClosed: (_f: FlowInfo, s) => out.summaries.push(s),
    shared: <T>(k: string, make: () => T) => (state.has(k) ? state.get(k) : state.set(k, make()).get(k)) as T,
  };
  const flows = new FlowTable(limits, anomalies, (flow) => new FlowDispatcher(flow, capture, table));
  const meta: PacketMeta = { frame: 0, tsSec: 0, tsNsec: 0, wireLen: 0 };
  readPcapFrames(file).forEach((fr, i) => {
    const p = decodeSimple(fr.data, fr.linkType);
    if (!p) return;
    Object.assign(meta, { frame: i + 1, tsSec: fr.tsSec, tsNsec: fr.tsNsec, wireLen: fr.origlen });
    flows.onPacket(p, meta);
  });
  flows.finish();
  return out;
}

/** A carrier that recognises HTTP and hands every byte, as it came, to an `http` child. */
class Carrier implements Analyzer {
  private readonly inner: Analyzer;
  constructor(ctx: AnalyzerContext) {
    this.inner = ctx.child('http', { carrier: 'test', http_version: '1.1' });
  }
  data(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    this.inner.data(dir, buf, from, to, meta);
  }
  gap(dir: Dir, missed: number, meta: PacketMeta): void {
    this.inner.gap(dir, missed, meta);
  }
  datagram(): void {}
  wants(dir: Dir): boolean {
    return this.inner.wants(dir);
  }
  close(summary: FlowSummaryExtra, meta: PacketMeta): void {
    this.inner.close(summary, meta);
  }
}

const CARRIER_ROW: DetectionRow = {
  name: 'carrier',
  transport: 'tcp',
  sniff: (b, dir) => dir === Dir.ToServer && looksLikeHttpRequest(b, 0, b.length),
  create: (ctx) => new Carrier(ctx),
};

describe('FlowDispatcher', () => {
  const file = sharedCapture('http_mixed.pcap');
  const plain = run(file, DETECTION_TABLE);

  it('detects HTTP by content and reports its requests and responses', () => {
    expect(plain.observations.filter((o) => o.type === 'http').length).toBeGreaterThan(0);
    expect(plain.observations.filter((o) => o.type === 'http_response').length).toBeGreaterThan(0);
    expect(plain.summaries.some((s) => s.protocol === 'http')).toBe(true);
  });

  it('lets an analyzer drive a child of the table: the same observations, with the fields the parent names', () => {
    const nested = run(file, [CARRIER_ROW, ...DETECTION_TABLE]);
    const http = (r: Run) => r.observations.filter((o) => o.type === 'http' || o.type === 'http_response');
    expect(http(nested)).toEqual(http(plain).map((o) => ({ ...o, carrier: 'test', http_version: '1.1' })));
    expect(nested.summaries.filter((s) => s.protocol === 'carrier').length).toBe(plain.summaries.filter((s) => s.protocol === 'http').length);
  });

  it('names a flow no row recognises `unknown`, and its bytes opaque', () => {
    const none = run(file, []);
    expect(none.observations).toEqual([]);
    const withBytes = none.summaries.filter((s) => s.opaqueBytes > 0);
    expect(withBytes.length).toBeGreaterThan(0);
    for (const s of withBytes) expect(s).toMatchObject({ opaqueReason: 'unrecognised_protocol' });
  });
});
