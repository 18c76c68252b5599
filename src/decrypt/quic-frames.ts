/**
 * QUIC frames of a decrypted packet (RFC 9000 §19, RFC 9221 DATAGRAM, the ACK_FREQUENCY
 * draft): every type is walked far enough to skip it; CRYPTO, STREAM, NEW_CONNECTION_ID and
 * RESET_STREAM are handed to a sink. And the in-order joining of CRYPTO and STREAM data,
 * with out-of-order pieces held up to a cap.
 */

/** a variable-length integer (RFC 9000 §16) read into `value`/`size`; false when cut short */
export interface VarInt {
  value: number;
  size: number;
}
export function readVarint(b: Uint8Array, off: number, end: number, out: VarInt): boolean {
  if (off >= end) return false;
  const size = 1 << (b[off]! >> 6);
  if (end - off < size) return false;
  let v = b[off]! & 0x3f;
  // values past 2^53 lose precision: they are only compared with caps and lengths
  for (let i = 1; i < size; i++) v = v * 256 + b[off + i]!;
  out.value = v;
  out.size = size;
  return true;
}

/** What the frame walker hands on; the data views point into the decrypted payload. */
export interface FrameSink {
  onCrypto(offset: number, data: Uint8Array): void;
  onStream(streamId: number, offset: number, data: Uint8Array, fin: boolean): void;
  onResetStream(streamId: number): void;
  /** a new connection ID and its stateless reset token (16 bytes) */
  onNewConnectionId(cid: Uint8Array, resetToken: Uint8Array): void;
}

const FRAME_ACK_FREQUENCY = 0xaf;
const FRAME_IMMEDIATE_ACK = 0x1f;

/**
 * Walks the frames of one decrypted payload. Returns undefined when every frame was read,
 * else what was malformed (the frames before it were handed on).
 */
export function walkFrames(p: Uint8Array, sink: FrameSink, vi: VarInt): string | undefined {
  const end = p.length;
  let q = 0;
  // skips `n` varints; false when cut short
  const skip = (n: number): boolean => {
    for (let i = 0; i < n; i++) {
      if (!readVarint(p, q, end, vi)) return false;
      q += vi.size;
    }
    return true;
  };
  while (q < end) {
    if (!readVarint(p, q, end, vi)) return 'frame type';
    const type = vi.value;
    q += vi.size;
    if (type === 0x00 || type === 0x01 || type === 0x1e || type === FRAME_IMMEDIATE_ACK) continue; // PADDING, PING, HANDSHAKE_DONE
    if (type === 0x02 || type === 0x03) {
      // ACK, ACK+ECN
      if (!readVarint(p, q, end, vi)) return 'ACK';
      q += vi.size;
      if (!readVarint(p, q, end, vi)) return 'ACK';
      q += vi.size;
      if (!readVarint(p, q, end, vi)) return 'ACK';
      const ranges = vi.value;
      q += vi.size;
      const more = 1 + ranges * 2 + (type === 0x03 ? 3 : 0);
      if (more > end - q || !skip(more)) return 'ACK'; // each varint is ≥ 1 byte
      continue;
    }
    if (type === 0x04) {
      // RESET_STREAM
      if (!readVarint(p, q, end, vi)) return 'RESET_STREAM';
      const id = vi.value;
      q += vi.size;
      if (!skip(2)) return 'RESET_STREAM';
      sink.onResetStream(id);
      continue;
    }
    if (type === 0x05) {
      if (!skip(2)) return 'STOP_SENDING';
      continue;
    }
    if (type === 0x06) {
      // CRYPTO
      if (!readVarint(p, q, end, vi)) return 'CRYPTO';
      const offset = vi.value;
      q += vi.size;
      if (!readVarint(p, q, end, vi) || vi.value > end - q - vi.size) return 'CRYPTO';
      const len = vi.value;
      q += vi.size;
      sink.onCrypto(offset, p.subarray(q, q + len));
      q += len;
      continue;
    }
    if (type === 0x07) {
      // NEW_TOKEN
      if (!readVarint(p, q, end, vi) || vi.value > end - q - vi.size) return 'NEW_TOKEN';
      q += vi.size + vi.value;
      continue;
    }
    if (type >= 0x08 && type <= 0x0f) {
      // STREAM
      if (!readVarint(p, q, end, vi)) return 'STREAM';
      const id = vi.value;
      q += vi.size;
      let offset = 0;
      if ((type & 0x04) !== 0) {
        if (!readVarint(p, q, end, vi)) return 'STREAM';
        offset = vi.value;
        q += vi.size;
      }
      let len = end - q;
      if ((type & 0x02) !== 0) {
        if (!readVarint(p, q, end, vi) || vi.value > end - q - vi.size) return 'STREAM';
        len = vi.value;
        q += vi.size;
      }
      sink.onStream(id, offset, p.subarray(q, q + len), (type & 0x01) !== 0);
      q += len;
      continue;
    }
    if (type === 0x10 || type === 0x12 || type === 0x13 || type === 0x14 || type === 0x16 || type === 0x17 || type === 0x19) {
      if (!skip(1)) return 'flow-control frame'; // MAX_DATA … RETIRE_CONNECTION_ID
      continue;
    }
    if (type === 0x11 || type === 0x15) {
      if (!skip(2)) return 'stream flow-control frame';
      continue;
    }
    if (type === 0x18) {
      // NEW_CONNECTION_ID
      if (!skip(2) || q >= end) return 'NEW_CONNECTION_ID';
      const len = p[q]!;
      if (len < 1 || len > 20 || end - q - 1 < len + 16) return 'NEW_CONNECTION_ID';
      sink.onNewConnectionId(p.subarray(q + 1, q + 1 + len), p.subarray(q + 1 + len, q + 1 + len + 16));
      q += 1 + len + 16;
      continue;
    }
    if (type === 0x1a || type === 0x1b) {
      // PATH_CHALLENGE/RESPONSE
      if (end - q < 8) return 'PATH_CHALLENGE';
      q += 8;
      continue;
    }
    if (type === 0x1c || type === 0x1d) {
      // CONNECTION_CLOSE
      if (!skip(type === 0x1c ? 2 : 1)) return 'CONNECTION_CLOSE';
      if (!readVarint(p, q, end, vi) || vi.value > end - q - vi.size) return 'CONNECTION_CLOSE';
      q += vi.size + vi.value;
      continue;
    }
    if (type === 0x30) {
      q = end;
      continue;
    } // DATAGRAM to the end
    if (type === 0x31) {
      // DATAGRAM with length
      if (!readVarint(p, q, end, vi) || vi.value > end - q - vi.size) return 'DATAGRAM';
      q += vi.size + vi.value;
      continue;
    }
    if (type === FRAME_ACK_FREQUENCY) {
      if (!skip(4)) return 'ACK_FREQUENCY';
      continue;
    }
    return `unknown frame type 0x${type.toString(16)}`;
  }
  return undefined;
}

