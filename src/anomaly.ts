/**
 * Anomalies: problems found in the input, reported as data (Zeek "weirds", Wireshark expert
 * info). Decoders never throw for bad packet data and never log; they call `ctx.anomaly()`.
 *
 * Codes are named `<proto>_<problem>[_<detail>]` and each has a one-line description. Each
 * area keeps its table beside its code (capture/anomalies.ts, decode/anomalies.ts, …); this
 * module joins them so docs and `--help` can list every code.
 */
import { CAPTURE_ANOMALIES } from './capture/anomalies.js';
import { DECODE_ANOMALIES } from './decode/anomalies.js';
import { FLOW_ANOMALIES } from './flow/anomalies.js';
import { PROTO_ANOMALIES } from './proto/anomalies.js';
import { LEAK_ANOMALIES } from './leaks/anomalies.js';
import type { PacketMeta } from './capture/frame.js';
import { DECRYPT_ANOMALIES } from './decrypt/anomalies.js';

export const ANOMALY_CODES = {
  internal_decoder_error: 'a decoder threw unexpectedly; the packet was skipped (a bug in leakscope)',
  limit_reached: 'a resource cap from limits.ts was hit; detail names the limit',
  ...CAPTURE_ANOMALIES,
  ...DECODE_ANOMALIES,
  ...FLOW_ANOMALIES,
  ...PROTO_ANOMALIES,
  ...LEAK_ANOMALIES,
  ...DECRYPT_ANOMALIES,
} as const;

export type AnomalyCode = keyof typeof ANOMALY_CODES;

/** The flow an anomaly belongs to (the flow table's FlowInfo is one). */
export interface FlowRef {
  /** TCP stream / UDP flow id (counted per protocol) */
  readonly id: number;
  readonly proto: 'tcp' | 'udp';
  readonly client: string;
  readonly clientPort: number;
  readonly server: string;
  readonly serverPort: number;
}

export interface Anomaly {
  code: AnomalyCode;
  /** 1-based frame number the problem was found in; 0 when it is about the file itself */
  packet: number;
  /** byte offset: in the capture file for capture anomalies, else within the frame or stream */
  offset: number;
  /** TCP/UDP stream id when the problem belongs to a stream */
  stream?: number;
  /** the stream's protocol (TCP and UDP ids are counted apart) */
  proto?: 'tcp' | 'udp';
  detail?: string;
}

/**
 * Where decoders report problems. One instance per capture; `packet` is set by the loop.
 * `flow` binds the problem to its stream; `meta` names the packet when it is not the one the
 * loop is reading (bytes delivered at a flow's close, at the end of the capture).
 */
export interface AnomalySink {
  anomaly(code: AnomalyCode, offset: number, detail?: string, flow?: FlowRef, meta?: PacketMeta): void;
}

/** Told of each anomaly the log keeps (within maxAnomaliesKept), with where it happened. */
export type AnomalyListener = (a: Anomaly, flow: FlowRef | undefined, meta: PacketMeta | undefined) => void;

/**
 * Collects anomalies with per-code counts. Keeps at most `maxKept` records (the counts stay
 * exact), so a hostile capture cannot grow memory through anomalies.
 */
export class AnomalyLog implements AnomalySink {
  packet = 0;
  readonly counts = new Map<AnomalyCode, number>();
  readonly kept: Anomaly[] = [];

  /** told of each kept anomaly (the scan turns them into `anomaly` observations) */
  listener: AnomalyListener | null = null;

  constructor(private readonly maxKept = 10_000) {}

  anomaly(code: AnomalyCode, offset: number, detail?: string, flow?: FlowRef, meta?: PacketMeta): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    if (this.kept.length < this.maxKept) {
      const a: Anomaly = { code, packet: meta !== undefined ? meta.frame : this.packet, offset };
      if (flow !== undefined) {
        a.stream = flow.id;
        a.proto = flow.proto;
      }
      if (detail !== undefined) a.detail = detail;
      this.kept.push(a);
      this.listener?.(a, flow, meta);
    }
  }

  /** counts as a plain object with codes in sorted order (stable output) */
  countsObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const code of [...this.counts.keys()].sort()) out[code] = this.counts.get(code)!;
    return out;
  }

  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

/** A sink that drops everything (for callers that do not care). */
export const IGNORE_ANOMALIES: AnomalySink = { anomaly() {} };
