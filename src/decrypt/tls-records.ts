/**
 * One direction of a TLS connection's TCP bytes, split any way at all, cut into records
 * (RFC 8446 §5.1: type(1) version(2) length(2) fragment). A partial record waits for the
 * rest in a buffer lent by a pool the capture's splitters share, given back once the record is
 * whole and handed on: connections linger (idle flows are kept for minutes of capture time),
 * so a record-sized buffer kept per direction made memory grow with the number of connections,
 * and a fresh buffer per record (nearly every full-size record straddles TCP segments) made
 * half of decryption's garbage. Bytes that cannot be a record header, or a gap in the capture,
 * end the splitting: record boundaries are lost from there on.
 */
import { TLS_MAX_RECORD_PAYLOAD, TLS_RECORD_HEADER_LEN } from '../proto/tls.js';

/** A record's header and fragment: views valid during the call only (the fragment's buffer is reused). */
export type RecordHandler = (header: Uint8Array, fragment: Uint8Array) => void;

/** buffers kept for reuse: one per record being gathered at the same time, and splitters run one at a time */
const POOL_KEEPS = 4;
/**
 * records from this length on are gathered in a pooled (maximum-size) buffer; shorter ones in
 * one of their own length, as a connection that stops mid-record keeps its buffer while it lingers
 */
const POOLED_FROM = 4096;

/** Record-sized buffers shared by the splitters of one capture (see above). */
export class RecordBufferPool {
  private readonly free: Uint8Array[] = [];

  /** buffers waiting to be lent again */
  get kept(): number {
    return this.free.length;
  }

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(TLS_MAX_RECORD_PAYLOAD);
  }

  /** a buffer `take` lent (others are dropped) */
  give(b: Uint8Array): void {
    if (b.length === TLS_MAX_RECORD_PAYLOAD && this.free.length < POOL_KEEPS) this.free.push(b);
  }
}
/** an SSLv2-format CLIENT-HELLO (old clients' compatible hello): its body after the 2-byte header */
export type Ssl2HelloHandler = (body: Uint8Array) => void;

export class TlsRecordSplitter {
  /** the header of a record that straddles pushes */
  private readonly head = new Uint8Array(TLS_RECORD_HEADER_LEN);
  private headFill = 0;
  /** its fragment, gathered; null between records (most records arrive whole) */
  private body: Uint8Array | null = null;
  private bodyLength = 0;
  private bodyFill = 0;
  private _stopped: 'malformed' | 'gap' | null = null;
  private started = false;

  constructor(
    private readonly onRecord: RecordHandler,
    private readonly onSsl2Hello?: Ssl2HelloHandler,
    private readonly pool: RecordBufferPool = new RecordBufferPool(),
  ) {}

  /** why splitting stopped, or null while it goes on */
  get stopped(): 'malformed' | 'gap' | null {
    return this._stopped;
  }

  /** Feeds the next bytes; `bytes` is read during the call only. */
  push(bytes: Uint8Array): void {
    let p = 0;
    if (!this.started && bytes.length > 0) {
      this.started = true;
      // SSLv2 record header: length with the top bit set, then msg_type 1 (CLIENT-HELLO)
      if (this.onSsl2Hello !== undefined && (bytes[0]! & 0x80) !== 0 && bytes.length >= 3 && bytes[2] === 1) {
        const len = ((bytes[0]! & 0x7f) << 8) | bytes[1]!;
        if (bytes.length >= 2 + len) {
          this.onSsl2Hello(bytes.subarray(2, 2 + len));
          p = 2 + len;
        }
      }
    }
    while (p < bytes.length && this._stopped === null) {
      if (this.headFill === 0 && bytes.length - p >= TLS_RECORD_HEADER_LEN) {
        // whole records straight from the input, without copying
        const len = recordLength(bytes, p);
        if (len < 0) {
          this._stopped = 'malformed';
          return;
        }
        if (bytes.length - p >= TLS_RECORD_HEADER_LEN + len) {
          this.onRecord(bytes.subarray(p, p + TLS_RECORD_HEADER_LEN), bytes.subarray(p + TLS_RECORD_HEADER_LEN, p + TLS_RECORD_HEADER_LEN + len));
          p += TLS_RECORD_HEADER_LEN + len;
          continue;
        }
      }
      if (this.headFill < TLS_RECORD_HEADER_LEN) {
        const take = Math.min(TLS_RECORD_HEADER_LEN - this.headFill, bytes.length - p);
        this.head.set(bytes.subarray(p, p + take), this.headFill);
        this.headFill += take;
        p += take;
        if (this.headFill < TLS_RECORD_HEADER_LEN) return;
        const len = recordLength(this.head, 0);
        if (len < 0) {
          this._stopped = 'malformed';
          return;
        }
        // filled up to the record's length before it is read
        this.body = len >= POOLED_FROM ? this.pool.take() : new Uint8Array(len);
        this.bodyLength = len;
        this.bodyFill = 0;
      }
      const body = this.body!;
      const take = Math.min(this.bodyLength - this.bodyFill, bytes.length - p);
      body.set(bytes.subarray(p, p + take), this.bodyFill);
      this.bodyFill += take;
      p += take;
      if (this.bodyFill < this.bodyLength) return;
      this.body = null;
      this.headFill = 0;
      this.onRecord(this.head, body.subarray(0, this.bodyLength));
      this.pool.give(body);
    }
  }

  /** Bytes the capture lost: record boundaries are gone. */
  gap(): void {
    if (this._stopped === null) this._stopped = 'gap';
    if (this.body !== null) this.pool.give(this.body);
    this.body = null;
  }
}

/** the payload length of the record header at `p`, or -1 when it cannot be one */
function recordLength(b: Uint8Array, p: number): number {
  const type = b[p]!;
  if (type < 20 || type > 24 || b[p + 1] !== 3 || b[p + 2]! > 4) return -1;
  const len = (b[p + 3]! << 8) | b[p + 4]!;
  return len > TLS_MAX_RECORD_PAYLOAD ? -1 : len;
}
