/**
 * HTTP/1.x over reassembled TCP bytes (RFC 9112), one parser per stream direction:
 * `HttpRequestParser` (client → server) emits each request with its decoded body;
 * `HttpResponseParser` (server → client) emits each final response's status line and headers
 * and skips its body; it reports where each response starts (its owner pairs responses with
 * requests) and takes, from its owner, the method of the request answered (HEAD frames no body).
 *
 * Both take bytes split anywhere. Only the unconsumed part of a head, chunk-size line or
 * trailer is buffered (bounded by limits.maxHttpHeaderBytes); body bytes are consumed as they
 * arrive. Outcomes follow STYLE P6: a message, need more bytes, or malformed — an anomaly, after
 * which the direction is no longer parsed (`failed`), since HTTP/1 cannot resynchronise.
 *
 *   request-line  = method SP request-target SP HTTP-version CRLF
 *   status-line   = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 *   header-field  = field-name ":" OWS field-value OWS CRLF      (obs-fold: CRLF 1*( SP / HTAB ))
 *   chunked-body  = *chunk last-chunk trailer-section CRLF ;  chunk = chunk-size [ ext ] CRLF data CRLF
 */
import { CarryBuffer } from './carry.js';
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { decodeContent } from './content-encoding.js';

export interface HttpHeader { name: string; value: string }

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

/** First value of the header `name`, compared case-insensitively; null when absent. */
export function header(h: HttpHeader[], name: string): string | null {
  const lower = name.toLowerCase();
  for (let i = 0; i < h.length; i++) {
    if (isNamed(h[i]!, lower)) return h[i]!.value;
  }
  return null;
}

/**
 * Whether the header's name is `lower` (lowercase) in any case, without making a lowercased
 * copy: heads are searched for a handful of names each, and most names differ in length.
 * ASCII folding is enough: a field name is a token (RFC 9110 tchar), all ASCII.
 */
function isNamed(h: HttpHeader, lower: string): boolean {
  const name = h.name;
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c !== lower.charCodeAt(i) && (c < 0x41 || c > 0x5a || (c | 0x20) !== lower.charCodeAt(i))) return false;
  }
  return true;
}

const SP = 0x20, HT = 0x09, CR = 0x0d, LF = 0x0a, COLON = 0x3a;

/**
 * Methods that start an HTTP request on a TCP stream: RFC 9110, WebDAV (RFC 4918, 3253, 5323)
 * and UPnP GENA. M-SEARCH is left out on purpose: it only exists in SSDP, which is HTTP over
 * UDP and is not an HTTP request in the report (tshark oracle: `http.request && tcp`).
 */
const KNOWN_METHODS = [
  'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT',
  'MKACTIVITY', 'CHECKOUT', 'MERGE', 'SUBSCRIBE', 'UNSUBSCRIBE', 'NOTIFY',
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

/** RFC 9110 tchar: the characters of a method or header-name token */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) { TCHAR[c] = 1; TCHAR[c + 0x20] = 1; }
const isTchar = (c: number): boolean => c < 128 && TCHAR[c] === 1;

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) { HEX[0x41 + c] = 10 + c; HEX[0x61 + c] = 10 + c; }

/** More hex digits than this (leading zeros aside) cannot be a real chunk size: > 2^52. */
const MAX_CHUNK_SIZE_DIGITS = 13;
/** Content-Length digits accepted (leading zeros aside): < 10^15, within Number's exact range */
const MAX_CONTENT_LENGTH_DIGITS = 15;

/** The ArrayBuffer `utf8` last decoded from (kept alive until the next: a read chunk at most), and a Buffer over all of it. */
let viewedBuffer: ArrayBufferLike | null = null;
let bufferView: Buffer<ArrayBufferLike> = Buffer.alloc(0);

/**
 * b[start, end) decoded as UTF-8 (a byte-order mark is kept, as the bytes had it). Head text
 * comes from few ArrayBuffers (the reader's reused chunk, a carry buffer), so one Buffer view
 * per ArrayBuffer serves many heads: making one per head cost more than the decoding.
 */
