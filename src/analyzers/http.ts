/**
 * HTTP/1.x over TCP: each request (`http`, with its parsed head and body as detail for the
 * report) and each final response (`http_response`), paired with the request it answers.
 *
 * Pairing (request_frame). HTTP/1.1 answers requests in order, so responses take the pending
 * requests in order. Packet loss breaks that only where a hole may have held the start of a
 * message (anything but a hole inside a body of known length): how many requests or responses
 * it held is unknown.
 * - A hole in the responses: they answered an unknown number of the pending requests. Pairing
 *   is unsure from the next response on.
 * - A hole in the requests: the requests before it are still answered in order; after them,
 *   responses may answer requests that were lost. Pairing is unsure from there on.
 * - A response when no request is pending (the request was missed): unsure from there on.
 * While unsure, a response gets request_frame null unless it lines up: the client sent exactly
 * one request since the server last sent anything (interim 1xx responses aside), after the
 * loss, and this response begins right there. A client that waits for each response before
 * its next request (keep-alive without pipelining, as browsers do) lines up at its next
 * request. A client seen pipelining never lines up: which of its requests the lost messages
 * were is not knowable. Once lined up, pairing is in order again.
 */
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import { HttpRequestParser, HttpResponseParser, looksLikeHttpRequest, type HttpRequest, type HttpResponse, type HttpResponseEvents } from '../proto/http1.js';
import { parseHttpDnsQuery, type HttpDnsQuery } from '../proto/httpdns.js';
import { keepTime, type Analyzer, type AnalyzerContext, type DetectionRow, type PacketTime } from './analyzer.js';
import { httpRequestRecord } from './http-request-record.js';
import { HTTPDNS_MAX_ANSWER_BYTES, reportHttpDns } from './httpdns-records.js';

/** An HTTP request whose response has not begun yet. */
interface PendingRequest {
  frame: number;
  method: string;
  /** the name lookup it makes, when it is an HTTPDNS query (proto/httpdns.ts) */
  dns: HttpDnsQuery | null;
  /** offset the server's stream had reached when the request was complete: its response starts there or later */
  at: number;
}

export class HttpAnalyzer implements Analyzer, HttpResponseEvents {
  private readonly requests: HttpRequestParser;
  private readonly responses: HttpResponseParser;
  private index = 0;
  /** requests whose response has not begun, in order (while unsure, only the last two are kept) */
  private readonly pending: PendingRequest[] = [];
  /** responses still paired with `pending` in order before pairing becomes unsure: Infinity when no loss lies ahead, 0 when unsure */
  private inOrder = Infinity;
  /** while unsure: a request complete before the server's stream reached this offset does not line up (it may precede the loss) */
  private lineUpFrom = 0;
  /** offset of the first interim (1xx) response since the last final one, -1 when none */
  private interimAt = -1;
  /** a response began while two requests or more were pending: the client pipelines */
  private pipelined = false;
  /** request_frame of the response in progress */
  private answers: number | null = null;
  /** the HTTPDNS query the response in progress answers */
  private answersDns: HttpDnsQuery | null = null;
  /** the packet whose bytes (or gap) were parsed last: messages completed at close are reported there */
  private readonly at: PacketTime = { frame: 0, tsSec: 0, tsNsec: 0 };

  constructor(private readonly ctx: AnalyzerContext) {
    this.requests = new HttpRequestParser(ctx.limits, ctx.anomalies, (req) => this.request(req));
    this.responses = new HttpResponseParser(ctx.limits, ctx.anomalies, this);
    if (ctx.clientStartLost) {
      // the stream's start was lost: both directions begin at their next start line
      this.requests.skipToStartLine();
      this.responses.skipToStartLine();
      // requests before the first one found were lost (a hole in the requests); the server's
      // bytes since were not parsed, but if it sent any, it answered something
      this.inOrder = 0;
      this.lineUpFrom = ctx.serverSentAfterLoss ? 0 : 1;
    }
  }

  data(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    keepTime(this.at, meta);
    (dir === Dir.ToServer ? this.requests : this.responses).pushRange(buf, from, to);
  }

  /** HTTP keeps its place in a body of known length, or finds the next start line */
  gap(dir: Dir, missed: number, meta: PacketMeta): void {
    keepTime(this.at, meta);
    if (!(dir === Dir.ToServer ? this.requests : this.responses).gap(missed)) this.startsLost(dir);
  }

  datagram(): void {}

