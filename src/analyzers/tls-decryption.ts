/**
 * Decryption inside the TLS analyzer: when the user gave key material, each direction's TCP
 * bytes are cut into records (decrypt/tls-records.ts) and opened (decrypt/tls.ts), and the
 * decrypted application data goes to a child analyzer of the detection table: `http2` when
 * the server chose h2 by ALPN (or the client sent the HTTP/2 preface), else `http` when the
 * bytes look like HTTP/1.x. Its observations carry `carrier: 'tls'` and `tls_version`.
 *
 * The flow's summary gains `decryption` (decrypted, no_key, failed) and the bytes decrypted;
 * what stayed protected is opaque for that reason (`no_key`, `decrypt_failed`), and decrypted
 * data no analyzer reads is opaque as `decrypted_unparsed` (HTTP/2 before its analyzer).
 */
import type { PacketMeta } from '../capture/frame.js';
import { CT_APPLICATION_DATA, TlsDecryptor, type OpenedRecord } from '../decrypt/tls.js';
import { RecordBufferPool, TlsRecordSplitter } from '../decrypt/tls-records.js';
import { Dir } from '../flow/dir.js';
import { looksLikeHttpRequest } from '../proto/http1.js';
import { tlsVersionName } from '../proto/tls.js';
import type { Analyzer, AnalyzerContext, FlowSummaryExtra } from './analyzer.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** what the application data is handed to */
const CHILD_UNDECIDED = 0;
const CHILD_READY = 1;
/** decrypted, but no analyzer reads it (not HTTP, or HTTP/2 without its analyzer) */
const CHILD_NONE = 2;

export class TlsDecryption {
  readonly decryptor: TlsDecryptor;
  private readonly splitters: [TlsRecordSplitter, TlsRecordSplitter];
  private child: Analyzer | null = null;
  private childState = CHILD_UNDECIDED;
  /** application data that arrived before the child could be chosen (the server's, before the client spoke) */
  private held: { dir: Dir; bytes: Buffer }[] = [];
  private heldBytes = 0;
  private meta: PacketMeta | null = null;
  private decryptedBytes = 0;
  /** payload bytes of records left protected (no key, failed, unsupported) */
  private protectedBytes = 0;
  private failedBytes = 0;
  /** decrypted application data no analyzer reads (not HTTP, or HTTP/2 before its analyzer) */
  private unparsedBytes = 0;
  private reportedFailure = false;
  private opened = false;
  private lost: [boolean, boolean] = [false, false];

  constructor(private readonly ctx: AnalyzerContext) {
    this.decryptor = new TlsDecryptor(ctx.keys!, {
      maxHandshakeBytes: ctx.limits.maxTlsHandshakeBytes,
      maxCompressedBytes: ctx.limits.maxTlsCompressedBytes,
      maxDecompressedBytes: ctx.limits.maxDecompressedBytes,
    });
    this.splitters = [this.splitter(true), this.splitter(false)];
  }

  private splitter(fromClient: boolean): TlsRecordSplitter {
    return new TlsRecordSplitter(
      (header, fragment) => this.record(fromClient, header, fragment),
      fromClient ? (body) => this.decryptor.ssl2ClientHello(body) : undefined,
      this.ctx.capture.shared('tls-record-buffers', () => new RecordBufferPool()),
    );
  }

