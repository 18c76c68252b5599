/**
 * The per-flow dispatcher (Zeek's PIA): tries the detection table on a flow's first bytes,
 * creates the analyzer of the first row that matches and forwards it data, gaps, datagrams and
 * the close. It is also the analyzer's context: it binds anomalies to the flow's stream and
 * builds observations' common fields. One instance per flow, created by the flow table.
 */
import type { AnomalyCode, AnomalySink } from '../anomaly.js';
import { formatTimestamp, type PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import type { FlowHandler, FlowInfo } from '../flow/table.js';
import type { Observation, ObservationBase, ObservationDetail } from '../engine/observations.js';
import type { Analyzer, AnalyzerContext, AppProtocol, CaptureContext, DetectionRow, FlowSummaryExtra, PacketTime, SniffResult } from './analyzer.js';
import { createChild } from './child.js';
import { DETECTION_TABLE } from './detection.js';

/** Client bytes inspected for a recognisable protocol before a stream is given up as opaque. */
const DETECTION_WINDOW_BYTES = 8 * 1024;

export class FlowDispatcher implements FlowHandler, AnalyzerContext, AnomalySink {
  protocol: AppProtocol = 'none';
  clientStartLost = false;
  serverSentAfterLoss = false;
  private analyzer: Analyzer | null = null;
  private clientBytesSeen = 0;
  /** the client's first bytes, held while a detection row waits for more of them (bounded by DETECTION_WINDOW_BYTES) */
  private held: Uint8Array | null = null;
  /** TCP bytes handed to the analyzer: the rest is opaque */
  private inspectedBytes = 0;
  /** the packet being analysed, for the anomalies the analyzer reports */
  private meta: PacketMeta | undefined;

  constructor(
    readonly flow: FlowInfo,
    readonly capture: CaptureContext,
    private readonly table: readonly DetectionRow[] = DETECTION_TABLE,
  ) {}

  get limits() {
    return this.capture.limits;
  }
  get keys() {
    return this.capture.keys;
  }
  get anomalies(): AnomalySink {
    return this;
  }

  wants(dir: Dir): boolean {
    return this.analyzer !== null ? this.analyzer.wants(dir) : this.protocol === 'none';
  }

  onData(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    this.meta = meta;
    if (this.analyzer === null) {
      // a row asked for more bytes: the client's next ones are judged joined to those held
      const held = dir === Dir.ToServer ? this.held : null;
      const bytes = held === null ? buf.subarray(from, to) : joinBytes(held, buf.subarray(from, to));
      const found = this.detect('tcp', bytes, dir);
      if (found === true && held !== null) {
        this.held = null;
        this.inspectedBytes += bytes.length;
        this.analyzer!.data(dir, bytes, 0, bytes.length, meta);
        return;
      }
      if (found !== true) {
        if (dir === Dir.ToServer) {
          this.clientBytesSeen += to - from;
          if (this.clientBytesSeen >= DETECTION_WINDOW_BYTES) this.protocol = 'unknown';
          // held bytes are copied: the reassembler's are valid only during this call
          this.held = found === 'more' && this.protocol !== 'unknown' ? bytes.slice() : null;
        } else if (this.clientStartLost) {
          this.serverSentAfterLoss = true;
        }
        return; // otherwise wait for the client to speak first
      }
    }
    this.inspectedBytes += to - from;
    this.analyzer!.data(dir, buf, from, to, meta);
  }

  onGap(dir: Dir, missed: number, meta: PacketMeta): void {
    this.meta = meta;
    if (this.analyzer !== null) this.analyzer.gap(dir, missed, meta);
    else if (dir === Dir.ToServer) this.clientStartLost = true;
    else if (this.clientStartLost) this.serverSentAfterLoss = true;
  }

  onDatagram(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void {
    this.meta = meta;
    if (this.analyzer === null && this.detect('udp', bytes, dir) !== true) {
      this.protocol = 'unknown';
      return;
    }
    this.analyzer!.datagram(dir, bytes, meta);
  }

  onClose(flow: FlowInfo): void {
    const meta: PacketMeta = { frame: flow.lastFrame, tsSec: flow.lastSec, tsNsec: flow.lastNsec, wireLen: 0 };
    this.meta = meta;
    // a retransmitted copy of bytes already counted is not a second, unread part of the stream
    const opaque = Math.max(0, flow.payloadToServer + flow.payloadToClient - flow.retransmittedBytes - this.inspectedBytes);
    const summary: FlowSummaryExtra = {
      protocol: this.protocol,
      opaqueBytes: opaque,
      opaqueReason: opaque === 0 ? null : this.analyzer !== null ? 'not_parsed' : 'unrecognised_protocol',
    };
    this.analyzer?.close(summary, meta);
    this.capture.flowClosed(flow, summary);
  }

  /**
   * The first row of `transport` that recognises the bytes: its analyzer is created. `'more'`
   * when none does yet but a TCP row needs more bytes to tell.
   */
  private detect(transport: 'tcp' | 'udp', bytes: Uint8Array, dir: Dir): SniffResult {
    if (this.protocol === 'unknown' && transport === 'tcp') return false;
    let more = false;
    for (const row of this.table) {
      if (row.transport !== transport) continue;
      const r = row.sniff(bytes, dir, this);
      if (r === 'more') {
        more ||= transport === 'tcp';
        continue;
      }
      if (!r) continue;
      this.protocol = row.name;
      this.analyzer = row.create(this);
      return true;
    }
    return more ? 'more' : false;
  }

  // --- AnalyzerContext --------------------------------------------------------------

  anomaly(code: AnomalyCode, offset: number, detail?: string): void {
    this.capture.anomalies.anomaly(code, offset, detail, this.flow, this.meta);
  }

  base(dir: Dir, at: PacketTime): ObservationBase {
    const f = this.flow;
    const fromClient = dir === Dir.ToServer;
    const base: ObservationBase = {
      file: this.capture.file,
      frame: at.frame,
      ts: formatTimestamp(at.tsSec, at.tsNsec),
      src: fromClient ? f.client : f.server,
      sport: fromClient ? f.clientPort : f.serverPort,
      dst: fromClient ? f.server : f.client,
      dport: fromClient ? f.serverPort : f.clientPort,
      stream: f.id,
    };
    // the app a PCAPdroid capture names for the flow
    if (f.app !== null) base.app = f.app;
    return base;
  }

  emit(obs: Observation, detail?: ObservationDetail): void {
    this.capture.emit(obs, detail);
  }

  child(name: string, fields?: Readonly<Record<string, unknown>>): Analyzer {
    return createChild(this.table, name, this, fields);
  }
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