  wants(dir: Dir): boolean {
    return dir === Dir.ToServer ? !this.requests.failed : true;
  }

  /** messages still open end with what arrived (reported at the packet that brought their last bytes) */
  close(): void {
    this.requests.end();
    this.responses.end();
    // HTTPDNS queries that got no answer are reported with rcode null, as DNS queries are
    for (const p of this.pending) if (p.dns !== null) reportHttpDns(this.ctx, this.at, p.dns, null);
  }

  /** A hole in `dir` may have held the start of messages (how many is unknown): see the header. */
  private startsLost(dir: Dir): void {
    if (dir === Dir.ToClient) {
      this.inOrder = 0;
      this.lineUpFrom = Math.max(this.lineUpFrom, this.responses.offset);
      this.interimAt = -1;
    } else {
      // the requests before the hole (a request it cut is still to be reported) keep their answers
      this.inOrder = Math.min(this.inOrder, this.pending.length + (this.requests.inMessage ? 1 : 0));
      // and only a request sent after the server answered something since can line up
      this.lineUpFrom = Math.max(this.lineUpFrom, this.responses.offset + 1);
    }
  }

  /** A response begins at offset `at` of the server's stream: which request it answers (see the header). */
  responseStarts(at: number, interim: boolean): void {
    if (interim) {
      if (this.interimAt < 0) this.interimAt = at;
      return;
    }
    const from = this.interimAt >= 0 ? this.interimAt : at;
    this.interimAt = -1;
    const pending = this.pending;
    let req: PendingRequest | undefined;
    if (this.inOrder > 0) {
      if (pending.length > 1) this.pipelined = true;
      req = pending.shift();
      if (req !== undefined) {
        this.inOrder--;
      } else {
        // a response to a request not seen: it was lost, or not complete yet (an early response)
        this.inOrder = 0;
        this.lineUpFrom = Math.max(this.lineUpFrom, at + 1);
      }
    } else {
      const n = pending.length;
      const last = n > 0 ? pending[n - 1]! : undefined;
      if (last !== undefined && !this.pipelined && last.at >= this.lineUpFrom && last.at >= from && last.at <= at && (n === 1 || pending[n - 2]!.at < from)) {
        req = last;
        pending.length = 0;
        this.inOrder = Infinity;
        this.lineUpFrom = 0;
      }
    }
    this.answers = req === undefined ? null : req.frame;
    this.answersDns = req?.dns ?? null;
    this.responses.answering(req === undefined ? null : req.method, this.answersDns ? HTTPDNS_MAX_ANSWER_BYTES : 0);
  }

  response(res: HttpResponse): void {
    this.ctx.emit({
      type: 'http_response',
      ...this.ctx.base(Dir.ToClient, this.at),
      status: res.status,
      reason: res.reason,
      request_frame: this.answers,
      body_bytes: res.bodyWireBytes,
      incomplete: res.incomplete,
    });
    const dns = this.answersDns;
    this.answersDns = null;
    if (dns !== null) reportHttpDns(this.ctx, this.at, dns, res);
  }

  private request(req: HttpRequest): void {
    this.pending.push({ frame: this.at.frame, method: req.method, at: this.responses.offset, dns: parseHttpDnsQuery(req.method, req.uri) });
    // while unsure only the last two requests matter (see the header)
    if (this.inOrder === 0 && this.pending.length > 2) this.pending.splice(0, this.pending.length - 2);
    this.ctx.emit(httpRequestRecord(this.ctx.base(Dir.ToServer, this.at), req, this.index++), { http: req });
  }
}

/** Whether an HTTP request line starts in `b`, at its first byte or after a line feed. */
function requestLineIn(b: Uint8Array): boolean {
  if (looksLikeHttpRequest(b, 0, b.length)) return true;
  for (let i = b.indexOf(0x0a); i >= 0 && i + 1 < b.length; i = b.indexOf(0x0a, i + 1)) {
    if (looksLikeHttpRequest(b, i + 1, b.length)) return true;
  }
  return false;
}

export const HTTP_ROW: DetectionRow = {
  name: 'http',
  transport: 'tcp',
  // a request line can be found again after a loss (a lost segment must not hide the requests after it)
  sniff: (b, dir, hint) => dir === Dir.ToServer && (hint.clientStartLost ? requestLineIn(b) : looksLikeHttpRequest(b, 0, b.length)),
  create: (ctx) => new HttpAnalyzer(ctx),
};