/**
 * In-order delivery of one CRYPTO or STREAM byte stream. Data at the next expected offset is
 * delivered at once; later pieces wait (up to `maxBuffered` bytes in at most `maxPieces`
 * pieces: tiny scattered frames must not make the sorted insert quadratic) until the hole fills;
 * retransmitted bytes are trimmed. Views are held, not copied: each decrypted payload is a
 * buffer of its own.
 */
export class OrderedStream {
  /** bytes delivered so far (the next expected offset) */
  next = 0;
  /** the final size once a FIN was seen, else -1 */
  finalSize = -1;
  finDelivered = false;
  private pending: Array<{ offset: number; data: Uint8Array }> = [];
  private pendingBytes = 0;

  /**
   * Adds a piece; calls deliver() for every in-order run it completes (fin set on the last
   * when the stream is complete). Returns false when the piece did not fit in `maxBuffered`/`maxPieces`
   * (it was dropped: the stream has a hole from then on).
   */
  add(offset: number, data: Uint8Array, fin: boolean, maxBuffered: number, maxPieces: number, deliver: (data: Uint8Array, fin: boolean) => void): boolean {
    if (fin) this.finalSize = offset + data.length;
    const stop = offset + data.length;
    if (stop <= this.next) {
      // all seen before
      this.flushFin(deliver);
      return true;
    }
    if (offset > this.next) {
      if (this.pendingBytes + data.length > maxBuffered || this.pending.length >= maxPieces) return false;
      let i = this.pending.length;
      while (i > 0 && this.pending[i - 1]!.offset > offset) i--;
      this.pending.splice(i, 0, { offset, data });
      this.pendingBytes += data.length;
      return true;
    }
    this.emit(data.subarray(this.next - offset), deliver);
    // pieces now reachable
    while (this.pending.length > 0 && this.pending[0]!.offset <= this.next) {
      const piece = this.pending.shift()!;
      this.pendingBytes -= piece.data.length;
      const pStop = piece.offset + piece.data.length;
      if (pStop > this.next) this.emit(piece.data.subarray(this.next - piece.offset), deliver);
    }
    this.flushFin(deliver);
    return true;
  }

  private emit(data: Uint8Array, deliver: (data: Uint8Array, fin: boolean) => void): void {
    this.next += data.length;
    const fin = this.finalSize >= 0 && this.next >= this.finalSize;
    if (fin) this.finDelivered = true;
    deliver(data, fin);
  }

  private flushFin(deliver: (data: Uint8Array, fin: boolean) => void): void {
    if (!this.finDelivered && this.finalSize >= 0 && this.next >= this.finalSize) {
      this.finDelivered = true;
      deliver(new Uint8Array(0), true);
    }
  }

  /** bytes waiting behind a hole */
  get buffered(): number {
    return this.pendingBytes;
  }
}
