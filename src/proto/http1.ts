/**
 * HTTP/1.x over reassembled TCP bytes (RFC 9112), one parser per stream direction:
 * `HttpRequestParser` (client → server) emits each request with its decoded body;
 * `HttpResponseParser` (server → client) emits each final response's status line and headers
 * and skips its body; it reports where each response starts (its owner pairs responses with
 * requests) and takes, from its owner, the method of the request answered (HEAD frames no body).
 *
 * Both extend the framing engine of http1-framing.ts and take bytes split anywhere. Only the unconsumed part of a head, chunk-size line or
 * trailer is buffered (bounded by limits.maxHttpHeaderBytes); body bytes are consumed as they
 * arrive. Outcomes follow STYLE P6: a message, need more bytes, or malformed — an anomaly, after
 * which the direction is no longer parsed (`failed`), since HTTP/1 cannot resynchronise.
 *
 *   request-line  = method SP request-target SP HTTP-version CRLF
 *   status-line   = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 *   header-field  = field-name ":" OWS field-value OWS CRLF      (obs-fold: CRLF 1*( SP / HTAB ))
 *   chunked-body  = *chunk last-chunk trailer-section CRLF ;  chunk = chunk-size [ ext ] CRLF data CRLF
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { decodeContent } from './content-encoding.js';
import { Body, CR, Http1Stream, LF, SP, header, isTchar, type HttpHeader } from './http1-framing.js';

export interface HttpRequest {
  method: string;
  /** request-target exactly as sent (tshark's http.request.uri) */
  uri: string;
  /** 'HTTP/1.1', 'HTTP/1.0' */
  version: string;
  /** every header line in order, names as sent (at most limits.maxHttpHeaders) */
  headers: HttpHeader[];
  /** Host as sent, port included when present */
  host: string | null;
  userAgent: string | null;
  contentType: string | null;
  contentEncoding: string | null;
  transferEncoding: string | null;
  expectContinue: boolean;
  /** de-chunked and (when Content-Encoding says so) decompressed; at most the caps */
  body: Uint8Array;
  /** body bytes on the wire after de-chunking, counted in full even beyond the body cap */
  bodyWireBytes: number;
  /** only the first limits.maxHttpBodyBytes of the body were kept */
  bodyTruncated: boolean;
  /** why the Content-Encoding could not be (fully) undone; `body` then holds what could be */
  bodyDecodeError: string | null;
  /** the stream ended (or broke) before the body was complete */
  incomplete: boolean;
}

export interface HttpResponse {
  status: number;
  reason: string;
  version: string;
  headers: HttpHeader[];
  /** body bytes on the wire after de-chunking (the body itself is not kept) */
  bodyWireBytes: number;
  /** some of its bytes were not captured (a hole in the stream, or the capture ended inside it) */
  incomplete: boolean;
  /** the body (de-chunked, not decompressed), only when the owner asked for it with `answering` */
  body?: Uint8Array;
}

// a header's first value by name, and the framing engine the two parsers extend: http1-framing.ts
export { header, type HttpHeader } from './http1-framing.js';

/**
 * Methods that start an HTTP request on a TCP stream: RFC 9110, WebDAV (RFC 4918, 3253, 5323)
 * and UPnP GENA. M-SEARCH is left out on purpose: it only exists in SSDP, which is HTTP over
 * UDP and is not an HTTP request in the report (tshark oracle: `http.request && tcp`).
 */
const KNOWN_METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'CONNECT',
  'TRACE',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'REPORT',
  'MKACTIVITY',
  'CHECKOUT',
  'MERGE',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'NOTIFY',
].map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));

/**
 * True when [off, end) starts an HTTP request: a known method token followed by a space, or any
 * method token (RFC 9110 §9.1: a tchar token; unregistered methods included) whose whole
 * request line `method SP request-target SP HTTP/d.d` is there.
 */
export function looksLikeHttpRequest(b: Uint8Array, off: number, end: number): boolean {
  end = Math.min(end, b.length);
  for (const m of KNOWN_METHODS) {
    if (end - off < m.length + 1 || b[off + m.length] !== SP) continue;
    let i = 0;
    while (i < m.length && b[off + i] === m[i]) i++;
    if (i === m.length) return true;
  }
  return requestLineWithAnyMethod(b, off, end);
}

/** Longest method token accepted by content alone (as the parser's start-line check). */
const MAX_METHOD_LEN = 32;
const HTTP_VERSION_PREFIX = Uint8Array.from('HTTP/', (c) => c.charCodeAt(0));

