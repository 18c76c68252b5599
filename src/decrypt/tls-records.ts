/**
 * One direction of a TLS connection's TCP bytes, split any way at all, cut into records
 * (RFC 8446 §5.1: type(1) version(2) length(2) fragment). A partial record waits for the
 * rest in a buffer of at most one record; bytes that cannot be a record header, or a gap
 * in the capture, end the splitting: record boundaries are lost from there on.
 */
import { TLS_MAX_RECORD_PAYLOAD, TLS_RECORD_HEADER_LEN } from '../proto/tls.js';

export type RecordHandler = (header: Uint8Array, fragment: Uint8Array) => void;
/** an SSLv2-format CLIENT-HELLO (old clients' compatible hello): its body after the 2-byte header */
export type Ssl2HelloHandler = (body: Uint8Array) => void;

export class TlsRecordSplitter {
  /** a record that straddles pushes, gathered; made on first need (most records arrive whole) */
  private buf: Uint8Array | null = null;
  private fill = 0;
  private need = TLS_RECORD_HEADER_LEN;
  private _stopped: 'malformed' | 'gap' | null = null;
  private started = false;

  constructor(private readonly onRecord: RecordHandler, private readonly onSsl2Hello?: Ssl2HelloHandler) {}

  /** why splitting stopped, or null while it goes on */
  get stopped(): 'malformed' | 'gap' | null { return this._stopped; }

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
      if (this.fill === 0 && bytes.length - p >= TLS_RECORD_HEADER_LEN) {
        // whole records straight from the input, without copying
        const len = recordLength(bytes, p);
        if (len < 0) { this._stopped = 'malformed'; return; }
        if (bytes.length - p >= TLS_RECORD_HEADER_LEN + len) {
          this.onRecord(bytes.subarray(p, p + TLS_RECORD_HEADER_LEN), bytes.subarray(p + TLS_RECORD_HEADER_LEN, p + TLS_RECORD_HEADER_LEN + len));
          p += TLS_RECORD_HEADER_LEN + len;
          continue;
        }
      }
      const take = Math.min(this.need - this.fill, bytes.length - p);
      const buf = (this.buf ??= new Uint8Array(TLS_RECORD_HEADER_LEN + TLS_MAX_RECORD_PAYLOAD));
      buf.set(bytes.subarray(p, p + take), this.fill);
      this.fill += take;
      p += take;
      if (this.fill < this.need) return;
      if (this.need === TLS_RECORD_HEADER_LEN) {
        const len = recordLength(buf, 0);
        if (len < 0) { this._stopped = 'malformed'; return; }
        this.need = TLS_RECORD_HEADER_LEN + len;
        if (len > 0) continue;
      }
      this.onRecord(buf.subarray(0, TLS_RECORD_HEADER_LEN), buf.subarray(TLS_RECORD_HEADER_LEN, this.need));
      this.fill = 0;
      this.need = TLS_RECORD_HEADER_LEN;
    }
  }

  /** Bytes the capture lost: record boundaries are gone. */
  gap(): void {
    if (this._stopped === null) this._stopped = 'gap';
  }
}

/** the payload length of the record header at `p`, or -1 when it cannot be one */
function recordLength(b: Uint8Array, p: number): number {
  const type = b[p]!;
  if (type < 20 || type > 24 || b[p + 1] !== 3 || b[p + 2]! > 4) return -1;
  const len = (b[p + 3]! << 8) | b[p + 4]!;
  return len > TLS_MAX_RECORD_PAYLOAD ? -1 : len;
}
