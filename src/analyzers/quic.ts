/**
 * QUIC: the client's Initial packets, decrypted with the version's public Initial keys
 * (RFC 9001 §5.2), up to a complete ClientHello, reported as one `quic` observation. With key
 * material (--keylog, embedded keys), the connection whose ClientHello random has secrets is
 * decrypted packet by packet (src/decrypt/quic.ts) and its streams handed to the `http3` child;
 * the flow's summary says whether it was decrypted, had no key, or failed.
 */
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import { ja4 } from '../proto/ja4.js';
import { QuicConnectionDecryptor } from '../decrypt/quic.js';
import { looksLikeInitialWithToken, looksLikeQuicInitial, QuicInitialTracker } from '../proto/quic.js';
import { offeredVersions } from '../proto/tls.js';
import type { Analyzer, AnalyzerContext, DetectionRow, FlowSummaryExtra } from './analyzer.js';
import type { Http3Analyzer } from './http3.js';

export class QuicAnalyzer implements Analyzer {
  /** Initials are found by connection id, capture-wide: one connection's Initials may come on more than one flow */
  private readonly initials: QuicInitialTracker;
  private helloSeen = false;
  /** only when the user gave key material */
  private readonly decryptor: QuicConnectionDecryptor | null = null;
  private readonly h3: Http3Analyzer | null = null;
  private opened = false;

  constructor(private readonly ctx: AnalyzerContext) {
    const { limits, capture } = ctx;
    this.initials = capture.shared('quic.initials', () => new QuicInitialTracker(limits, capture.anomalies));
    // as the TLS analyzer: a key store that holds nothing (no --keylog, no embedded keys) is no keys
    if (ctx.keys !== undefined && ctx.keys.empty !== true) {
      this.h3 = ctx.child('http3', { carrier: 'quic' }) as Http3Analyzer;
      this.decryptor = new QuicConnectionDecryptor(limits, ctx.anomalies, this.h3, ctx.keys);
    }
  }

  data(): void {}
  gap(): void {}

  datagram(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void {
    if (this.decryptor !== null && !this.noSecrets()) {
      this.h3!.packet(meta);
      this.decryptor.onDatagram(dir === Dir.ToServer ? 0 : 1, bytes, 0, bytes.length);
      if (!this.opened && this.decryptor.stats.decrypted > 0 && this.decryptor.secrets !== undefined) {
        this.opened = true;
        this.ctx.keys?.opened?.(this.decryptor.secrets);
      }
    }
    // after the first ClientHello only an Initial with a token can bring another: the one
    // that repeats it after a Retry (the rest are ACKs, Handshake and short-header packets)
    if (dir !== Dir.ToServer || (this.helloSeen && !looksLikeInitialWithToken(bytes, 0, bytes.length))) return;
    const found = this.initials.onClientDatagram(bytes, 0, bytes.length, this.ctx.anomalies, this.helloSeen);
    if (!found) return;
    // each ClientHello the tracker completes: one per connection, a second after a Retry
    this.helloSeen = true;
    const ch = found.clientHello;
    this.ctx.emit({
      type: 'quic',
      ...this.ctx.base(Dir.ToServer, meta),
      sni: ch.serverNames[0] ?? null,
      server_names: ch.serverNames,
      version: found.version,
      alpn: ch.alpn,
      versions: offeredVersions(ch),
      ja4: ja4(ch, 'q'),
      ech: ch.ech,
    });
  }

  /** the ClientHello was read and the key material has no secrets for it */
  private noSecrets(): boolean {
    const d = this.decryptor;
    return d !== null && d.clientRandom !== undefined && d.secrets === undefined;
  }

  /**
   * The client's datagrams (after a Retry its next Initial carries a new ClientHello; once the
   * handshake is done its short-header packets are dropped at the first byte); everything while
   * the connection can be decrypted
   */
  wants(dir: Dir): boolean {
    if (this.decryptor !== null && !this.noSecrets()) return true;
    return dir === Dir.ToServer;
  }

  close(summary: FlowSummaryExtra, meta: PacketMeta): void {
    const d = this.decryptor;
    if (d === null) {
      if (summary.opaqueBytes > 0) summary.opaqueReason = 'quic_encrypted';
      return;
    }
    this.h3!.packet(meta);
    d.finish();
    this.h3!.close();
    const status = this.noSecrets() ? 'no_key' : d.decryption();
    summary.decryption = status;
    summary.decryptedBytes = d.stats.decryptedBytes;
    // datagram bytes of the packets that opened were inspected; the rest stays opaque
    summary.opaqueBytes = Math.max(0, summary.opaqueBytes - d.stats.openedWireBytes);
    if (summary.opaqueBytes > 0) summary.opaqueReason = status === 'failed' ? 'decrypt_failed' : status === 'decrypted' ? 'quic_encrypted' : 'no_key';
    else summary.opaqueReason = null;
  }
}

export const QUIC_ROW: DetectionRow = {
  name: 'quic',
  transport: 'udp',
  sniff: (b, dir) => dir === Dir.ToServer && looksLikeQuicInitial(b, 0, b.length),
  create: (ctx) => new QuicAnalyzer(ctx),
};