  data(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void {
    this.meta = meta;
    const i = dir === Dir.ToServer ? 0 : 1;
    const s = this.splitters[i]!;
    if (s.stopped !== null) return;
    s.push(bytes);
    if (s.stopped !== null) this.streamLost(i, 'bytes that are not a TLS record');
  }

  gap(dir: Dir, missed: number, meta: PacketMeta): void {
    this.meta = meta;
    const i = dir === Dir.ToServer ? 0 : 1;
    if (this.splitters[i]!.stopped !== null) return;
    this.splitters[i]!.gap();
    this.streamLost(i, `${missed} bytes lost`);
    this.child?.gap(dir, missed, meta);
  }

  /** false once nothing more can be read from `dir`: no key, or the record stream was lost */
  wants(dir: Dir): boolean {
    const i = dir === Dir.ToServer ? 0 : 1;
    if (this.splitters[i]!.stopped !== null) return false;
    const outcome = this.decryptor.outcome;
    // protected records and no secrets for them: the rest is only counted
    return !(outcome === 'no_key' && this.decryptor.secrets === undefined && this.decryptor.version !== 0);
  }

  close(summary: FlowSummaryExtra, meta: PacketMeta): void {
    for (const h of this.held) this.unparsedBytes += h.bytes.length;
    this.held = [];
    this.child?.close(summary, meta);
    const outcome = this.decryptor.outcome;
    summary.decryption = outcome;
    summary.decryptedBytes = this.decryptedBytes;
    // protected records not opened are opaque too (the dispatcher counts the bytes never handed
    // on), and so is decrypted data no analyzer reads
    summary.opaqueBytes += this.protectedBytes + this.unparsedBytes;
    if (summary.opaqueBytes === 0) summary.opaqueReason = null;
    else if (this.protectedBytes === 0 && this.unparsedBytes > 0) summary.opaqueReason = 'decrypted_unparsed';
    else if (outcome === 'failed' || this.failedBytes > 0) summary.opaqueReason = 'decrypt_failed';
    else if (outcome === 'no_key' || this.protectedBytes > 0) summary.opaqueReason = 'no_key';
    // opened, and every record read: what is left was never handed on (after the record stream
    // was lost), the dispatcher's `not_parsed`; "no keys given" it is not
    else if (outcome !== 'decrypted') summary.opaqueReason = 'tls_encrypted';
  }

  private streamLost(i: number, detail: string): void {
    if (this.lost[i]) return;
    this.lost[i] = true;
    // only worth saying where decryption was under way
    if (this.decryptor.outcome === 'decrypted') this.ctx.anomalies.anomaly('tls_decrypt_stream_lost', 0, `${i === 0 ? 'client' : 'server'}: ${detail}`);
  }

  private record(fromClient: boolean, header: Uint8Array, fragment: Uint8Array): void {
    this.handle(fromClient, fragment, this.decryptor.record(fromClient, header, fragment));
    this.decryptor.recordRead();
  }

  private handle(fromClient: boolean, fragment: Uint8Array, r: OpenedRecord): void {
    switch (r.status) {
      case 'plaintext':
        return;
      case 'decrypted':
        this.decryptedBytes += fragment.length;
        if (!this.opened) {
          this.opened = true;
          const secrets = this.decryptor.secrets;
          if (secrets !== undefined) this.ctx.keys?.opened?.(secrets);
        }
        if (r.contentType === CT_APPLICATION_DATA && r.data.length > 0) this.applicationData(fromClient ? Dir.ToServer : Dir.ToClient, r.data);
        return;
      case 'failed':
        this.protectedBytes += fragment.length;
        this.failedBytes += fragment.length;
        if (!this.reportedFailure) {
          this.reportedFailure = true;
          this.ctx.anomalies.anomaly('tls_decrypt_failed', 0, `${fromClient ? 'client' : 'server'} record of ${fragment.length} bytes`);
        }
        return;
      case 'unsupported':
        this.protectedBytes += fragment.length;
        this.failedBytes += fragment.length;
        if (!this.reportedFailure) {
          this.reportedFailure = true;
          this.ctx.anomalies.anomaly(
            'tls_decrypt_unsupported',
            0,
            `${tlsVersionName(this.decryptor.version)} cipher suite 0x${this.decryptor.cipherSuite.toString(16).padStart(4, '0')}`,
          );
        }
        return;
      default:
        this.protectedBytes += fragment.length;
    }
  }

  private applicationData(dir: Dir, data: Uint8Array): void {
    if (this.childState === CHILD_UNDECIDED) {
      const alpn = this.decryptor.alpn;
      if (dir === Dir.ToClient && alpn !== 'h2' && !alpn?.startsWith('h2-')) {
        // the server spoke first (or its data overtook ours): kept until the client's bytes decide
        // bounded like out-of-order TCP data: past it, the server's early data is only counted
        if (this.heldBytes + data.length <= this.ctx.limits.maxBufferedBytesPerStream) {
          this.held.push({ dir, bytes: Buffer.from(data) });
          this.heldBytes += data.length;
        } else {
          if (this.unparsedBytes === 0) this.ctx.anomalies.anomaly('limit_reached', 0, 'maxBufferedBytesPerStream');
          this.unparsedBytes += data.length;
        }
        return;
      }
      this.chooseChild(data);
    }
    if (this.childState === CHILD_READY) this.child!.data(dir, data, 0, data.length, this.meta!);
    else this.unparsedBytes += data.length;
  }

  /** `first`: the first application data (the client's, unless ALPN already said h2) */
  private chooseChild(first: Uint8Array): void {
    const alpn = this.decryptor.alpn;
    const h2 = alpn === 'h2' || alpn?.startsWith('h2-') === true || startsWith(first, H2_PREFACE);
    const fields = { carrier: 'tls', tls_version: tlsVersionName(this.decryptor.version) };
    let name: string | null = null;
    if (h2) name = 'http2';
    else if (looksLikeHttpRequest(first, 0, first.length)) name = 'http';
    if (name !== null) {
      try {
        this.child = this.ctx.child(name, name === 'http' ? { ...fields, http_version: '1.1' } : fields);
      } catch {
        this.child = null; // no analyzer of that name in this build (HTTP/2 before its analyzer lands)
      }
    }
    this.childState = this.child !== null ? CHILD_READY : CHILD_NONE;
    const held = this.held;
    this.held = [];
    for (const h of held) {
      if (this.child !== null) this.child.data(h.dir, h.bytes, 0, h.bytes.length, this.meta!);
      else this.unparsedBytes += h.bytes.length;
    }
  }
}

function startsWith(b: Uint8Array, prefix: Uint8Array): boolean {
  if (b.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false;
  return true;
}