/** `token SP target SP HTTP/d.d (CR)LF` at off: an unregistered method needs its whole line as evidence. */
function requestLineWithAnyMethod(b: Uint8Array, off: number, end: number): boolean {
  let i = off;
  while (i < end && i - off <= MAX_METHOD_LEN && isTchar(b[i]!)) i++;
  if (i === off || i - off > MAX_METHOD_LEN || i >= end || b[i] !== SP) return false;
  const targetStart = ++i;
  // the request-target: visible ASCII up to the next SP (RFC 9112 §3.2)
  while (i < end && b[i]! > SP && b[i]! < 0x7f) i++;
  if (i === targetStart || i >= end || b[i] !== SP) return false;
  i++;
  if (end - i < HTTP_VERSION_PREFIX.length + 4) return false;
  for (let k = 0; k < HTTP_VERSION_PREFIX.length; k++) if (b[i + k] !== HTTP_VERSION_PREFIX[k]) return false;
  i += HTTP_VERSION_PREFIX.length;
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  if (!isDigit(b[i]!) || b[i + 1] !== 0x2e || !isDigit(b[i + 2]!)) return false;
  return b[i + 3] === LF || (b[i + 3] === CR && (i + 4 === end || b[i + 4] === LF));
}

/** Client → server: emits every request with its (decoded, capped) body. */
export class HttpRequestParser extends Http1Stream {
  private method = '';
  private uri = '';
  private version = '';
  private bodyParts: Uint8Array[] = [];
  private bodyKept = 0;
  private bodyTruncated = false;
  private emittedHead = false;
  /** the last request asked for a protocol switch: what follows may legitimately not be HTTP */
  private upgradeAsked = false;

  constructor(
    limits: Limits,
    ctx: AnomalySink,
    private readonly onRequest: (req: HttpRequest) => void,
  ) {
    super(limits, ctx);
  }

  protected override expectsNonHttp(): boolean {
    return this.upgradeAsked;
  }
  protected malformedCode() {
    return 'http_request_malformed' as const;
  }

  protected startLinePrefixOk(b: Uint8Array, off: number, end: number): boolean {
    // method token then SP; the rest is checked when the line is complete
    for (let i = off; i < end; i++) {
      const c = b[i]!;
      if (c === SP) return i > off;
      if (!isTchar(c) || i - off > 32) return false;
    }
    return true;
  }

  protected startLine(line: string): boolean {
    const sp1 = line.indexOf(' ');
    const sp2 = line.lastIndexOf(' ');
    const version = line.slice(sp2 + 1);
    if (sp1 <= 0 || sp2 <= sp1 + 1 || !/^HTTP\/\d\.\d$/.test(version)) return false;
    this.method = line.slice(0, sp1);
    // the target as sent; spaces inside it (which some clients fail to escape) are kept
    this.uri = line.slice(sp1 + 1, sp2);
    this.version = version;
    this.bodyParts = [];
    this.bodyKept = 0;
    this.bodyTruncated = false;
    this.emittedHead = false;
    return true;
  }

  protected headComplete(at: number): Body {
    const h = this.headers;
    const connection = (header(h, 'connection') ?? '').toLowerCase();
    this.upgradeAsked = header(h, 'upgrade') !== null && connection.includes('upgrade');
    if (this.transferEncoding !== null) {
      if (!this.chunked) {
        // a request body's length is then unknowable (RFC 9112 §6.3): report what we have and stop
        this.fail('http_transfer_encoding_unsupported', at, this.transferEncoding);
        this.messageComplete(true);
        return Body.Stop;
      }
      if (this.contentLength >= 0 || this.contentLengthInvalid) this.ctx.anomaly('http_te_and_cl', at);
      return Body.Chunked;
    }
    if (this.contentLengthInvalid) {
      this.fail('http_content_length_invalid', this.clInvalidAt);
      this.messageComplete(true);
      return Body.Stop;
    }
    if (this.method === 'CONNECT') {
      // the rest of the stream is a tunnel (usually TLS), not more requests
      this.messageComplete(false);
      this.stopQuietly();
      return Body.Stop;
    }
    return this.contentLength > 0 ? Body.Length : Body.None;
  }

  protected bodyData(b: Uint8Array, off: number, end: number): void {
    const room = this.limits.maxHttpBodyBytes - this.bodyKept;
    const n = end - off;
    if (n <= room) {
      if (n > 0) this.bodyParts.push(b.slice(off, end));
      this.bodyKept += n;
      return;
    }
    if (room > 0) this.bodyParts.push(b.slice(off, off + room));
    this.bodyKept += Math.max(0, room);
    if (!this.bodyTruncated) {
      this.bodyTruncated = true;
      this.limitHit('maxHttpBodyBytes', 0);
    }
  }

