/**
 * One direction of a TLS connection, fed reassembled TCP bytes split any way at all. It
 * frames records, joins handshake messages that span records and segments (Chromium's
 * ~1.9 KB post-quantum ClientHellos cross a segment boundary; servers fragment Certificate
 * messages over many records), and hands ClientHello, ServerHello and Certificate bodies to
 * `onHandshake`. It stops looking once the handshake is encrypted (ChangeCipherSpec or
 * application data seen, or a TLS 1.3 ServerHello) or the stream is not TLS (`failed`).
 *
 * Only the bytes of a wanted handshake message are buffered, capped by
 * limits.maxTlsHandshakeBytes (Certificate: limits.maxCertificateBytes); other messages are
 * skipped as they pass.
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import {
  ContentType,
  HandshakeType,
  MALFORMED,
  NEED_MORE,
  TLS_RECORD_HEADER_LEN,
  looksLikeTlsClientHello,
  parseServerHello,
  ssl2RecordLength,
  tlsRecordLength,
  type ServerHello,
} from './tls.js';

/** pseudo handshake type for an SSLv2-format CLIENT-HELLO: body is the whole SSLv2 record */
export const SSL2_CLIENT_HELLO = 0x100;

const HANDSHAKE_HEADER_LEN = 4;

/**
 * A wanted handshake message. `serverHello` is set for a whole ServerHello that parsed: the
 * reader reads it anyway (its version says whether the rest is encrypted), so the handler need
 * not parse it again; parse anomalies are reported once, by the reader.
 */
export type HandshakeHandler = (type: number, body: Uint8Array, cut: boolean, serverHello?: ServerHello) => void;

export class TlsStreamReader {
  private _encrypted = false;
  private _failed = false;
  /** bytes consumed so far (anomaly offsets are stream offsets) */
  private streamOff = 0;

  /** partial record header (5 bytes) or, for SSLv2, the whole record */
  private head = new Uint8Array(TLS_RECORD_HEADER_LEN);
  private headFill = 0;
  /** content type and payload bytes still to come of the current record */
  private recType = 0;
  private recLeft = 0;

  /** handshake layer: partial message header, then the body (buffered or skipped) */
  private hsHead = new Uint8Array(HANDSHAKE_HEADER_LEN);
  private hsHeadFill = 0;
  private hsType = 0;
  private hsLeft = 0; // body bytes still to come of the current message
  private hsWanted = false; // buffer it (ClientHello, ServerHello, Certificate) or skip it
  private hsBuf: Uint8Array | null = null;
  private hsFill = 0;

  /** a TLS 1.3 middlebox-compatibility ChangeCipherSpec is expected: it does not end the handshake */
  private compatCcs = false;

  private ssl2: Uint8Array | null = null;
  private ssl2Fill = 0;

  constructor(
    private readonly limits: Limits,
    private readonly ctx: AnomalySink,
    /** `cut`: the message's end was not captured (a gap); `body` is what arrived */
    private readonly onHandshake: HandshakeHandler,
  ) {}

  /** the handshake went encrypted: nothing more to learn from this direction */
  get encrypted(): boolean {
    return this._encrypted;
  }
  /** the bytes are not TLS (or broke a cap): nothing more is parsed */
  get failed(): boolean {
    return this._failed;
  }
  /** encrypted or failed: the caller can stop feeding and buffering */
  get done(): boolean {
    return this._encrypted || this._failed;
  }

  /**
   * After a HelloRetryRequest the client sends a compatibility ChangeCipherSpec (RFC 8446
   * §D.4) and then a second, plaintext ClientHello: the next CCS must not end parsing.
   */
  expectCompatChangeCipherSpec(): void {
    this.compatCcs = true;
  }

  /** Feeds the next bytes of this direction; `bytes` is only read during the call. */
  push(bytes: Uint8Array): void {
    if (this.ssl2 !== null) {
      this.pushSsl2(bytes, 0);
      return;
    }
    let p = 0;
    const end = bytes.length;
    while (p < end && !this.done) {
      if (this.recLeft === 0) {
        // gather the 5-byte record header, possibly across pushes
        const take = Math.min(TLS_RECORD_HEADER_LEN - this.headFill, end - p);
        this.head.set(bytes.subarray(p, p + take), this.headFill);
        this.headFill += take;
        p += take;
        if (this.headFill < TLS_RECORD_HEADER_LEN) break;
        this.headFill = 0;
        const total = tlsRecordLength(this.head, 0, TLS_RECORD_HEADER_LEN);
        if (total === MALFORMED || total === NEED_MORE) {
          // an SSLv2-format CLIENT-HELLO has a 2-byte header instead: only as the first bytes
          if (this.streamOff + p === TLS_RECORD_HEADER_LEN && looksLikeTlsClientHello(this.head, 0, TLS_RECORD_HEADER_LEN)) {
            this.ssl2 = new Uint8Array(ssl2RecordLength(this.head, 0, TLS_RECORD_HEADER_LEN));
            this.ssl2.set(this.head, 0);
            this.ssl2Fill = TLS_RECORD_HEADER_LEN;
            this.streamOff += p;
            this.pushSsl2(bytes, p);
            return;
          }
          this.fail(
            'tls_record_malformed',
            this.streamOff + p - TLS_RECORD_HEADER_LEN,
            `type ${this.head[0]} version 0x${((this.head[1]! << 8) | this.head[2]!).toString(16)}`,
          );
          break;
        }
        this.recType = this.head[0]!;
        this.recLeft = total - TLS_RECORD_HEADER_LEN;
        if (this.recType === ContentType.changeCipherSpec && this.compatCcs) {
          this.compatCcs = false;
          continue; // its one byte is skipped like an alert's
        }
        if (this.recType === ContentType.changeCipherSpec || this.recType === ContentType.applicationData) {
          if (this.hsHeadFill > 0 || this.hsLeft > 0) this.ctx.anomaly('tls_handshake_interleaved', this.streamOff + p - TLS_RECORD_HEADER_LEN);
          this.stop();
          break;
        }
        continue;
      }
      const take = Math.min(this.recLeft, end - p);
      if (this.recType === ContentType.handshake) this.handshakeBytes(bytes, p, p + take);
      // alerts are skipped: plaintext ones carry nothing we report
      this.recLeft -= take;
      p += take;
    }
    this.streamOff += end;
  }

