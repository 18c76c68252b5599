/**
 * The contract between the dispatcher and one protocol's analyzer (Zeek's analyzer::Analyzer):
 * what an analyzer is given (`AnalyzerContext`), what it must do (`Analyzer`), and the row that
 * registers it in the detection table (`DetectionRow`, detection.ts).
 *
 * An analyzer sees both directions of one flow, owns its state (parsers, pairing of requests
 * with responses, queries with answers) and reports through its context: observations with
 * `emit`, problems through `anomalies` (bound to the flow's stream), facts for the flow's
 * summary at `close`. It may drive a child analyzer of the same table (`child`): TLS hands
 * decrypted bytes to `http`, QUIC its streams to `http3`.
 */
import type { AnomalySink } from '../anomaly.js';
import type { PacketMeta } from '../capture/frame.js';
import type { KeyLookup } from '../decrypt/key-store.js';
import type { Dir } from '../flow/dir.js';
import type { FlowInfo } from '../flow/table.js';
import type { Limits } from '../limits.js';
import type { Observation, ObservationBase, ObservationDetail } from '../engine/observations.js';

/** What a flow turned out to carry: a detection row's name, `unknown` (no row matched), `none` (no payload). */
export type AppProtocol = 'tls' | 'http' | 'dns' | 'quic' | 'unknown' | 'none' | (string & {});

/** When a packet was captured (PacketMeta, or a copy of its time kept for later). */
export type PacketTime = Pick<PacketMeta, 'frame' | 'tsSec' | 'tsNsec'>;

/**
 * Copies `from`'s time into `to`: the PacketMeta an analyzer is given is reused for the next
 * packet, so an analyzer that reports later (at a gap, at close) keeps a copy, not the object.
 */
export function keepTime(to: PacketTime, from: PacketTime): void {
  to.frame = from.frame;
  to.tsSec = from.tsSec;
  to.tsNsec = from.tsNsec;
}

/**
 * Facts about a flow reported when it closes (the `streams` record, the report's totals). The
 * dispatcher fills the common part; the analyzer's `close` may refine it and add fields of its
 * own: new facts are new optional fields here (decryption status, decrypted bytes…).
 */
export interface FlowSummaryExtra {
  protocol: AppProtocol;
  /** bytes whose content could not be inspected (encrypted application data, unknown protocols) */
  opaqueBytes: number;
  /** why: null when nothing was opaque; the dispatcher says `not_parsed` or `unrecognised_protocol`, an analyzer may say better */
  opaqueReason: string | null;
  /**
   * TLS/QUIC with key material given: `decrypted` (some of its protected records opened),
   * `no_key` (none of the key sources had its secrets), `failed` (secrets found, but the tags
   * or MACs did not verify); null when nothing was decrypted or no keys were given
   */
  decryption?: 'decrypted' | 'no_key' | 'failed' | null;
  /** bytes of protected records that were decrypted */
  decryptedBytes?: number;
}

/** Per-capture services shared by every flow's analyzers. */
export interface CaptureContext {
  /** name used in records */
  readonly file: string;
  readonly limits: Limits;
  /** the capture's anomaly log (flows bind their stream to it: AnalyzerContext.anomalies) */
  readonly anomalies: AnomalySink;
  /** key material for decryption, when the user gave some */
  readonly keys: KeyLookup | undefined;
  emit(obs: Observation, detail?: ObservationDetail): void;
  flowClosed(flow: FlowInfo, summary: FlowSummaryExtra): void;
  /** State one kind of analyzer shares across the capture's flows (QUIC Initials by connection id), made on first use. */
  shared<T>(key: string, make: () => T): T;
}

/** A detection row's answer: yes, no, or too few bytes to tell yet. */
export type SniffResult = boolean | 'more';

/** What detection knows about a flow besides its first bytes. */
export interface SniffHint {
  readonly flow: FlowInfo;
  /** the client's first bytes were lost: only protocols whose messages can be found mid-stream can be recognised */
  readonly clientStartLost: boolean;
  /** after that loss, the server sent bytes (unparsed) before the protocol was recognised */
  readonly serverSentAfterLoss: boolean;
}

/** What an analyzer is given when it is created. */
export interface AnalyzerContext extends SniffHint {
  readonly capture: CaptureContext;
  readonly limits: Limits;
  readonly keys: KeyLookup | undefined;
  /** anomalies bound to this flow: each carries the flow's stream and the packet being analysed */
  readonly anomalies: AnomalySink;
  /** the common fields of an observation made in `dir` at `at` */
  base(dir: Dir, at: PacketTime): ObservationBase;
  /** reports an observation (a child's carries the fields its parent asked for) */
  emit(obs: Observation, detail?: ObservationDetail): void;
  /**
   * A child analyzer from the detection table, by row name, driven by this one: it is given
   * bytes this analyzer recovered (decrypted application data, a QUIC stream), and each of its
   * observations carries `fields` (e.g. `{ carrier: 'tls', http_version: '1.1' }`).
   */
  child(name: string, fields?: Readonly<Record<string, unknown>>): Analyzer;
}

/** One protocol's analyzer for one flow (both directions). Buffers are valid only during a call. */
export interface Analyzer {
  /** in-order bytes buf[from, to) of one TCP direction (or of a parent's recovered stream) */
  data(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void;
  /** `missed` bytes of `dir` were lost before the next delivered byte */
  gap(dir: Dir, missed: number, meta: PacketMeta): void;
  /** one UDP datagram */
  datagram(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void;
  /** false = the rest of `dir` is of no use (encrypted, or unparseable): it is only counted. Once false, not asked again. */
  wants(dir: Dir): boolean;
  /** the flow ended (`meta`: its last packet): report what is pending; refine the summary */
  close(summary: FlowSummaryExtra, meta: PacketMeta): void;
}

/** A row of the detection table (Zeek's dpd.sig plus the analyzer's registration). */
export interface DetectionRow {
  /** the protocol's name: the flow summary's `protocol`, the key `child()` finds it by */
  readonly name: string;
  /** which flows it is sniffed on; null: never detected on its own, only created as a child */
  readonly transport: 'tcp' | 'udp' | null;
  /**
   * whether these first bytes of `dir` (a TCP segment's bytes, a datagram) are this protocol;
   * `'more'` (TCP only): they fit it but are too few to tell (a ClientHello whose first segment
   * carries 1-4 bytes): the dispatcher holds them and asks again with the next segment's joined
   */
  sniff(bytes: Uint8Array, dir: Dir, hint: SniffHint): SniffResult;
  create(ctx: AnalyzerContext): Analyzer;
}