  protected messageComplete(incomplete: boolean): void {
    if (this.emittedHead) return;
    this.emittedHead = true;
    const h = this.headers;
    let body = concat(this.bodyParts, this.bodyKept);
    this.bodyParts = [];
    const contentEncoding = header(h, 'content-encoding');
    let bodyDecodeError: string | null = null;
    if (contentEncoding !== null && body.length > 0) {
      const d = decodeContent(body, contentEncoding, this.limits.maxDecompressedBytes);
      if (d.capped) this.limitHit('maxDecompressedBytes', 0);
      bodyDecodeError = d.error;
      // a cut-short body failing to decode to its end is expected, not an anomaly
      const cut = incomplete || this.bodyTruncated;
      if (d.error !== null && !(cut && d.error === 'truncated input')) this.ctx.anomaly('http_body_decode_failed', 0, `${contentEncoding}: ${d.error}`);
      body = d.bytes;
    }
    const expect = header(h, 'expect');
    this.onRequest({
      method: this.method,
      uri: this.uri,
      version: this.version,
      headers: h,
      host: header(h, 'host'),
      userAgent: header(h, 'user-agent'),
      contentType: header(h, 'content-type'),
      contentEncoding,
      transferEncoding: this.transferEncoding,
      expectContinue: expect !== null && expect.toLowerCase() === '100-continue',
      body,
      bodyWireBytes: this.bodyWireBytes,
      bodyTruncated: this.bodyTruncated,
      bodyDecodeError,
      incomplete,
    });
  }
}

/** What a response parser reports to its owner. */
export interface HttpResponseEvents {
  /**
   * A response's status line was read at stream offset `at`; `interim`: a 1xx that answers no
   * request (100 Continue, 103 Early Hints). The owner names the request it answers with
   * `answering(method)` before its head completes; unnamed, the body is framed as for a GET.
   */
  responseStarts(at: number, interim: boolean): void;
  /** a final response, complete (or cut short: `incomplete`) */
  response(res: HttpResponse): void;
}

/** Server → client: emits each final response's status and headers; bodies are skipped and counted. */
export class HttpResponseParser extends Http1Stream {
  private status = 0;
  private reason = '';
  private version = '';
  /** method of the request the response in progress answers */
  private method = 'GET';
  /** a 1xx interim response: skipped, not emitted, does not answer a request */
  private interim = false;
  private emitted = false;

  constructor(
    limits: Limits,
    ctx: AnomalySink,
    private readonly events: HttpResponseEvents,
  ) {
    super(limits, ctx);
  }

  /** body bytes of the response in progress to keep (`answering`), and those kept */
  private keepBytes = 0;
  private kept: Uint8Array[] = [];
  private keptLen = 0;

  /**
   * The response in progress answers a request with this method (null: not known, framed as for
   * a GET); `keepBody`: keep up to that many bytes of its body (an answer the owner reads, e.g.
   * HTTPDNS), bounded by limits.maxHttpBodyBytes.
   */
  answering(method: string | null, keepBody = 0): void {
    this.method = method ?? 'GET';
    this.keepBytes = Math.min(keepBody, this.limits.maxHttpBodyBytes);
  }

  protected malformedCode() {
    return 'http_response_malformed' as const;
  }

  protected startLinePrefixOk(b: Uint8Array, off: number, end: number): boolean {
    const want = 'HTTP/';
    for (let i = 0; i < want.length && off + i < end; i++) if (b[off + i] !== want.charCodeAt(i)) return false;
    return true;
  }

  protected startLine(line: string): boolean {
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(line);
    if (!m) return false;
    this.version = m[1]!;
    this.status = Number(m[2]);
    this.reason = m[3] ?? '';
    this.emitted = false;
    return true;
  }

  protected override messageStarts(at: number): void {
    const s = this.status;
    this.interim = s >= 100 && s < 200 && s !== 101;
    this.method = 'GET';
    this.events.responseStarts(at, this.interim);
  }

  protected headComplete(): Body {
    const s = this.status;
    if (this.interim) return Body.None; // 100 Continue, 103 Early Hints: the real response follows
    const method = this.method;
    if (s === 101 || (method === 'CONNECT' && s >= 200 && s < 300)) {
      // the connection now carries another protocol
      this.messageComplete(false);
      this.stopQuietly();
      return Body.Stop;
    }
    if (method === 'HEAD' || s === 204 || s === 304) return Body.None;
    if (this.transferEncoding !== null) return this.chunked ? Body.Chunked : Body.UntilClose;
    if (this.contentLengthInvalid) {
      this.fail('http_content_length_invalid', this.clInvalidAt);
      this.messageComplete(true);
      return Body.Stop;
    }
    if (this.contentLength >= 0) return this.contentLength > 0 ? Body.Length : Body.None;
    return Body.UntilClose;
  }

  protected bodyData(b: Uint8Array, off: number, end: number): void {
    // response bodies are counted (bodyWireBytes), kept only when the owner asked
    const n = Math.min(end - off, this.keepBytes - this.keptLen);
    if (n <= 0) return;
    this.kept.push(b.slice(off, off + n));
    this.keptLen += n;
  }

  protected messageComplete(incomplete: boolean): void {
    if (this.interim || this.emitted) return;
    this.emitted = true;
    const res: HttpResponse = {
      status: this.status,
      reason: this.reason,
      version: this.version,
      headers: this.headers,
      bodyWireBytes: this.bodyWireBytes,
      incomplete,
    };
    if (this.keepBytes > 0) res.body = concat(this.kept, this.keptLen);
    this.kept = [];
    this.keptLen = 0;
    this.keepBytes = 0;
    this.events.response(res);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
