/**
 * The capture pipeline: reader → packet decoder → flow table → analyzers (src/analyzers/) →
 * observations. Asynchronous per chunk of the file (inside the reader), synchronous per packet.
 */
import { AnomalyLog, type Anomaly, type FlowRef } from '../anomaly.js';
import { resolveLimits, type Limits } from '../limits.js';
import { readCapture, type ReadSummary } from '../capture/reader.js';
import { formatTimestamp, type Frame, type PacketMeta } from '../capture/frame.js';
import { PacketDecoder, type LayerCounts } from '../decode/decoder.js';
import type { KeyLookup } from '../decrypt/key-store.js';
import { CaptureKeys, EMBEDDED_SOURCE, type KeySourceStats, type KeyStore } from '../decrypt/key-sources.js';
import { readEmbeddedSecrets } from '../decrypt/embedded.js';
import { FlowTable, type FlowInfo } from '../flow/table.js';
import { DumpWriteError, StreamDumper } from '../flow/dump.js';
import type { CaptureContext, FlowSummaryExtra } from '../analyzers/analyzer.js';
import { FlowDispatcher } from '../analyzers/dispatcher.js';
import type { AnomalyObservation, Observation, ObservationDetail } from './observations.js';
import { keepYoungGenerationSmall, MemoryGovernor } from './memory.js';
import { notDecoded, type NotDecoded } from './not-decoded.js';

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
  /** stop reading when aborted (Ctrl-C): the flows read so far are finished and reported, `read.interrupted` is set */
  stop?: AbortSignal;
  /** write each TCP direction's reassembled bytes into this folder (tcpflow-style names) */
  dumpDir?: string;
  /** compute the file's SHA-256 (default true); `events` and `streams` print none, so they skip it */
  sha256?: boolean;
  /** key material the analyzers may decrypt with (TLS and QUIC secrets by ClientHello random); replaces the two below */
  keys?: KeyLookup;
  /** the run's key log files (--keylog), joined with the capture's embedded keys */
  keyStore?: KeyStore;
  /** use keys embedded in the capture (pcapng Decryption Secrets Blocks); default true */
  embeddedKeys?: boolean;
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
  /** frames that could not be looked into (unsupported link type, encrypted Wi-Fi): the capture is partial */
  notDecoded: NotDecoded[];
  /** the key sources this capture was decrypted with (empty when there were none) */
  keySources: KeySourceStats[];
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
  const captureKeys = options.keys === undefined && !options.decodeOnly ? await prepareCaptureKeys(source, options, limits) : undefined;
  // no key anywhere (and none can arrive later, as from a stream): the analyzers are given none
  const keys = options.keys ?? (captureKeys !== undefined && (!captureKeys.empty || captureKeys.streamed) ? captureKeys : undefined);
  const sourceKeys = options.keys instanceof CaptureKeys ? options.keys : captureKeys;
  // decrypting makes garbage at a rate that grows V8's young generation: memory.ts
  if (keys !== undefined) keepYoungGenerationSmall();

  // the packet being read, handed down the pipeline (one reused object)
  const meta: PacketMeta = { frame: 0, tsSec: 0, tsNsec: 0, wireLen: 0 };
  let flows: FlowTable | undefined;
  let dumper: StreamDumper | undefined;
  if (!options.decodeOnly) {
    const emit = options.onObservation ?? (() => {});
    const shared = new Map<string, unknown>();
    const capture: CaptureContext = {
      file: name,
      limits,
      anomalies,
      keys,
      emit,
      flowClosed: options.onFlowClose ?? (() => {}),
      shared: <T>(key: string, make: () => T): T => {
        if (!shared.has(key)) shared.set(key, make());
        return shared.get(key) as T;
      },
    };
    if (options.onObservation) {
      anomalies.listener = (a, flow, at) => emit(anomalyObservation(name, a, flow, at ?? (a.packet === meta.frame ? meta : undefined)));
    }
    dumper = options.dumpDir ? new StreamDumper(options.dumpDir) : undefined;
    flows = new FlowTable(limits, anomalies, (flow) => {
      const dispatcher = new FlowDispatcher(flow, capture);
      return dumper && flow.proto === 'tcp' ? dumper.handler(flow, dispatcher) : dispatcher;
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
      // a PCAPdroid pcapng dump names the app in the packet's block, not in its bytes
      if (frame.app !== null && pkt.app === null) {
        pkt.app = frame.app;
        pkt.appUid = frame.appUid ?? -1;
      }
      if (flows && pkt.transportOk) {
        meta.frame = frame.index;
        meta.tsSec = frame.tsSec;
        meta.tsNsec = frame.tsNsec;
        meta.wireLen = frame.origlen;
        flows.onPacket(pkt, meta);
      }
    } catch (err) {
      // the dump's folder or disk failed: not the packet's fault, and never silent
      if (err instanceof DumpWriteError) throw err;
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
    stop: options.stop,
    sha256: options.sha256,
    // a stream is read once: its keys apply from where their block stands
    onSecrets: sourceKeys?.streamed
      ? (_type, data) => sourceKeys.embedded.addText(Buffer.from(data).toString('utf8'), EMBEDDED_SOURCE, { lenient: true })
      : undefined,
  });
  anomalies.packet = 0;
  try {
    flows?.finish();
  } catch (err) {
    if (err instanceof DumpWriteError) throw err;
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
    notDecoded: notDecoded(decoder.counts),
    keySources: sourceKeys?.sources() ?? [],
  };
}

/**
 * The keys of one capture: the run's key log files and the capture's own DSBs. A file named by
 * path is read for its DSBs first (readEmbeddedSecrets), so keys standing after the packets
 * they open still apply; a stream's DSBs are taken as they come (`streamed`). Undefined when
 * neither is asked for.
 */
export async function prepareCaptureKeys(
  source: string | NodeJS.ReadableStream,
  options: Pick<ScanOptions, 'keyStore' | 'embeddedKeys' | 'signal'>,
  limits: Limits,
): Promise<CaptureKeys | undefined> {
  const embedded = options.embeddedKeys !== false;
  if (options.keyStore === undefined && !embedded) return undefined;
  const fromFile = typeof source === 'string' && source !== '-';
  const keys = new CaptureKeys(
    options.keyStore,
    { maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes, lenient: true },
    embedded && !fromFile,
  );
  if (embedded && fromFile) await readEmbeddedSecrets(source, keys.embedded, limits, options.signal);
  return keys;
}
/** An anomaly the log kept, as an `anomaly` observation (`at`: its packet, when known). */
function anomalyObservation(file: string, a: Anomaly, flow: FlowRef | undefined, at: PacketMeta | undefined): AnomalyObservation {
  return {
    type: 'anomaly',
    file,
    frame: a.packet,
    ts: at !== undefined && at.frame > 0 ? formatTimestamp(at.tsSec, at.tsNsec) : null,
    src: flow ? flow.client : null,
    sport: flow ? flow.clientPort : null,
    dst: flow ? flow.server : null,
    dport: flow ? flow.serverPort : null,
    stream: flow ? flow.id : null,
    proto: flow ? flow.proto : null,
    code: a.code,
    offset: a.offset,
    detail: a.detail ?? null,
  };
}
