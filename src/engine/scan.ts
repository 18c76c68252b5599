/**
 * The capture pipeline: reader → packet decoder → flow table → application handlers →
 * observations. Asynchronous per chunk of the file (inside the reader), synchronous per packet.
 */
import { AnomalyLog } from '../anomaly.js';
import { resolveLimits, type Limits } from '../limits.js';
import { readCapture, type ReadSummary } from '../capture/reader.js';
import type { Frame } from '../capture/frame.js';
import { PacketDecoder, type LayerCounts } from '../decode/decoder.js';
import { FlowTable, type FlowInfo } from '../flow/table.js';
import { StreamDumper } from '../flow/dump.js';
import { QuicInitialTracker } from '../proto/quic.js';
import { AppHandler, type FlowSummaryExtra, type ScanContext } from './app-handler.js';
import type { Observation, ObservationDetail } from './observations.js';
import { MemoryGovernor } from './memory.js';

export interface ScanOptions {
  /** name used in records (defaults to the path, '-' for standard input) */
  name?: string;
  limits?: Limits;
  /** decode only as far as TCP/UDP (for `info`): no flows, no observations */
  decodeOnly?: boolean;
  onObservation?: (obs: Observation, detail?: ObservationDetail) => void;
  onFlowClose?: (flow: FlowInfo, extra: FlowSummaryExtra) => void;
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  /** called once, with the first frame's timestamp, before that frame is decoded */
  onStart?: (tsSec: number, tsNsec: number) => void;
  signal?: AbortSignal;
  /** write each TCP direction's reassembled bytes into this folder (tcpflow-style names) */
  dumpDir?: string;
  /** compute the file's SHA-256 (default true); `events` and `streams` print none, so they skip it */
  sha256?: boolean;
}

export interface ScanResult {
  name: string;
  read: ReadSummary;
  layers: LayerCounts;
  anomalies: AnomalyLog;
  tcpStreams: number;
  udpFlows: number;
  /** the first frame's timestamp and the latest one; null for a capture without frames */
  span: { firstSec: number; firstNsec: number; lastSec: number; lastNsec: number } | null;
}

/**
 * Reads one capture and runs it through the pipeline. Throws CaptureFormatError when the
 * source is not a capture at all; damage part-way is reported in `read.damage` instead.
 */
export async function scanCapture(source: string | NodeJS.ReadableStream, options: ScanOptions = {}): Promise<ScanResult> {
  const name = options.name ?? (typeof source === 'string' ? source : '-');
  const limits = options.limits ?? resolveLimits();
  const anomalies = new AnomalyLog(limits.maxAnomaliesKept);
  const decoder = new PacketDecoder(limits, anomalies);

  let flows: FlowTable | undefined;
  let dumper: StreamDumper | undefined;
  if (!options.decodeOnly) {
    const ctx: ScanContext = {
      file: name,
      limits,
      anomalies,
      quic: new QuicInitialTracker(limits, anomalies),
      emit: options.onObservation ?? (() => {}),
      flowClosed: options.onFlowClose ?? (() => {}),
    };
    dumper = options.dumpDir ? new StreamDumper(options.dumpDir) : undefined;
    flows = new FlowTable(limits, anomalies, (flow) => {
      const app = new AppHandler(flow, ctx);
      return dumper && flow.proto === 'tcp' ? dumper.handler(flow, app) : app;
    });
  }

  const governor = new MemoryGovernor(limits.heapSoftLimitMB * 1024 * 1024);
  let span: ScanResult['span'] = null;
  const onFrame = (frame: Frame): void => {
    governor.tick();
    if (span === null) {
      span = { firstSec: frame.tsSec, firstNsec: frame.tsNsec, lastSec: frame.tsSec, lastNsec: frame.tsNsec };
      options.onStart?.(frame.tsSec, frame.tsNsec);
    } else if (frame.tsSec > span.lastSec || (frame.tsSec === span.lastSec && frame.tsNsec > span.lastNsec)) {
      span.lastSec = frame.tsSec;
      span.lastNsec = frame.tsNsec;
    }
    try {
      const pkt = decoder.decode(frame.buf, frame.linkType, frame.tsSec, frame.offset, frame.offset + frame.caplen);
      if (flows && pkt.transportOk) flows.onPacket(pkt, frame.index, frame.tsSec, frame.tsNsec, frame.origlen);
    } catch (err) {
      // A bug of ours must not cost the rest of the capture (gopacket's panicToError).
      anomalies.anomaly('internal_decoder_error', 0, err instanceof Error ? err.message : String(err));
    }
  };

  const read = await readCapture(source, onFrame, {
    anomalies,
    limits,
    name,
    onProgress: options.onProgress,
    signal: options.signal,
    sha256: options.sha256,
  });
  anomalies.packet = 0;
  try {
    flows?.finish();
  } catch (err) {
    anomalies.anomaly('internal_decoder_error', 0, err instanceof Error ? err.message : String(err));
  } finally {
    dumper?.closeAll();
  }
  return {
    name,
    read,
    layers: decoder.counts,
    anomalies,
    tcpStreams: flows?.stats.tcpStreams ?? 0,
    udpFlows: flows?.stats.udpFlows ?? 0,
    span,
  };
}
