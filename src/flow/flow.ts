/**
 * One flow's state in the table: its facts, Zeek-style history, the half-streams of a TCP
 * connection (created when first needed), its handler (created on first use), and its links in
 * the table's least-recently-used lists.
 */
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from './dir.js';
import type { FlowHandler, FlowInfo } from './flow-info.js';
import { History, HistoryEvent } from './history.js';
import { TcpHalfStream, type ReassemblyShared, type StreamEvents } from './reassembly.js';
import { seqAdd, seqDiff } from './seq.js';

/** LRU lists, one per timeout */
export const LIST_UDP = 0;
export const LIST_TCP = 1;
export const LIST_CLOSING = 2;

export class Flow implements StreamEvents {
  readonly history: History;
  /** the flow's handler, created on first use (`handler()`): a flow may close without one being needed before */
  private handlerInstance: FlowHandler | null = null;
  /** half-streams (TCP only), each created on its direction's first segment other than a bare SYN */
  private toServer: TcpHalfStream | null = null;
  private toClient: TcpHalfStream | null = null;
  /** sequence number of each direction's SYN while it has no half-stream yet (-1: none seen) */
  private synSeqToServer = -1;
  private synSeqToClient = -1;
  /** bit per direction: a FIN was seen */
  finMask = 0;
  rstSeen = false;
  closing = false;
  /** UDP: latched `wants` per direction */
  udpWanted0 = true;
  udpWanted1 = true;

  // intrusive LRU list links
  prev: Flow | null = null;
  next: Flow | null = null;
  list = LIST_UDP;

  constructor(
    readonly info: FlowInfo,
    readonly tcp: boolean,
    /** this flow's slot in the table's AddressSlab */
    readonly addressSlot: number,
    /** 4 (IPv4) or 16 (IPv6) */
    readonly addressLength: number,
    readonly hash: number,
    readonly order: number,
    private readonly shared: ReassemblyShared,
    private readonly newHandler: (flow: FlowInfo) => FlowHandler,
  ) {
    this.history = new History(info);
  }

  handler(): FlowHandler {
    return (this.handlerInstance ??= this.newHandler(this.info));
  }

  /** the direction's half-stream if it has one */
  existingHalf(dir: Dir): TcpHalfStream | null {
    return dir === Dir.ToServer ? this.toServer : this.toClient;
  }

  /** the direction's half-stream, created now if needed (a SYN seen before is replayed into it) */
  half(dir: Dir): TcpHalfStream {
    const existing = this.existingHalf(dir);
    if (existing !== null) return existing;
    const half = new TcpHalfStream(dir, this.info, this, this.shared);
    const synSeq = dir === Dir.ToServer ? this.synSeqToServer : this.synSeqToClient;
    if (synSeq >= 0) half.syn(synSeq);
    if (dir === Dir.ToServer) this.toServer = half;
    else this.toClient = half;
    return half;
  }

  /** A SYN from `dir`: remembered, and given to the half-stream once there is one (as TcpHalfStream.syn would take it). */
  syn(dir: Dir, seq: number): void {
    const half = this.existingHalf(dir);
    if (half !== null) {
      half.syn(seq);
      return;
    }
    const seen = dir === Dir.ToServer ? this.synSeqToServer : this.synSeqToClient;
    if (seen < 0) {
      if (dir === Dir.ToServer) this.synSeqToServer = seq;
      else this.synSeqToClient = seq;
    } else if (seq !== seen) {
      this.shared.anomalies.anomaly('tcp_syn_seq_changed', 0, `isn ${seen} then ${seq}`, this.info);
    }
  }

  /** The ISN of `dir`'s SYN, or -1 when none was seen. */
  isn(dir: Dir): number {
    const half = this.existingHalf(dir);
    if (half !== null) return half.isn;
    return dir === Dir.ToServer ? this.synSeqToServer : this.synSeqToClient;
  }

  /**
   * The peer acknowledged `ack` of `dir`'s bytes. Without a half-stream, `dir` has delivered
   * nothing: the call matters only when it acknowledges beyond the SYN (lost bytes to skip).
   */
  peerAck(dir: Dir, ack: number, meta: PacketMeta): void {
    if (this.existingHalf(dir) === null) {
      const synSeq = dir === Dir.ToServer ? this.synSeqToServer : this.synSeqToClient;
      if (synSeq < 0 || seqDiff(ack, seqAdd(synSeq, 1)) <= 0) return;
    }
    this.half(dir).peerAck(ack, meta);
  }

  /** end of the flow: deliver what can be delivered, free what is buffered */
  flushHalves(meta: PacketMeta): void {
    for (const half of [this.toServer, this.toClient]) {
      if (half === null) continue;
      half.flush(meta);
      half.release();
    }
  }

  deliver(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    this.handler().onData(dir, buf, from, to, meta);
  }

  gap(dir: Dir, missed: number, meta: PacketMeta): void {
    this.info.missedBytes += missed;
    this.history.add(dir, HistoryEvent.Gap);
    if (this.existingHalf(dir)!.wanted) this.handler().onGap(dir, missed, meta);
  }

  retransmitted(dir: Dir, bytes: number): void {
    this.info.retransmittedBytes += bytes;
    this.history.add(dir, HistoryEvent.Retransmit);
  }

  wants(dir: Dir): boolean {
    return this.handler().wants(dir);
  }
}

export class FlowList {
  head: Flow | null = null;
  tail: Flow | null = null;

  append(f: Flow): void {
    f.prev = this.tail;
    f.next = null;
    if (this.tail) this.tail.next = f;
    else this.head = f;
    this.tail = f;
  }

  remove(f: Flow): void {
    if (f.prev) f.prev.next = f.next;
    else this.head = f.next;
    if (f.next) f.next.prev = f.prev;
    else this.tail = f.prev;
    f.prev = f.next = null;
  }
}
