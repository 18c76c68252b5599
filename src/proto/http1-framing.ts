/**
 * The HTTP/1.x framing engine both directions share (RFC 9112 §6): heads (start line and
 * header fields, obs-fold), Content-Length, chunked and until-close bodies, message counting,
 * buffering of the unconsumed remainder, resynchronisation after a capture gap. The request and
 * response parsers (http1.ts) read their start line, decide the body framing and take the body.
 */
import { CarryBuffer } from './carry.js';
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';

export interface HttpHeader {
  name: string;
  value: string;
}

/** First value of the header `name`, compared case-insensitively; null when absent. */
export function header(h: readonly HttpHeader[], name: string): string | null {
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

export const SP = 0x20,
  HT = 0x09,
  CR = 0x0d,
  LF = 0x0a,
  COLON = 0x3a;

/** RFC 9110 tchar: the characters of a method or header-name token */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) {
  TCHAR[c] = 1;
  TCHAR[c + 0x20] = 1;
}
export const isTchar = (c: number): boolean => c < 128 && TCHAR[c] === 1;

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

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
export const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
  Stop,
}

const enum St {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Stopped,
}

/**
 * The framing engine both directions share: heads, Content-Length / chunked / until-close
 * bodies, message counting, buffering of the unconsumed remainder. Subclasses read the start
 * line, decide the body framing and receive body bytes.
 */
export abstract class Http1Stream {
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

  constructor(
    protected readonly limits: Limits,
    protected readonly ctx: AnomalySink,
  ) {}

  /** the bytes stopped making sense or broke a cap: nothing more is parsed */
  get failed(): boolean {
    return this._failed;
  }
  /** bytes of this direction so far, parsed, held or lost: the stream offset of the next byte to arrive */
  get offset(): number {
    return this.streamOff + this.carry.length;
  }
  /** a message has begun and is still to be reported (its head is partly read, or its body is in progress) */
  get inMessage(): boolean {
    return this.st === St.Head ? !this.resyncing && this.carry.length > 0 : this.st !== St.Stopped;
  }
  /** nothing more will be parsed (failed, a tunnel or protocol switch, or end()) */
  get stopped(): boolean {
    return this.st === St.Stopped;
  }

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
  protected expectsNonHttp(): boolean {
    return false;
  }

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
  protected fail(
    code:
      | 'http_request_malformed'
      | 'http_response_malformed'
      | 'http_content_length_invalid'
      | 'http_transfer_encoding_unsupported'
      | 'http_chunk_malformed'
      | null,
    off: number,
    detail?: string,
  ): void {
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
          if (b[off] === LF) {
            off += 1;
            this.st = St.ChunkSize;
            break;
          }
          if (b[off] !== CR) {
            this.chunkFail(at, 'no CRLF after chunk data');
            return end;
          }
          if (end - off < 2) return off;
          if (b[off + 1] !== LF) {
            this.chunkFail(at, 'no CRLF after chunk data');
            return end;
          }
          off += 2;
          this.st = St.ChunkSize;
          break;
        }
        case St.Trailers: {
          let lf = off;
          while (lf < end && b[lf] !== LF) lf++;
          if (lf === end) {
            if (this.trailerBytes + (end - off) > this.limits.maxHttpHeaderBytes) {
              this.limitHit('maxHttpHeaderBytes', at);
              this.fail(null, at);
              return end;
            }
            return off;
          }
          const lineLen = lf - off - (lf > off && b[lf - 1] === CR ? 1 : 0);
          this.trailerBytes += lf + 1 - off;
          off = lf + 1;
          if (lineLen === 0) this.finishMessage(at);
          else if (this.trailerBytes > this.limits.maxHttpHeaderBytes) {
            this.limitHit('maxHttpHeaderBytes', at);
            this.fail(null, at);
            return end;
          }
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
        if (i + 1 - off > cap) {
          this.limitHit('maxHttpHeaderBytes', this.streamOff + off);
          this.fail(null, off);
          return -1;
        }
        return i + 1;
      }
    }
    this.scanPos = end - off;
    if (end - off > cap) {
      this.limitHit('maxHttpHeaderBytes', this.streamOff + off);
      this.fail(null, off);
    }
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
        if (prev) {
          prev.value = prev.value ? `${prev.value} ${more}` : more;
          this.framingHeader(prev, lineOff);
        } else this.ctx.anomaly('http_header_malformed', lineOff, 'continuation line before any header');
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
            if (!capReported) {
              this.limitHit('maxHttpHeaders', lineOff);
              capReported = true;
            }
            prev = null;
          }
        }
      }
      ls = lf + 1;
    }
    if (this.stopped) return headEnd;

    switch (this.headComplete(at)) {
      case Body.None:
        this.finishMessage(at);
        break;
      case Body.Length:
        this.left = this.contentLength;
        this.st = St.Length;
        break;
      case Body.Chunked:
        this.st = St.ChunkSize;
        break;
      case Body.UntilClose:
        this.st = St.UntilClose;
        break;
      case Body.Stop:
        this.st = St.Stopped;
        break;
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
        if (!/^\d+$/.test(v) || digits.length > MAX_CONTENT_LENGTH_DIGITS) {
          this.contentLengthInvalid = true;
          continue;
        }
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
      if (end - off > this.limits.maxHttpHeaderBytes) {
        this.limitHit('maxHttpHeaderBytes', at);
        this.fail(null, at);
      }
      return -1;
    }
    const le = lf > off && b[lf - 1] === CR ? lf - 1 : lf;
    let i = off;
    while (i < le && b[i] === 0x30) i++; // leading zeros
    const first = i;
    let size = 0;
    while (i < le && HEX[b[i]!]! >= 0) {
      size = size * 16 + HEX[b[i]!]!;
      i++;
    }
    const digits = i - first;
    if (i === off) {
      this.chunkFail(at, 'chunk size is not hex');
      return -1;
    }
    if (digits > MAX_CHUNK_SIZE_DIGITS) {
      this.chunkFail(at, 'chunk size overflows');
      return -1;
    }
    while (i < le && (b[i] === SP || b[i] === HT)) i++;
    if (i < le && b[i] !== 0x3b /* ; */) {
      this.chunkFail(at, 'chunk size is not hex');
      return -1;
    }
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
