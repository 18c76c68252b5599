/**
 * HTTP/3 inside a decrypted QUIC connection: the QUIC analyzer hands this child every stream's
 * bytes in order (it is the decryptor's QuicStreamSink); requests come out as `http`
 * observations like HTTP/1 ones (the parent adds `carrier: 'quic'`, `http_version: '3'`), with
 * their `stream_id`, and answers as `http_response` paired by stream; an HTTPDNS query's answer
 * as `dns` records (transport `httpdns`), as over HTTP/1.x and HTTP/2.
 */
import type { QuicDir, QuicStreamSink } from '../decrypt/quic.js';
import { Dir } from '../flow/dir.js';
import { Http3Connection, type Http3Request, type Http3Response } from '../proto/http3.js';
import { keepTime, type Analyzer, type AnalyzerContext, type DetectionRow, type PacketTime } from './analyzer.js';
import { httpRequestRecord } from './http-request-record.js';
import { HTTPDNS_MAX_ANSWER_BYTES, HttpDnsByStream } from './httpdns-records.js';

export class Http3Analyzer implements Analyzer, QuicStreamSink {
  private readonly h3: Http3Connection;
  /** the datagram being decrypted: requests and responses completed in it carry its frame */
  private readonly at: PacketTime = { frame: 0, tsSec: 0, tsNsec: 0 };
  /** request frame per client stream, for the responses (bounded by the streams the parser tracks) */
  private readonly requestFrames = new Map<number, number>();
  /** the HTTPDNS queries among the requests, until their answers (bounded with requestFrames) */
  private readonly dns: HttpDnsByStream;
  private index = 0;

  constructor(private readonly ctx: AnalyzerContext) {
    this.h3 = new Http3Connection(ctx.limits, ctx.anomalies, {
      onRequest: (req) => this.request(req),
      onResponse: (res) => this.response(res),
    });
    this.dns = new HttpDnsByStream(ctx, this.at);
  }

  /** the packet whose decrypted bytes come next */
  packet(meta: PacketTime): void {
    keepTime(this.at, meta);
    this.h3.setPosition(meta.frame);
  }

  onStreamData(dir: QuicDir, streamId: number, data: Uint8Array, fin: boolean): void {
    this.h3.onStreamData(dir, streamId, data, fin);
  }

  onStreamAbort(dir: QuicDir, streamId: number): void {
    this.h3.onStreamAbort(dir, streamId);
  }

  // bytes reach this analyzer per QUIC stream, through the QuicStreamSink methods
  data(): void {}
  gap(): void {}
  datagram(): void {}
  wants(): boolean {
    return true;
  }

  close(): void {
    this.h3.finish();
    this.dns.end();
  }

  get requests(): number {
    return this.h3.counts.requests;
  }

  private request(req: Http3Request): void {
    if (this.requestFrames.size >= this.ctx.limits.maxQuicStreamsPerConnection) {
      const oldest = this.requestFrames.keys().next().value as number;
      this.requestFrames.delete(oldest);
      this.dns.forget(oldest);
    }
    this.requestFrames.set(req.streamId, this.at.frame);
    if (this.dns.request(req.streamId, req.method, req.uri)) {
      this.h3.keepResponseBody(req.streamId, HTTPDNS_MAX_ANSWER_BYTES);
    }
    const base = this.ctx.base(Dir.ToServer, this.at);
    this.ctx.emit(httpRequestRecord(base, req, this.index++, { httpVersion: '3', streamId: req.streamId }), { http: req });
  }

  private response(res: Http3Response): void {
    this.ctx.emit({
      type: 'http_response',
      ...this.ctx.base(Dir.ToClient, this.at),
      status: res.status,
      reason: '',
      request_frame: this.requestFrames.get(res.streamId) ?? null,
      body_bytes: res.bodyWireBytes,
      incomplete: res.incomplete,
      http_version: '3',
      stream_id: res.streamId,
    });
    this.dns.response(res.streamId, res);
  }
}

export const HTTP3_ROW: DetectionRow = {
  name: 'http3',
  transport: null, // only ever a child of QUIC
  sniff: () => false,
  create: (ctx) => new Http3Analyzer(ctx),
};