function utf8(b: Uint8Array, start: number, end: number): string {
  const ab = b.buffer;
  if (ab !== viewedBuffer) {
    viewedBuffer = ab;
    bufferView = Buffer.from(ab);
  }
  // encoding left undefined (UTF-8, the default): Node then decodes at once, without looking
  // the encoding's name up on each call
  return bufferView.toString(undefined, b.byteOffset + start, b.byteOffset + end);
}

/** `headers` between messages (parseHead starts each head with a new array) */
const NO_HEADERS: HttpHeader[] = Object.freeze([]) as unknown as HttpHeader[];

/** SP, HT, VT and FF: the ASCII white space String.prototype.trim removes */
const isAsciiSpace = (c: number): boolean => c === SP || c === HT || c === 0x0b || c === 0x0c;

/**
 * The field value in b[from, to), trimmed as String.prototype.trim would: ASCII white space is
 * stepped over in the bytes, so most values are decoded once and not copied again by trim();
 * only a value with non-ASCII text at either end is trimmed as a string (NBSP, U+2028, a BOM...).
 */
function fieldValue(b: Uint8Array, from: number, to: number): string {
  while (from < to && isAsciiSpace(b[from]!)) from++;
  while (to > from && isAsciiSpace(b[to - 1]!)) to--;
  const text = utf8(b, from, to);
  return from < to && (b[from]! >= 0x80 || b[to - 1]! >= 0x80) ? text.trim() : text;
}

/** What follows a head. */
const enum Body { None, Length, Chunked, UntilClose, Stop }

const enum St { Head, Length, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Stopped }

/**
 * The framing engine both directions share: heads, Content-Length / chunked / until-close
 * bodies, message counting, buffering of the unconsumed remainder. Subclasses read the start
 * line, decide the body framing and receive body bytes.
 */
abstract class Http1Stream {
  private st: St = St.Head;
  private _failed = false;
  /** unconsumed bytes carried to the next push (a partial head, chunk-size line or CRLF) */
  private readonly carry = new CarryBuffer(256);
  /** stream offset of the first unconsumed byte (anomaly offsets are stream offsets) */
  private streamOff = 0;
  /** head scanning state, relative to the first unconsumed byte: resumes where the last push stopped */
  private scanPos = 0;
  private lineStart = 0;
  private firstLineChecked = false;
  /** body bytes still to come (Content-Length) or of the current chunk */
  private left = 0;
  private trailerBytes = 0;
  private messages = 0;
  /** a capture gap fell inside the current message's body: it is reported incomplete */
  private gapInMessage = false;
  /** a capture gap broke the framing: bytes are skipped up to a line that can start a message */
  private resyncing = false;

  // per message, while its head is parsed
  protected headers: HttpHeader[] = [];
  protected contentLength = -1;
  protected contentLengthInvalid = false;
  protected transferEncoding: string | null = null;
  protected chunked = false;
  protected bodyWireBytes = 0;

  constructor(protected readonly limits: Limits, protected readonly ctx: AnomalySink) {}

  /** the bytes stopped making sense or broke a cap: nothing more is parsed */
  get failed(): boolean { return this._failed; }
  /** bytes of this direction so far, parsed, held or lost: the stream offset of the next byte to arrive */
  get offset(): number { return this.streamOff + this.carry.length; }
  /** a message has begun and is still to be reported (its head is partly read, or its body is in progress) */
  get inMessage(): boolean {
    return this.st === St.Head ? !this.resyncing && this.carry.length > 0 : this.st !== St.Stopped;
  }
  /** nothing more will be parsed (failed, a tunnel or protocol switch, or end()) */
  get stopped(): boolean { return this.st === St.Stopped; }

  /** Whether [off, end) can still be the beginning of a start line (checked before the line is complete). */
  protected abstract startLinePrefixOk(b: Uint8Array, off: number, end: number): boolean;
  /** Reads the complete start line; false (after an anomaly) when it is not one. May be called more than once per message. */
  protected abstract startLine(line: string): boolean;
  /** A message begins: its start line, at stream offset `at`, was read and accepted (once per message). */
  protected messageStarts(_at: number): void {}
  /** Decides how the body of the message just parsed is framed. */
  protected abstract headComplete(streamOff: number): Body;
  protected abstract bodyData(b: Uint8Array, off: number, end: number): void;
  protected abstract messageComplete(incomplete: boolean): void;
  /** The stream stopped early: true if that was expected (e.g. after an Upgrade) and needs no anomaly. */
  protected expectsNonHttp(): boolean { return false; }

