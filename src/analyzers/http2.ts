/**
 * HTTP/2 (src/proto/http2.ts) over one connection's two byte streams: each request (`http`, with
 * `http_version: "2"` and its `stream_id`, its parsed head and body as detail for the report, as
 * HTTP/1 requests) and each final response (`http_response`), paired with its request by stream
 * id; an HTTPDNS query's answer as `dns` records (transport `httpdns`), as over HTTP/1.x. A child of TLS when ALPN (or the first decrypted bytes) say h2; on its own for cleartext
 * HTTP/2 with prior knowledge (a TCP stream that begins with the connection preface).
 */
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import { HTTP2_PREFACE, Http2Connection, type Http2Request, type Http2Response } from '../proto/http2.js';
import { keepTime, type Analyzer, type AnalyzerContext, type DetectionRow, type FlowSummaryExtra, type PacketTime } from './analyzer.js';
import { httpRequestRecord } from './http-request-record.js';
import { HTTPDNS_MAX_ANSWER_BYTES, HttpDnsByStream } from './httpdns-records.js';

export class Http2Analyzer implements Analyzer {
  private readonly conn: Http2Connection;
  private index = 0;
  /** frame of each stream's request observation, until its response is reported */
  private readonly requestFrames = new Map<number, number>();
  /** the HTTPDNS queries among the requests, until their answers (bounded with requestFrames) */
  private readonly dns: HttpDnsByStream;
  /** the packet whose bytes were parsed last: messages are reported at the frame that completed them */
  private readonly at: PacketTime = { frame: 0, tsSec: 0, tsNsec: 0 };

  constructor(private readonly ctx: AnalyzerContext) {
    this.conn = new Http2Connection(ctx.limits, ctx.anomalies, { request: (r) => this.request(r), response: (r) => this.response(r) });
    this.dns = new HttpDnsByStream(ctx, this.at);
  }

  data(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    keepTime(this.at, meta);
    if (dir === Dir.ToServer) this.conn.pushClient(buf, from, to);
    else this.conn.pushServer(buf, from, to);
  }

  /** frame boundaries and the HPACK state are lost with the bytes: that direction stops */
  gap(dir: Dir, missed: number, meta: PacketMeta): void {
    keepTime(this.at, meta);
    if (dir === Dir.ToServer) this.conn.gapClient(missed);
    else this.conn.gapServer(missed);
  }

  datagram(): void {}

  wants(dir: Dir): boolean {
    return dir === Dir.ToServer ? !this.conn.clientStopped : !this.conn.serverStopped;
  }

  close(_summary: FlowSummaryExtra, meta: PacketMeta): void {
    keepTime(this.at, meta);
    this.conn.end();
    this.dns.end();
  }

  private request(req: Http2Request): void {
    // bounded: the oldest request still waiting for its response is forgotten first (its response then gets request_frame null)
    if (this.requestFrames.size >= this.ctx.limits.maxHttp2OpenStreams) {
      const oldest = this.requestFrames.keys().next().value!;
      this.requestFrames.delete(oldest);
      this.dns.forget(oldest);
    }
    this.requestFrames.set(req.streamId, this.at.frame);
    if (this.dns.request(req.streamId, req.method, req.uri)) {
      this.conn.keepResponseBody(req.streamId, HTTPDNS_MAX_ANSWER_BYTES);
    }
    const base = this.ctx.base(Dir.ToServer, this.at);
    this.ctx.emit(httpRequestRecord(base, req, this.index++, { httpVersion: '2', streamId: req.streamId }), { http: req });
  }

  private response(res: Http2Response): void {
    const frame = this.requestFrames.get(res.streamId);
    this.requestFrames.delete(res.streamId);
    this.ctx.emit({
      type: 'http_response',
      ...this.ctx.base(Dir.ToClient, this.at),
      status: res.status,
      reason: res.reason,
      request_frame: frame ?? null,
      body_bytes: res.bodyWireBytes,
      incomplete: res.incomplete,
      http_version: '2',
      stream_id: res.streamId,
    });
    this.dns.response(res.streamId, res);
  }
}

/** whether b[0, n) begins the HTTP/2 connection preface (all of it when 24 bytes or more are there) */
export function startsWithPreface(b: Uint8Array, from = 0, to = b.length): boolean {
  const n = Math.min(to - from, HTTP2_PREFACE.length);
  if (n < 4) return false;
  for (let i = 0; i < n; i++) if (b[from + i] !== HTTP2_PREFACE[i]) return false;
  return true;
}

export const HTTP2_ROW: DetectionRow = {
  name: 'http2',
  transport: 'tcp',
  // cleartext HTTP/2 with prior knowledge (RFC 9113 §3.3): the client's first bytes are the preface
  sniff: (b, dir, hint) => dir === Dir.ToServer && !hint.clientStartLost && startsWithPreface(b),
  create: (ctx) => new Http2Analyzer(ctx),
};
