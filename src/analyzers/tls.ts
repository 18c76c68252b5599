/**
 * TLS over TCP: the ClientHello (`tls`, SSLv2-format ones included), the ServerHello
 * (`tls_server`) and, up to TLS 1.2, the server's certificate names (`tls_certificate`). Both
 * directions stop being read once the handshake goes encrypted (a HelloRetryRequest lets the
 * client's second ClientHello through), unless keys were given: then tls-decryption.ts opens
 * the records and hands the application data to a child analyzer (`http`, `http2`).
 */
import { IGNORE_ANOMALIES } from '../anomaly.js';
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import { ja3, ja4 } from '../proto/ja4.js';
import { SSL2_CLIENT_HELLO, TlsStreamReader } from '../proto/tls-stream.js';
import {
  NEED_MORE,
  offeredVersions,
  parseCertificateNames,
  parseClientHello,
  parseSsl2ClientHello,
  sniffTlsClientHello,
  tlsVersionName,
  type ClientHello,
  type ServerHello,
} from '../proto/tls.js';
import type { TlsObservation } from '../engine/observations.js';
import { TlsDecryption } from './tls-decryption.js';
import { keepTime, type Analyzer, type AnalyzerContext, type DetectionRow, type FlowSummaryExtra, type PacketTime } from './analyzer.js';

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;
const HANDSHAKE_CERTIFICATE = 11;

export class TlsAnalyzer implements Analyzer {
  private readonly client: TlsStreamReader;
  private readonly server: TlsStreamReader;
  /**
   * the packet whose bytes were parsed last: a message is reported at the frame that brought
   * its last bytes (also when a gap cuts it short)
   */
  private readonly at: PacketTime = { frame: 0, tsSec: 0, tsNsec: 0 };

  /** record decryption and the child analyzer of the plaintext, when keys were given */
  private readonly decryption: TlsDecryption | null;

  constructor(private readonly ctx: AnalyzerContext) {
    this.decryption = ctx.keys !== undefined && ctx.keys.empty !== true ? new TlsDecryption(ctx) : null;
    this.client = new TlsStreamReader(ctx.limits, ctx.anomalies, (type, body, cut) => this.clientHandshake(type, body, cut));
    // a server message cut short by a gap is dropped: its version and names would be guesses
    this.server = new TlsStreamReader(ctx.limits, ctx.anomalies, (type, body, cut, sh) => {
      if (!cut) this.serverHandshake(type, body, sh);
    });
  }

  data(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    keepTime(this.at, meta);
    const reader = dir === Dir.ToServer ? this.client : this.server;
    if (!reader.done) reader.push(buf.subarray(from, to));
    this.decryption?.data(dir, buf.subarray(from, to), meta);
  }

  /** TLS records cannot be found again mid-stream */
  gap(dir: Dir, missed: number, meta: PacketMeta): void {
    (dir === Dir.ToServer ? this.client : this.server).gap(missed);
    this.decryption?.gap(dir, missed, meta);
  }

  datagram(): void {}

  wants(dir: Dir): boolean {
    // after the handshake goes encrypted there is nothing left to read, unless it is decrypted
    const r = dir === Dir.ToServer ? this.client : this.server;
    return !(r.encrypted || r.failed) || (this.decryption?.wants(dir) ?? false);
  }

  close(summary: FlowSummaryExtra, meta: PacketMeta): void {
    if (this.decryption !== null) this.decryption.close(summary, meta);
    else if (summary.opaqueBytes > 0) summary.opaqueReason = 'tls_encrypted';
  }

  private clientHandshake(type: number, body: Uint8Array, cut: boolean): void {
    // a cut-short hello is known to be short: its missing tail is not news worth an anomaly
    const anomalies = cut ? IGNORE_ANOMALIES : this.ctx.anomalies;
    let ch: ClientHello | undefined;
    if (type === HANDSHAKE_CLIENT_HELLO) ch = parseClientHello(body, 0, body.length, anomalies);
    else if (type === SSL2_CLIENT_HELLO) ch = parseSsl2ClientHello(body, 0, body.length, anomalies);
    if (ch) this.ctx.emit(this.observation(ch, cut));
  }

  private observation(ch: ClientHello, cut: boolean): TlsObservation {
    return {
      type: 'tls',
      ...this.ctx.base(Dir.ToServer, this.at),
      sni: ch.serverNames[0] ?? null,
      server_names: ch.serverNames,
      alpn: ch.alpn,
      versions: offeredVersions(ch),
      ja4: cut ? null : ja4(ch, 't'),
      ja3: cut ? null : ja3(ch).md5,
      ech: ch.ech,
      cut,
    };
  }

  /** `sh`: the ServerHello the reader parsed (undefined when it did not parse) */
  private serverHandshake(type: number, body: Uint8Array, sh: ServerHello | undefined): void {
    if (type === HANDSHAKE_SERVER_HELLO) {
      if (!sh) return;
      if (sh.helloRetryRequest) {
        this.client.expectCompatChangeCipherSpec();
        return;
      }
      const version = tlsVersionName(sh.version);
      this.ctx.emit({ type: 'tls_server', ...this.ctx.base(Dir.ToClient, this.at), version, cipher_suite: sh.cipherSuite, alpn: sh.alpn });
    } else if (type === HANDSHAKE_CERTIFICATE) {
      const names = parseCertificateNames(body, 0, body.length, this.ctx.anomalies);
      if (names.length === 0) return;
      this.ctx.emit({ type: 'tls_certificate', ...this.ctx.base(Dir.ToClient, this.at), names });
    }
  }
}

export const TLS_ROW: DetectionRow = {
  name: 'tls',
  transport: 'tcp',
  // a record cannot be found again mid-stream: only a stream whose start was captured
  // a first segment of 1-4 bytes (zapret, GoodbyeDPI) is held until the record header can tell
  sniff: (b, dir, hint) => {
    if (dir !== Dir.ToServer || hint.clientStartLost) return false;
    const r = sniffTlsClientHello(b, 0, b.length);
    return r === NEED_MORE ? 'more' : r === 1;
  },
  create: (ctx) => new TlsAnalyzer(ctx),
};