  push(bytes: Uint8Array): void {
    this.pushRange(bytes, 0, bytes.length);
  }

  /** push(buf[from, to)): in the middle of a body no view of the bytes is made */
  pushRange(buf: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.st === St.Stopped || n <= 0) return;
    if (this.st === St.Length && n < this.left && this.carry.length === 0) {
      // the middle of a body (a download, segment after segment): no joining, no parsing loop
      this.takeBody(buf, from, n);
      this.streamOff += n;
      return;
    }
    const data = this.carry.join(from === 0 && to === buf.length ? buf : buf.subarray(from, to));
    const used = this.consume(data, data.length);
    this.streamOff += used;
    if (this.stopped) this.carry.clear();
    else this.carry.keep(data, used);
  }

  /**
   * `n` bytes of this direction were lost by the capture. Inside a body of known length the
   * parser stays in step and the message is reported incomplete when it ends. Anywhere else
   * the framing is lost: the message in progress is reported with what arrived, and parsing
   * resumes at the next line that is a start line (so one lost segment does not hide, or
   * swallow into a body, the requests after it).
   *
   * Returns true when the hole certainly lies inside the body of the message in progress (or
   * nothing more is parsed); false when it may have held the start of one or more messages,
   * which are then not reported: how many is unknown.
   */
  gap(n: number): boolean {
    if (this.st === St.Stopped || n <= 0) return true;
    const at = this.streamOff;
    this.streamOff += n;
    if ((this.st === St.Length || this.st === St.ChunkData) && n <= this.left && this.carry.length === 0) {
      this.gapInMessage = true;
      this.bodyWireBytes += n;
      this.left -= n;
      if (this.left === 0) {
        if (this.st === St.Length) this.finishMessage(at);
        else this.st = St.ChunkDataEnd;
      }
      return true;
    }
    if (this.st === St.UntilClose) {
      this.gapInMessage = true;
      this.bodyWireBytes += n;
      return true;
    }
    if (this.st === St.Head && (this.carry.length > 0 || this.scanPos > 0)) {
      // a head in progress: read on across the hole (its start line is known; what it names
      // may be cut), as before this gap handling, and report the message incomplete. The hole
      // may still have held more than the rest of this head.
      this.gapInMessage = true;
      return false;
    }
    // at a message boundary the lost bytes began the next message; in a chunked body's framing
    // or past a body's end the place is lost: either way, on to the next start line
    if (this.st !== St.Head) this.messageComplete(true);
    this.gapInMessage = false;
    this.skipToStartLine();
    return false;
  }

  /** Drops what is held and reads on from the next line that is a start line (the stream's start was lost). */
  skipToStartLine(): void {
    if (this.st === St.Stopped) return;
    this.streamOff += this.carry.length; // the dropped bytes come before the next one to arrive
    this.carry.clear();
    this.scanPos = 0;
    this.lineStart = 0;
    this.firstLineChecked = false;
    this.st = St.Head;
    this.resyncing = true;
  }

  /**
   * After a gap: the offset of the first line in b[off, end) that is a start line (resyncing
   * ends), or, still resyncing, how far the bytes can be dropped (an unfinished line that may
   * yet be a start line is kept).
   */
  private resync(b: Uint8Array, off: number, end: number): number {
    for (let p = off; p < end;) {
      let lf = p;
      while (lf < end && b[lf] !== LF) lf++;
      if (lf === end) return end - p <= this.limits.maxHttpHeaderBytes && this.startLinePrefixOk(b, p, end) ? p : end;
      const le = lf > p && b[lf - 1] === CR ? lf - 1 : lf;
      if (this.startLinePrefixOk(b, p, le) && this.startLine(utf8(b, p, le))) {
        this.resyncing = false;
        return p;
      }
      p = lf + 1;
    }
    return end;
  }

  /** The direction closed: a message in progress is completed with what arrived. */
  end(): void {
    switch (this.st) {
      case St.Head:
        if (this.carry.length > 0) this.ctx.anomaly('http_message_incomplete', this.streamOff, 'head');
        break;
      case St.UntilClose:
      case St.Trailers: // every chunk arrived; only the final CRLF is missing
        this.messageComplete(this.gapInMessage);
        break;
      case St.Length:
      case St.ChunkSize:
      case St.ChunkData:
      case St.ChunkDataEnd:
        this.ctx.anomaly('http_message_incomplete', this.streamOff, 'body');
        this.messageComplete(true);
        break;
      case St.Stopped:
        break;
    }
    this.st = St.Stopped;
    this.carry.clear();
  }

  /** Stops parsing for good after a malformed message or a cap. */
  protected fail(code: 'http_request_malformed' | 'http_response_malformed' | 'http_content_length_invalid' | 'http_transfer_encoding_unsupported' | 'http_chunk_malformed' | null, off: number, detail?: string): void {
    if (code !== null) this.ctx.anomaly(code, off, detail);
    this._failed = true;
    this.st = St.Stopped;
  }

  protected limitHit(name: keyof Limits, off: number): void {
    this.ctx.anomaly('limit_reached', off, name);
  }

  /** `n` body bytes of a Content-Length body or a chunk at b[off]; returns the offset after them. */
  private takeBody(b: Uint8Array, off: number, n: number): number {
    this.bodyWireBytes += n;
    this.bodyData(b, off, off + n);
    this.left -= n;
    return off + n;
  }

  /** Parses as much of b[0, end) as possible; returns the bytes consumed. */
  private consume(b: Uint8Array, end: number): number {
    let off = 0;
    while (off < end) {
      const at = this.streamOff + off;
      switch (this.st) {
        case St.Head: {
          if (this.resyncing) {
            off = this.resync(b, off, end);
            if (this.resyncing) return off;
          }
          if (this.scanPos === 0) {
            // blank lines between messages are tolerated (RFC 9112 §2.2)
            while (off < end && (b[off] === CR || b[off] === LF)) off++;
            if (off === end) return off;
          }
          const headEnd = this.findHeadEnd(b, off, end);
          if (headEnd < 0) return this.stopped ? end : off;
          off = this.parseHead(b, off, headEnd);
          break;
        }
        case St.Length: {
          off = this.takeBody(b, off, Math.min(this.left, end - off));
          if (this.left === 0) this.finishMessage(at);
          break;
        }
        case St.ChunkSize: {
          const next = this.chunkSizeLine(b, off, end);
          if (next < 0) return this.stopped ? end : off;
          off = next;
          break;
        }
        case St.ChunkData: {
          off = this.takeBody(b, off, Math.min(this.left, end - off));
          if (this.left === 0) this.st = St.ChunkDataEnd;
          break;
        }
        case St.ChunkDataEnd: {
          if (b[off] === LF) { off += 1; this.st = St.ChunkSize; break; }
          if (b[off] !== CR) { this.chunkFail(at, 'no CRLF after chunk data'); return end; }
          if (end - off < 2) return off;
          if (b[off + 1] !== LF) { this.chunkFail(at, 'no CRLF after chunk data'); return end; }
          off += 2;
          this.st = St.ChunkSize;
          break;
        }
        case St.Trailers: {
          let lf = off;
          while (lf < end && b[lf] !== LF) lf++;
          if (lf === end) {
            if (this.trailerBytes + (end - off) > this.limits.maxHttpHeaderBytes) { this.limitHit('maxHttpHeaderBytes', at); this.fail(null, at); return end; }
            return off;
          }
          const lineLen = lf - off - (lf > off && b[lf - 1] === CR ? 1 : 0);
          this.trailerBytes += lf + 1 - off;
          off = lf + 1;
          if (lineLen === 0) this.finishMessage(at);
          else if (this.trailerBytes > this.limits.maxHttpHeaderBytes) { this.limitHit('maxHttpHeaderBytes', at); this.fail(null, at); return end; }
          break;
        }
        case St.UntilClose:
          this.bodyWireBytes += end - off;
          this.bodyData(b, off, end);
          return end;
        case St.Stopped:
          return end;
      }
    }
    return off;
  }

  /**
   * Offset just past the blank line ending the head that starts at `off`, or -1 (need more
   * bytes, or the stream was stopped). The start line is checked as soon as it is visible, so
   * non-HTTP bytes are refused without buffering a whole head's worth of them.
   */
  private findHeadEnd(b: Uint8Array, off: number, end: number): number {
    if (!this.firstLineChecked && !this.startLinePrefixOk(b, off, end)) {
      this.rejectStartLine(off);
      return -1;
    }
    const cap = this.limits.maxHttpHeaderBytes;
    for (let i = off + this.scanPos; i < end; i++) {
      if (b[i] !== LF) continue;
      const ls = off + this.lineStart;
      const empty = i === ls || (i === ls + 1 && b[ls] === CR);
      this.lineStart = i + 1 - off;
      if (!this.firstLineChecked) {
        this.firstLineChecked = true;
        const le = i > off && b[i - 1] === CR ? i - 1 : i;
        if (!this.startLine(utf8(b, off, le))) {
          this.firstLineChecked = false;
          this.rejectStartLine(off);
          return -1;
        }
        this.messageStarts(this.streamOff + off);
        continue;
      }
      if (empty) {
        this.scanPos = 0;
        this.lineStart = 0;
        this.firstLineChecked = false;
        if (i + 1 - off > cap) { this.limitHit('maxHttpHeaderBytes', this.streamOff + off); this.fail(null, off); return -1; }
        return i + 1;
      }
    }
    this.scanPos = end - off;
    if (end - off > cap) { this.limitHit('maxHttpHeaderBytes', this.streamOff + off); this.fail(null, off); }
    return -1;
  }

  private rejectStartLine(off: number): void {
    if (this.expectsNonHttp()) this.st = St.Stopped;
    else this.fail(this.malformedCode(), this.streamOff + off);
  }

  protected abstract malformedCode(): 'http_request_malformed' | 'http_response_malformed';

  /** Parses the complete head [off, headEnd) and sets up the body; returns headEnd. */
  private parseHead(b: Uint8Array, off: number, headEnd: number): number {
    const at = this.streamOff + off;
    this.headers = [];
    this.contentLength = -1;
    this.contentLengthInvalid = false;
    this.transferEncoding = null;
    this.chunked = false;
    this.bodyWireBytes = 0;
    let lines = 0;
    let capReported = false;
    let prev: HttpHeader | null = null;
    for (let ls = off; ls < headEnd;) {
      let lf = ls;
      while (b[lf] !== LF) lf++;
      const le = lf > ls && b[lf - 1] === CR ? lf - 1 : lf;
      const lineOff = this.streamOff + ls;
      if (lines++ === 0) {
        // the start line: findHeadEnd has read it already
      } else if (le > ls && (b[ls] === SP || b[ls] === HT)) {
        // obs-fold: a continuation of the previous field value
        const more = utf8(b, ls, le).trim();
        if (prev) { prev.value = prev.value ? `${prev.value} ${more}` : more; this.framingHeader(prev, lineOff); }
        else this.ctx.anomaly('http_header_malformed', lineOff, 'continuation line before any header');
      } else if (le > ls) {
        let colon = ls;
        while (colon < le && isTchar(b[colon]!)) colon++;
        if (colon === ls || colon === le || b[colon] !== COLON) {
          this.ctx.anomaly('http_header_malformed', lineOff, colon === le || colon === ls ? 'no field name and colon' : 'invalid character in field name');
          prev = null;
        } else {
          const h: HttpHeader = { name: utf8(b, ls, colon), value: fieldValue(b, colon + 1, le) };
          this.framingHeader(h, lineOff);
          if (this.headers.length < this.limits.maxHttpHeaders) {
            this.headers.push(h);
            prev = h;
          } else {
            if (!capReported) { this.limitHit('maxHttpHeaders', lineOff); capReported = true; }
            prev = null;
          }
        }
      }
      ls = lf + 1;
    }
    if (this.stopped) return headEnd;

    switch (this.headComplete(at)) {
      case Body.None: this.finishMessage(at); break;
      case Body.Length: this.left = this.contentLength; this.st = St.Length; break;
      case Body.Chunked: this.st = St.ChunkSize; break;
      case Body.UntilClose: this.st = St.UntilClose; break;
      case Body.Stop: this.st = St.Stopped; break;
    }
    return headEnd;
  }

  /** Notes the headers that frame the body; every one counts, even past the header cap. */
  private framingHeader(h: HttpHeader, at: number): void {
    if (isNamed(h, 'content-length')) {
      // "12" or a list of identical values ("12, 12") from a proxy joining duplicates
      for (const part of h.value.split(',')) {
        const v = part.trim();
        const digits = v.replace(/^0+(?=\d)/, '');
        if (!/^\d+$/.test(v) || digits.length > MAX_CONTENT_LENGTH_DIGITS) { this.contentLengthInvalid = true; continue; }
        const n = Number(digits);
        if (this.contentLength >= 0 && this.contentLength !== n) this.contentLengthInvalid = true;
        this.contentLength = n;
      }
      if (this.contentLengthInvalid) this.clInvalidAt = at;
    } else if (isNamed(h, 'transfer-encoding')) {
      this.transferEncoding = this.transferEncoding === null ? h.value : `${this.transferEncoding}, ${h.value}`;
      const codings = this.transferEncoding.split(',');
      this.chunked = codings[codings.length - 1]!.trim().toLowerCase() === 'chunked';
    }
  }
  protected clInvalidAt = 0;

  /** chunk-size [ chunk-ext ] CRLF: returns the offset after it, or -1 (need more, or stopped) */
  private chunkSizeLine(b: Uint8Array, off: number, end: number): number {
    const at = this.streamOff + off;
    let lf = off;
    while (lf < end && b[lf] !== LF) lf++;
    if (lf === end) {
      if (end - off > this.limits.maxHttpHeaderBytes) { this.limitHit('maxHttpHeaderBytes', at); this.fail(null, at); }
      return -1;
    }
    const le = lf > off && b[lf - 1] === CR ? lf - 1 : lf;
    let i = off;
    while (i < le && b[i] === 0x30) i++; // leading zeros
    const first = i;
    let size = 0;
    while (i < le && HEX[b[i]!]! >= 0) { size = size * 16 + HEX[b[i]!]!; i++; }
    const digits = i - first;
    if (i === off) { this.chunkFail(at, 'chunk size is not hex'); return -1; }
    if (digits > MAX_CHUNK_SIZE_DIGITS) { this.chunkFail(at, 'chunk size overflows'); return -1; }
    while (i < le && (b[i] === SP || b[i] === HT)) i++;
    if (i < le && b[i] !== 0x3b /* ; */) { this.chunkFail(at, 'chunk size is not hex'); return -1; }
    if (size === 0) {
      this.trailerBytes = 0;
      this.st = St.Trailers;
    } else {
      this.left = size;
      this.st = St.ChunkData;
    }
    return lf + 1;
  }

  private chunkFail(at: number, detail: string): void {
    this.fail('http_chunk_malformed', at, detail);
    this.messageComplete(true);
  }

  private finishMessage(at: number): void {
    this.st = St.Head;
    const incomplete = this.gapInMessage;
    this.gapInMessage = false;
    this.messageComplete(incomplete);
    // the message is handed on: its headers are not held for the life of the connection
    this.headers = NO_HEADERS;
    if (++this.messages >= this.limits.maxHttpRequestsPerStream && !this.stopped) {
      this.limitHit('maxHttpRequestsPerStream', at);
      this.fail(null, at);
    }
  }

  /** The caller decided to stop (a tunnel or protocol switch): not a failure. */
  protected stopQuietly(): void {
    this.st = St.Stopped;
  }
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

  constructor(limits: Limits, ctx: AnomalySink, private readonly onRequest: (req: HttpRequest) => void) {
    super(limits, ctx);
  }

  protected override expectsNonHttp(): boolean { return this.upgradeAsked; }
  protected malformedCode() { return 'http_request_malformed' as const; }

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

  constructor(limits: Limits, ctx: AnomalySink, private readonly events: HttpResponseEvents) {
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

  protected malformedCode() { return 'http_response_malformed' as const; }

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
    const res: HttpResponse = { status: this.status, reason: this.reason, version: this.version, headers: this.headers, bodyWireBytes: this.bodyWireBytes, incomplete };
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
  for (const part of parts) { out.set(part, p); p += part.length; }
  return out;
}
