/**
 * Reassembly of one direction of a TCP stream into in-order bytes (gopacket's reassembly,
 * Zeek's TCP_Reassembler), behind the small callback contract of `StreamEvents`.
 *
 * - In-order payload is delivered as a view into the packet, never copied. Only out-of-order
 *   segments are copied into the buffer, within the per-stream and total caps of limits.ts.
 * - Overlap policy: **first-arrived bytes win** (most stacks, and Wireshark's default). Bytes
 *   already delivered are not kept, so a retransmission of delivered data is only counted (`t`);
 *   a segment overlapping *buffered* bytes is compared with them and a difference is reported
 *   as `tcp_overlap_conflict`.
 * - Holes are skipped (reported through `gap` with the missed byte count, then delivery resumes)
 *   when the peer acknowledges data beyond the hole (the sender had sent it: the capture lost
 *   it), when buffering the next segment would exceed a cap (`limit_reached`), and when the
 *   stream ends (`flush`).
 * - A stream whose start was not captured starts at the first sequence number seen; a segment
 *   that later arrives from before that point is treated as old (a retransmission).
 * - SYN and FIN each consume one sequence number; data carried on a SYN (TCP Fast Open) is
 *   delivered.
 * - When the consumer stops wanting this direction (`wants` false, latched), bytes are no longer
 *   copied or delivered: out-of-order segments are kept as bare ranges so that holes and missed
 *   bytes are still accounted for, at the cost of one small object per out-of-order segment.
 */
import type { AnomalySink, FlowRef } from '../anomaly.js';
import type { PacketMeta } from '../capture/frame.js';
import type { Limits } from '../limits.js';
import type { Dir } from './dir.js';
import { seqAdd, seqDiff } from './seq.js';

/** What a half-stream reports to (the flow implements it). */
export interface StreamEvents {
  /** in-order bytes buf[from, to), valid only during the call */
  deliver(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void;
  /** `missed` bytes the capture lost before the next delivered byte */
  gap(dir: Dir, missed: number, meta: PacketMeta): void;
  /** a segment carried `bytes` payload bytes seen before (delivered, or buffered): counted once, not again */
  retransmitted(dir: Dir, bytes: number): void;
  /** false = stop copying and delivering this direction's bytes */
  wants(dir: Dir): boolean;
}

/** State shared by every half-stream of a capture. */
export interface ReassemblyShared {
  limits: Limits;
  anomalies: AnomalySink;
  /** out-of-order bytes held across all streams (checked against maxBufferedBytesTotal) */
  bufferedTotal: number;
}

/** An out-of-order range [seq, end); `data` is null once the direction is no longer wanted. */
interface Segment {
  seq: number;
  end: number;
  data: Uint8Array | null;
}

export class TcpHalfStream {
  /** true once the first sequence number of this direction is known */
  started = false;
  /** the next sequence number to deliver */
  nextSeq = 0;
  /** the initial sequence number from this direction's SYN, or -1 when no SYN was seen */
  isn = -1;
  /** sequence number the FIN occupies, or -1 when no FIN was seen */
  finSeq = -1;
  /** true once every byte up to and including the FIN has been delivered or skipped */
  finished = false;
  /** false once the consumer said it no longer wants these bytes (never becomes true again) */
  wanted = true;

  /** buffered out-of-order ranges, sorted by sequence number, never overlapping each other */
  private readonly segments: Segment[] = [];
  private bufferedBytes = 0;

  constructor(
    private readonly dir: Dir,
    private readonly flow: FlowRef,
    private readonly events: StreamEvents,
    private readonly shared: ReassemblyShared,
  ) {}

  /** segments currently held out of order (for tests and stats) */
  get bufferedSegmentCount(): number {
    return this.segments.length;
  }

  get bufferedByteCount(): number {
    return this.bufferedBytes;
  }

  /** A SYN from this direction: its sequence number is the ISN and data starts one after it. */
  syn(seq: number): void {
    if (this.started) {
      if (this.isn >= 0 && seq !== this.isn) this.shared.anomalies.anomaly('tcp_syn_seq_changed', 0, `isn ${this.isn} then ${seq}`, this.flow);
      return; // a retransmitted SYN, or a SYN reordered after data
    }
    this.started = true;
    this.isn = seq;
    this.nextSeq = seqAdd(seq, 1);
  }

  /**
   * Payload buf[off, off+len) (the packet's captured bytes; not copied unless buffered) starting
   * at `seq`. A FIN on the same segment is given separately with `fin()` after this call.
   */
  segment(seq: number, buf: Uint8Array, off: number, len: number, meta: PacketMeta): void {
    if (!this.started) {
      this.started = true; // the stream's start was not captured
      this.nextSeq = seq;
    }
    if (len <= 0) return;
    if (this.wanted && !this.events.wants(this.dir)) this.stopWanting();

    const rel = seqDiff(seq, this.nextSeq);
    if (rel + len <= 0) {
      this.events.retransmitted(this.dir, len);
      return;
    }
    if (rel > 0) {
      this.bufferOutOfOrder(seq, buf, off, len, rel, meta);
      return;
    }
    if (rel < 0) this.events.retransmitted(this.dir, -rel); // its start was delivered already
    this.deliverFrom(seq, buf, off, len, meta);
  }

