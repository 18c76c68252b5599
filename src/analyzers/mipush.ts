/**
 * MiPush (Xiaomi's push channel; wire format and decoded fields in proto/mipush.ts), recognised
 * by content on any port: the binary blob's magic C2 FE 00 05 or an XMPP-like stream open in
 * the `xm` namespace. The client's first message, the handshake, is plaintext and names the
 * device: it becomes a `push` observation (model, ROM build, device token, network type, push
 * server, locale). Everything after it is RC4-encrypted (blob) and only counted.
 */
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import type { PushObservation } from '../engine/observations.js';
import { mipushBlobLength, parseMipushBlob, parseMipushStreamOpen, sniffMipush, type MipushHandshake } from '../proto/mipush.js';
import { NEED_MORE } from '../proto/tls.js';
import { keepTime, type Analyzer, type AnalyzerContext, type DetectionRow, type FlowSummaryExtra, type PacketTime } from './analyzer.js';

export class MipushAnalyzer implements Analyzer {
  /** the client's bytes until its handshake is whole (bounded by limits.maxPushHandshakeBytes) */
  private held = new Uint8Array(0);
  private done = false;
  /** the text form's later stanzas are plaintext but not parsed; the blob's are encrypted */
  private form: 'blob' | 'xmpp' | null = null;
  private readonly at: PacketTime = { frame: 0, tsSec: 0, tsNsec: 0 };

  constructor(private readonly ctx: AnalyzerContext) {}

  data(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    if (dir !== Dir.ToServer || this.done) return;
    keepTime(this.at, meta);
    const joined = new Uint8Array(this.held.length + (to - from));
    joined.set(this.held);
    joined.set(buf.subarray(from, to), this.held.length);
    this.held = joined;
    this.tryHandshake();
  }

  private tryHandshake(): void {
    const b = this.held;
    if (b[0] === 0x3c) {
      const hs = parseMipushStreamOpen(b, 0, b.length);
      if (hs) return this.report(hs);
    } else {
      const len = mipushBlobLength(b, 0, b.length);
      if (len === -2) return this.stop();
      if (len !== NEED_MORE && b.length >= len) {
        const blob = parseMipushBlob(b, 0, len);
        if (blob.conn) return this.report(blob.conn);
        if (!blob.encrypted && blob.cmd !== null) this.ctx.anomalies.anomaly('mipush_handshake_unreadable', 0, blob.cmd);
        return this.stop();
      }
    }
    if (b.length > this.ctx.limits.maxPushHandshakeBytes) {
      this.ctx.anomalies.anomaly('limit_reached', 0, 'maxPushHandshakeBytes');
      this.stop();
    }
  }

  private report(hs: MipushHandshake): void {
    this.form = hs.form;
    const obs: PushObservation = {
      type: 'push',
      ...this.ctx.base(Dir.ToServer, this.at),
      protocol: 'mipush',
      form: hs.form,
      cmd: hs.cmd,
      server: hs.server,
      model: hs.model,
      os: hs.os,
      udid: hs.udid,
      sdk: hs.sdk,
      connpt: hs.connpt,
      host: hs.host,
      locale: hs.locale,
      andver: hs.andver,
    };
    this.ctx.emit(obs);
    this.stop();
  }

  private stop(): void {
    this.done = true;
    this.held = new Uint8Array(0);
  }

  gap(dir: Dir): void {
    // a handshake with a hole cannot be read; blobs cannot be found again mid-stream
    if (dir === Dir.ToServer) this.stop();
  }

  datagram(): void {}

  wants(dir: Dir): boolean {
    return dir === Dir.ToServer && !this.done;
  }

  close(summary: FlowSummaryExtra): void {
    if (summary.opaqueBytes > 0) summary.opaqueReason = this.form === 'xmpp' ? 'not_parsed' : 'mipush_encrypted';
  }
}

export const MIPUSH_ROW: DetectionRow = {
  name: 'mipush',
  transport: 'tcp',
  // the handshake is the stream's start: not recognisable after a loss
  sniff: (b, dir, hint) => {
    if (dir !== Dir.ToServer || hint.clientStartLost) return false;
    const r = sniffMipush(b, 0, b.length);
    return r === NEED_MORE ? 'more' : r === 1;
  },
  create: (ctx) => new MipushAnalyzer(ctx),
};
