/**
 * QUIC: the client's Initial packets, decrypted with the version's public Initial keys
 * (RFC 9001 §5.2), up to a complete ClientHello, reported as one `quic` observation. The rest
 * of the connection is encrypted with keys the capture does not hold.
 */
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import { ja4 } from '../proto/ja4.js';
import { looksLikeQuicInitial, QuicInitialTracker } from '../proto/quic.js';
import { offeredVersions } from '../proto/tls.js';
import type { Analyzer, AnalyzerContext, DetectionRow, FlowSummaryExtra } from './analyzer.js';

export class QuicAnalyzer implements Analyzer {
  /** Initials are found by connection id, capture-wide: one connection's Initials may come on more than one flow */
  private readonly initials: QuicInitialTracker;
  private helloSeen = false;

  constructor(private readonly ctx: AnalyzerContext) {
    const { limits, capture } = ctx;
    this.initials = capture.shared('quic.initials', () => new QuicInitialTracker(limits, capture.anomalies));
  }

  data(): void {}
  gap(): void {}

  datagram(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void {
    if (dir !== Dir.ToServer) return;
    const found = this.initials.onClientDatagram(bytes, 0, bytes.length, this.ctx.anomalies);
    if (!found) return;
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

  /** client Initials until the ClientHello is complete; the rest is encrypted */
  wants(dir: Dir): boolean {
    return dir === Dir.ToServer && !this.helloSeen;
  }

  close(summary: FlowSummaryExtra): void {
    if (summary.opaqueBytes > 0) summary.opaqueReason = 'quic_encrypted';
  }
}

export const QUIC_ROW: DetectionRow = {
  name: 'quic',
  transport: 'udp',
  sniff: (b, dir) => dir === Dir.ToServer && looksLikeQuicInitial(b, 0, b.length),
  create: (ctx) => new QuicAnalyzer(ctx),
};