  /** A FIN from this direction at `seq` (the segment's seq plus its payload length). */
  fin(seq: number): void {
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq;
    }
    if (this.finSeq < 0) this.finSeq = seq;
    this.reachFin();
  }

  /**
   * The peer acknowledged everything before `ack`: bytes of this direction below it that were
   * never seen will not be retransmitted, so the holes up to it are skipped now.
   */
  peerAck(ack: number, meta: PacketMeta): void {
    if (!this.started || seqDiff(ack, this.nextSeq) <= 0) return;
    this.skipTo(ack, meta);
  }

  /** The stream ends: skip every hole and deliver everything buffered; a hole before a seen FIN counts as missed. */
  flush(meta: PacketMeta): void {
    while (this.segments.length > 0) {
      const count = this.segments.length;
      const at = this.nextSeq;
      // segments at or before nextSeq (e.g. just past a FIN that moved nextSeq onto them)
      // are delivered by drain; holes before later ones are skipped
      this.drain(meta);
      if (this.segments.length > 0) this.skipTo(this.segments[0].seq, meta);
      if (this.segments.length === count && this.nextSeq === at) {
        this.release(); // no progress is possible: drop what is left rather than spin
        break;
      }
    }
    if (this.finSeq >= 0 && !this.finished && seqDiff(this.finSeq, this.nextSeq) > 0) this.skipTo(this.finSeq, meta);
  }

  /** Frees the buffer (the stream is gone). */
  release(): void {
    this.shared.bufferedTotal -= this.bufferedBytes;
    this.bufferedBytes = 0;
    this.segments.length = 0;
  }

  // --- internals -----------------------------------------------------------------------

  /**
   * Delivers buf[off, off+len) (starting at `seq`, which is at or before nextSeq, and ending
   * after it) and then every buffered segment that becomes contiguous. Where a buffered segment
   * overlaps the rest of the new bytes, the buffered bytes arrived first and win.
   */
  private deliverFrom(seq: number, buf: Uint8Array, off: number, len: number, meta: PacketMeta): void {
    for (;;) {
      const cur = seqDiff(this.nextSeq, seq); // bytes before nextSeq were delivered already
      if (cur >= len) break;
      let stop = len;
      const head = this.segments.length > 0 ? this.segments[0] : undefined;
      if (head !== undefined) {
        const toHead = seqDiff(head.seq, this.nextSeq);
        if (toHead < len - cur) stop = cur + Math.max(0, toHead);
      }
      if (stop > cur) {
        this.emit(buf, off + cur, off + stop, meta);
        this.nextSeq = seqAdd(this.nextSeq, stop - cur);
      }
      if (stop < len && head !== undefined) {
        const overlap = Math.min(len - stop, seqDiff(head.end, head.seq));
        this.compareOverlap(buf, off + stop, head, 0, overlap);
        this.events.retransmitted(this.dir, overlap);
      }
      this.drain(meta);
    }
    this.reachFin();
  }

  /** Delivers buffered segments that start at or before nextSeq. */
  private drain(meta: PacketMeta): void {
    const segs = this.segments;
    let n = 0;
    while (n < segs.length && seqDiff(segs[n].seq, this.nextSeq) <= 0) {
      const s = segs[n++];
      const skip = seqDiff(this.nextSeq, s.seq);
      const segLen = seqDiff(s.end, s.seq);
      if (skip < segLen) {
        if (s.data !== null) this.emit(s.data, skip, s.data.length, meta);
        this.nextSeq = s.end;
      }
      if (s.data !== null) this.unaccount(s.data.length);
    }
    if (n > 0) segs.splice(0, n);
    this.reachFin();
  }

  private reachFin(): void {
    if (this.finSeq >= 0 && !this.finished && this.nextSeq === this.finSeq) {
      this.finished = true;
      this.nextSeq = seqAdd(this.finSeq, 1);
    }
  }

  /** Skips holes up to `target`, reporting each as a gap and delivering what lies between. */
  private skipTo(target: number, meta: PacketMeta): void {
    while (seqDiff(target, this.nextSeq) > 0) {
      const head = this.segments.length > 0 ? this.segments[0] : undefined;
      let holeEnd = head !== undefined && seqDiff(head.seq, target) < 0 ? head.seq : target;
      // the FIN occupies a sequence number but is not data
      if (this.finSeq >= 0 && !this.finished && seqDiff(this.finSeq, this.nextSeq) >= 0 && seqDiff(this.finSeq, holeEnd) < 0) holeEnd = this.finSeq;
      const missed = seqDiff(holeEnd, this.nextSeq);
      const before = this.nextSeq;
      if (missed > 0) {
        this.events.gap(this.dir, missed, meta);
        this.nextSeq = holeEnd;
      }
      this.drain(meta);
      if (this.nextSeq === before) break; // no progress possible (cannot happen; a guard against looping)
    }
  }