  /** handshake-layer bytes [p, end) of one record: split into messages */
  private handshakeBytes(b: Uint8Array, p: number, end: number): void {
    while (p < end && !this.done) {
      if (this.hsLeft === 0 && this.hsHeadFill < HANDSHAKE_HEADER_LEN) {
        const take = Math.min(HANDSHAKE_HEADER_LEN - this.hsHeadFill, end - p);
        this.hsHead.set(b.subarray(p, p + take), this.hsHeadFill);
        this.hsHeadFill += take;
        p += take;
        if (this.hsHeadFill < HANDSHAKE_HEADER_LEN) return;
        this.startMessage(this.streamOff + p);
        continue;
      }
      const take = Math.min(this.hsLeft, end - p);
      if (this.hsWanted) {
        this.hsBuf!.set(b.subarray(p, p + take), this.hsFill);
        this.hsFill += take;
      }
      this.hsLeft -= take;
      p += take;
      if (this.hsLeft === 0) this.finishMessage();
    }
  }

  private startMessage(at: number): void {
    const h = this.hsHead;
    this.hsType = h[0]!;
    const len = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
    this.hsWanted = this.hsType === HandshakeType.clientHello || this.hsType === HandshakeType.serverHello || this.hsType === HandshakeType.certificate;
    if (this.hsWanted) {
      const cap = this.hsType === HandshakeType.certificate ? this.limits.maxCertificateBytes : this.limits.maxTlsHandshakeBytes;
      if (len > cap) {
        this.fail('limit_reached', at, this.hsType === HandshakeType.certificate ? 'maxCertificateBytes' : 'maxTlsHandshakeBytes');
        return;
      }
      if (this.hsBuf === null || this.hsBuf.length < len) this.hsBuf = new Uint8Array(Math.max(len, 512));
      this.hsFill = 0;
    }
    this.hsLeft = len;
    if (len === 0) this.finishMessage();
  }

  private finishMessage(): void {
    this.hsHeadFill = 0;
    if (!this.hsWanted) return;
    const type = this.hsType;
    // a copy: the body outlives this call only if the callback keeps it, and hsBuf is reused
    const body = this.hsBuf!.slice(0, this.hsFill);
    if (type !== HandshakeType.serverHello) {
      this.onHandshake(type, body, false);
      return;
    }
    const sh = parseServerHello(body, 0, body.length, this.ctx);
    this.onHandshake(type, body, false, sh);
    // TLS 1.3: everything after the ServerHello is encrypted; a HelloRetryRequest is not
    if (sh !== undefined && sh.version === 0x0304 && !sh.helloRetryRequest) this.stop();
  }

  private pushSsl2(bytes: Uint8Array, from: number): void {
    const buf = this.ssl2!;
    const take = Math.min(buf.length - this.ssl2Fill, bytes.length - from);
    if (take > 0) {
      buf.set(bytes.subarray(from, from + take), this.ssl2Fill);
      this.ssl2Fill += take;
      if (this.ssl2Fill === buf.length) {
        this.onHandshake(SSL2_CLIENT_HELLO, buf, false);
        this.stop(); // nothing after an SSLv2 hello is parsed
      }
    }
    this.streamOff += bytes.length - from;
  }

  /**
   * `n` bytes of this direction were not captured: unless the handshake is over, parsing stops
   * here. A wanted message in progress is handed on cut short (the first segment of a large
   * ClientHello usually holds its server name).
   */
  gap(n: number): void {
    if (!this.done) {
      if (this.hsWanted && this.hsLeft > 0 && this.hsFill > 0) this.onHandshake(this.hsType, this.hsBuf!.slice(0, this.hsFill), true);
      this.fail('tls_gap', this.streamOff, `${n} bytes`);
    }
    this.streamOff += n;
  }

  private fail(code: 'tls_record_malformed' | 'tls_gap' | 'limit_reached', at: number, detail: string): void {
    this.ctx.anomaly(code, at, detail);
    this._failed = true;
    this.hsBuf = null;
  }

  /** The handshake went encrypted: the buffers are let go (the connection may last much longer). */
  private stop(): void {
    this._encrypted = true;
    this.hsBuf = null;
    this.ssl2 = null;
  }
}