  /** Holds a segment that starts after nextSeq, keeping first-arrived bytes where it overlaps. */
  private bufferOutOfOrder(seq: number, buf: Uint8Array, off: number, len: number, rel: number, meta: PacketMeta): void {
    const segs = this.segments;
    const limits = this.shared.limits;

    // first pass: which parts are new (not covered by buffered ranges), without allocating
    let newBytes = 0,
      newPieces = 0,
      covered = false;
    let pos = rel;
    let i = this.firstEndingAfter(rel);
    for (let j = i; pos < rel + len; j++) {
      const s = j < segs.length ? segs[j] : undefined;
      const sStart = s === undefined ? rel + len : seqDiff(s.seq, this.nextSeq);
      if (sStart > pos) {
        const to = Math.min(sStart, rel + len);
        newBytes += to - pos;
        newPieces++;
        pos = to;
      }
      if (s === undefined || pos >= rel + len) break;
      covered = true;
      pos = Math.max(pos, seqDiff(s.end, this.nextSeq));
    }
    if (newPieces === 0) {
      this.compareWithBuffered(buf, off, len, rel, i);
      this.events.retransmitted(this.dir, len);
      return;
    }

    const copyBytes = this.wanted ? newBytes : 0;
    const limit =
      segs.length + newPieces > limits.maxBufferedSegmentsPerStream
        ? 'maxBufferedSegmentsPerStream'
        : this.bufferedBytes + copyBytes > limits.maxBufferedBytesPerStream
          ? 'maxBufferedBytesPerStream'
          : this.shared.bufferedTotal + copyBytes > limits.maxBufferedBytesTotal
            ? 'maxBufferedBytesTotal'
            : null;
    if (limit !== null) {
      // Over a cap: the hole before the first buffered segment (or before this one) is given up.
      this.shared.anomalies.anomaly('limit_reached', 0, limit, this.flow, meta);
      this.skipTo(segs.length > 0 ? segs[0].seq : seq, meta);
      this.segment(seq, buf, off, len, meta); // classified again against the new nextSeq
      return;
    }

    if (covered) {
      this.compareWithBuffered(buf, off, len, rel, i);
      this.events.retransmitted(this.dir, len - newBytes);
    }
    // second pass: insert the new pieces
    pos = rel;
    for (; pos < rel + len; i++) {
      const s = i < segs.length ? segs[i] : undefined;
      const sStart = s === undefined ? rel + len : seqDiff(s.seq, this.nextSeq);
      if (sStart > pos) {
        const to = Math.min(sStart, rel + len);
        const data = this.wanted ? buf.slice(off + pos - rel, off + to - rel) : null;
        segs.splice(i, 0, { seq: seqAdd(this.nextSeq, pos), end: seqAdd(this.nextSeq, to), data });
        if (data !== null) this.account(data.length);
        i++;
        pos = to;
      }
      if (s === undefined || pos >= rel + len) break;
      pos = Math.max(pos, seqDiff(s.end, this.nextSeq));
    }
  }

  /** Index of the first buffered segment that ends after offset `rel` (relative to nextSeq). */
  private firstEndingAfter(rel: number): number {
    const segs = this.segments;
    let lo = 0,
      hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqDiff(segs[mid].end, this.nextSeq) > rel) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Compares buf[off, off+len) (at `rel` from nextSeq) with the buffered segments it overlaps, from index `i`. */
  private compareWithBuffered(buf: Uint8Array, off: number, len: number, rel: number, i: number): void {
    const segs = this.segments;
    const end = rel + len;
    for (; i < segs.length; i++) {
      const s = segs[i];
      const sStart = seqDiff(s.seq, this.nextSeq);
      if (sStart >= end) break;
      const from = Math.max(rel, sStart);
      const to = Math.min(end, seqDiff(s.end, this.nextSeq));
      if (to > from) this.compareOverlap(buf, off + from - rel, s, from - sStart, to - from);
    }
  }

  private compareOverlap(buf: Uint8Array, off: number, s: Segment, sOff: number, n: number): void {
    const d = s.data;
    if (d === null) return; // not kept: nothing to compare with
    for (let k = 0; k < n; k++) {
      if (buf[off + k] !== d[sOff + k]) {
        this.shared.anomalies.anomaly('tcp_overlap_conflict', 0, `seq ${seqAdd(s.seq, sOff)} len ${n}`, this.flow);
        return;
      }
    }
  }

  /** Hands buf[from, to) to the consumer (as a range: most consumers need no view of it). */
  private emit(buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    if (!this.wanted || to <= from) return;
    if (!this.events.wants(this.dir)) {
      this.stopWanting();
      return;
    }
    this.events.deliver(this.dir, buf, from, to, meta);
  }

  /** From now on only ranges are tracked: buffered bytes are released. */
  private stopWanting(): void {
    this.wanted = false;
    for (const s of this.segments) s.data = null;
    this.shared.bufferedTotal -= this.bufferedBytes;
    this.bufferedBytes = 0;
  }

  private account(n: number): void {
    this.bufferedBytes += n;
    this.shared.bufferedTotal += n;
  }

  private unaccount(n: number): void {
    this.bufferedBytes -= n;
    this.shared.bufferedTotal -= n;
  }
}
