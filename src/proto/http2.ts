/**
 * HTTP/2 over the two decrypted byte streams of a connection (RFC 9113): the client's connection
 * preface, frames, header blocks (HEADERS / PUSH_PROMISE + CONTINUATION, decoded by one HPACK
 * decoder per direction), DATA per stream. It reports each request when its client half ends
 * (END_STREAM, a reset, or the end of the capture) with its body decoded per Content-Encoding,
 * and each final response (status, headers, body size) when its server half ends.
 *
 *   frame = length(24) type(8) flags(8) R(1) stream-id(31) payload(length)
 *   DATA 0 [pad-len] data [padding]            HEADERS 1 [pad-len] [dep(32) weight(8)] block [padding]
 *   RST_STREAM 3, SETTINGS 4, PUSH_PROMISE 5 [pad-len] promised-id(32) block [padding]
 *   GOAWAY 7, WINDOW_UPDATE 8, CONTINUATION 9 block; others (PRIORITY, PING, unknown) are skipped
 *
 * Bytes arrive split anywhere (STYLE P6): a frame header is held until complete, DATA payloads are
 * taken as they come (no frame is buffered whole), other payloads are gathered up to
 * limits.maxHttp2HeaderBlockBytes. Malformed framing inside a frame (padding longer than the frame,
 * a CONTINUATION out of place) is an anomaly and the frame is skipped; frame boundaries stay known.
 * A hole in the capture loses them, and the HPACK state with them: that direction stops
 * (`http2_gap`). Hostile input is bounded: header blocks (limits.maxHttp2HeaderBlockBytes, endless
 * CONTINUATION included), open streams (maxHttp2OpenStreams), body bytes kept per stream
 * (maxHttpBodyBytes, counted beyond) and per connection (maxHttp2BufferedBodyBytes).
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { decodeContent } from './content-encoding.js';
import { HpackDecoder, type HpackField } from './hpack.js';
import { header, type HttpHeader, type HttpRequest, type HttpResponse } from './http1.js';

/** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4) */
export const HTTP2_PREFACE = Uint8Array.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', (c) => c.charCodeAt(0));
const FRAME_HEADER_LEN = 9;

/** A request as HTTP/1 reports one (src/proto/http1.ts), from its pseudo-headers, plus its stream. */
export interface Http2Request extends HttpRequest {
  /** HTTP/2 stream id (odd: client-initiated) */
  streamId: number;
  /** :scheme */
  scheme: string | null;
}

export interface Http2Response extends HttpResponse {
  streamId: number;
}

export interface Http2Handlers {
  /** a request's client half ended; `at` is the client-direction stream offset of its HEADERS frame */
  request(req: Http2Request, at: number): void;
  /** a final response's server half ended; `at` is the server-direction stream offset of its HEADERS frame */
  response(res: Http2Response, at: number): void;
}

export type Http2Limits = Pick<
  Limits,
  | 'maxHpackTableBytes'
  | 'maxHttpHeaderBytes'
  | 'maxHttpHeaders'
  | 'maxHttp2HeaderBlockBytes'
  | 'maxHttp2ContinuationFrames'
  | 'maxHttp2OpenStreams'
  | 'maxHttp2BufferedBodyBytes'
  | 'maxHttpBodyBytes'
  | 'maxDecompressedBytes'
>;

const enum FrameType {
  Data = 0,
  Headers = 1,
  Priority = 2,
  RstStream = 3,
  Settings = 4,
  PushPromise = 5,
  Ping = 6,
  GoAway = 7,
  WindowUpdate = 8,
  Continuation = 9,
}
const END_STREAM = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY = 0x20;
const SETTINGS_HEADER_TABLE_SIZE = 1;

const enum St {
  Preface,
  Header,
  Payload,
  Stopped,
}
/** what is done with a frame's payload bytes as they arrive */
const enum Take {
  Skip,
  Collect,
  Data,
}

const NOTHING = new Uint8Array(0);

/** One stream's request and response halves. */
class Stream {
  req: Http2Request | null = null;
  reqAt = 0;
  reqDone = false;
  bodyParts: Uint8Array[] = [];
  bodyKept = 0;
  bodyWire = 0;
  bodyTruncated = false;
  res: Http2Response | null = null;
  resAt = 0;
  resDone = false;
  resBodyWire = 0;
  /** response body bytes to keep (keepResponseBody: an answer its owner reads), and those kept */
  resKeep = 0;
  resParts: Uint8Array[] = [];
  resKept = 0;
  /** one side reset the stream: the other side's bytes already on the way may still come, without END_STREAM */
  reset = false;
  constructor(readonly id: number) {}
}

/** one direction's framing state */
class Direction {
  st: St;
  /** stream offset of the next byte */
  off = 0;
  prefaceSeen = 0;
  readonly head = new Uint8Array(FRAME_HEADER_LEN);
  headLen = 0;
  // the frame in progress
  type = 0;
  flags = 0;
  streamId = 0;
  length = 0;
  frameAt = 0;
  left = 0;
  take = Take.Skip;
  /** bytes of the payload gathered (Collect), up to collectMax */
  collect: Uint8Array = NOTHING; // grown on first use: many connections never carry a frame needing it
  collected = 0;
  collectMax = 0;
  // DATA: pad length still to read, data bytes left, then padding
  needPadLen = false;
  dataLeft = 0;
  // the header block in progress (HEADERS/PUSH_PROMISE without END_HEADERS, then CONTINUATION)
  block: Uint8Array = NOTHING;
  blockLen = 0;
  blockOpen = false;
  blockStream = 0;
  blockAt = 0;
  blockEndStream = false;
  blockPush = false;
  blockFrames = 0;
  /** the block in progress went over a cap: it is not decoded (and HPACK is then lost) */
  blockDropped = false;
  readonly hpack: HpackDecoder;
  constructor(
    readonly client: boolean,
    limits: Http2Limits,
    sink: AnomalySink,
  ) {
    this.st = client ? St.Preface : St.Header;
    this.hpack = new HpackDecoder(limits, sink);
  }
}

export class Http2Connection {
  private readonly c: Direction;
  private readonly s: Direction;
  private readonly streams = new Map<number, Stream>();
  private bufferedBody = 0;
  private readonly fields: HpackField[] = [];
  private streamsCapped = false;
  /** streams reset lately: the other side's frames may still come for them (bounded by maxHttp2OpenStreams) */
  private readonly resetIds = new Set<number>();

  constructor(
    private readonly limits: Http2Limits,
    private readonly sink: AnomalySink,
    private readonly handlers: Http2Handlers,
  ) {
    this.c = new Direction(true, limits, sink);
    this.s = new Direction(false, limits, sink);
  }

  /** both directions stopped (preface missing, gaps): nothing more will be parsed */
  get stopped(): boolean {
    return this.c.st === St.Stopped && this.s.st === St.Stopped;
  }
  /** the client direction is no longer parsed (no preface, a gap, end) */
  get clientStopped(): boolean {
    return this.c.st === St.Stopped;
  }
  /** the server direction is no longer parsed (the client's had no preface, a gap, end) */
  get serverStopped(): boolean {
    return this.s.st === St.Stopped;
  }
  /** streams with a request or response still in progress */
  get openStreams(): number {
    return this.streams.size;
  }

  /** client → server bytes b[from, to) */
  pushClient(b: Uint8Array, from = 0, to = b.length): void {
    this.push(this.c, b, from, to);
  }
  /** server → client bytes b[from, to) */
  pushServer(b: Uint8Array, from = 0, to = b.length): void {
    this.push(this.s, b, from, to);
  }

  /**
   * Keeps up to `maxBytes` of the body of stream `streamId`'s response (responses' bodies are
   * otherwise only counted): for an answer its owner reads, an HTTPDNS one. Called from the
   * `request` handler, before the response arrives.
   */
  keepResponseBody(streamId: number, maxBytes: number): void {
    const st = this.streams.get(streamId);
    if (st !== undefined) st.resKeep = Math.min(maxBytes, this.limits.maxHttpBodyBytes);
  }

  /** n bytes of the client direction were not captured */
  gapClient(n: number): void {
    this.gap(this.c, n);
  }
  /** n bytes of the server direction were not captured */
  gapServer(n: number): void {
    this.gap(this.s, n);
  }

  /** The capture ended: requests and responses in progress are reported with what arrived. */
  end(): void {
    for (const st of [...this.streams.values()]) {
      if (st.req !== null && !st.reqDone) {
        if (!st.reset) this.sink.anomaly('http2_stream_incomplete', this.c.off, `stream ${st.id} request`);
        this.finishRequest(st, true);
      }
      if (st.res !== null && !st.resDone) {
        if (!st.reset) this.sink.anomaly('http2_stream_incomplete', this.s.off, `stream ${st.id} response`);
        this.finishResponse(st, true);
      }
    }
    this.streams.clear();
    this.c.st = St.Stopped;
    this.s.st = St.Stopped;
  }

  private gap(d: Direction, n: number): void {
    if (d.st === St.Stopped || n <= 0) return;
    this.sink.anomaly('http2_gap', d.off, `${n} bytes ${d.client ? 'client' : 'server'} side`);
    d.off += n;
    d.st = St.Stopped;
  }

  private push(d: Direction, b: Uint8Array, from: number, to: number): void {
    let p = from;
    while (p < to) {
      switch (d.st) {
        case St.Stopped:
          d.off += to - p;
          return;
        case St.Preface: {
          while (p < to && d.prefaceSeen < HTTP2_PREFACE.length) {
            if (b[p] !== HTTP2_PREFACE[d.prefaceSeen]) {
              this.sink.anomaly('http2_preface_missing', d.off, undefined);
              d.st = St.Stopped;
              this.s.st = St.Stopped;
              break;
            }
            d.prefaceSeen++;
            p++;
            d.off++;
          }
          if (d.prefaceSeen === HTTP2_PREFACE.length) d.st = St.Header;
          break;
        }
        case St.Header: {
          const n = Math.min(FRAME_HEADER_LEN - d.headLen, to - p);
          for (let i = 0; i < n; i++) d.head[d.headLen + i] = b[p + i]!;
          d.headLen += n;
          p += n;
          d.off += n;
          if (d.headLen === FRAME_HEADER_LEN) this.frameStarts(d);
          break;
        }
        case St.Payload: {
          const n = Math.min(d.left, to - p);
          if (d.take === Take.Collect) {
            const room = Math.min(n, d.collectMax - d.collected);
            if (room > 0) {
              if (d.collected + room > d.collect.length) d.collect = grow(d.collect, d.collected, d.collected + room);
              d.collect.set(b.subarray(p, p + room), d.collected);
              d.collected += room;
            }
          } else if (d.take === Take.Data) {
            this.dataBytes(d, b, p, p + n);
          }
          p += n;
          d.off += n;
          d.left -= n;
          if (d.left === 0) this.frameEnds(d);
          break;
        }
      }
    }
  }

  /** A frame header is complete: decide what its payload is for. */
  private frameStarts(d: Direction): void {
    const h = d.head;
    d.length = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
    d.type = h[3]!;
    d.flags = h[4]!;
    d.streamId = ((h[5]! & 0x7f) << 24) | (h[6]! << 16) | (h[7]! << 8) | h[8]!;
    d.frameAt = d.off - FRAME_HEADER_LEN;
    d.headLen = 0;
    d.left = d.length;
    d.collected = 0;
    d.take = Take.Skip;

    if (d.blockOpen && (d.type !== FrameType.Continuation || d.streamId !== d.blockStream)) {
      // RFC 9113 §6.10: nothing may come between a header block's frames
      this.frameMalformed(d, `${frameName(d.type)} frame inside the header block of stream ${d.blockStream}`);
      this.dropBlock(d);
    }
    switch (d.type) {
      case FrameType.Data:
        if (d.streamId === 0) {
          this.frameMalformed(d, 'DATA on stream 0');
          break;
        }
        if (d.flags & PADDED && d.length === 0) {
          this.frameMalformed(d, 'DATA PADDED without a pad length');
          break;
        }
        d.take = Take.Data;
        d.needPadLen = (d.flags & PADDED) !== 0;
        d.dataLeft = d.needPadLen ? -1 : d.length;
        break;
      case FrameType.Headers:
      case FrameType.PushPromise:
      case FrameType.Continuation:
        if (d.streamId === 0) {
          this.frameMalformed(d, `${frameName(d.type)} on stream 0`);
          break;
        }
        if (d.type === FrameType.Continuation && !d.blockOpen) {
          if (!d.blockDropped) this.frameMalformed(d, 'CONTINUATION without a header block in progress');
          break;
        }
        this.collectUpTo(d, d.length, 'maxHttp2HeaderBlockBytes', d.type === FrameType.Continuation ? d.blockLen : 0);
        break;
      case FrameType.Settings:
        if (d.streamId !== 0 || d.length % 6 !== 0) {
          this.frameMalformed(d, 'SETTINGS on a stream or with a length not a multiple of 6');
          break;
        }
        this.collectUpTo(d, d.length, 'maxHttp2HeaderBlockBytes', 0);
        break;
      case FrameType.RstStream:
        d.take = Take.Collect;
        d.collectMax = Math.min(d.length, 4);
        break;
      default:
        // PRIORITY, PING, GOAWAY, WINDOW_UPDATE and unknown types (§5.5) carry nothing reported
        break;
    }
    d.st = St.Payload;
    if (d.left === 0) this.frameEnds(d);
  }

  /** Gathers the payload when it fits `limit` together with `already` bytes; else skips it (`limit_reached`). */
  private collectUpTo(d: Direction, n: number, limit: 'maxHttp2HeaderBlockBytes', already: number): void {
    if (already + n > this.limits[limit]) {
      this.sink.anomaly('limit_reached', d.frameAt, limit);
      if (d.type === FrameType.Headers || d.type === FrameType.PushPromise || d.type === FrameType.Continuation) {
        // the block cannot be decoded, and without it the HPACK table is no longer the sender's
        this.dropBlock(d);
        d.blockDropped = true;
      }
      return;
    }
    d.take = Take.Collect;
    d.collectMax = n;
  }

  /** A frame's payload has all arrived. */
  private frameEnds(d: Direction): void {
    d.st = St.Header;
    switch (d.type) {
      case FrameType.Data:
        if (d.take === Take.Data) this.dataEnds(d);
        break;
      case FrameType.Headers:
      case FrameType.PushPromise:
      case FrameType.Continuation:
        if (d.take === Take.Collect) this.headerFrame(d);
        break;
      case FrameType.Settings:
        if (d.take === Take.Collect) this.settings(d);
        break;
      case FrameType.RstStream:
        if (d.collected === 4) this.reset(d, d.streamId);
        else this.frameMalformed(d, 'RST_STREAM payload is not 4 bytes');
        break;
      default:
        break;
    }
  }

  private dataBytes(d: Direction, b: Uint8Array, from: number, to: number): void {
    let p = from;
    if (d.needPadLen) {
      const pad = b[p++]!;
      d.needPadLen = false;
      d.dataLeft = d.length - 1 - pad;
      if (d.dataLeft < 0) {
        this.frameMalformed(d, `DATA padding of ${pad} bytes in a ${d.length}-byte frame`);
        d.take = Take.Skip;
        return;
      }
    }
    const n = Math.min(d.dataLeft, to - p);
    if (n <= 0) return;
    d.dataLeft -= n;
    const st = this.streams.get(d.streamId);
    if (st === undefined) return;
    if (!d.client) {
      st.resBodyWire += n;
      const keep = Math.min(n, st.resKeep - st.resKept);
      if (keep > 0) {
        st.resParts.push(b.slice(p, p + keep));
        st.resKept += keep;
      }
      return;
    }
    if (st.req === null || st.reqDone) return;
    st.bodyWire += n;
    const room = Math.min(this.limits.maxHttpBodyBytes - st.bodyKept, this.limits.maxHttp2BufferedBodyBytes - this.bufferedBody);
    const keep = Math.min(n, Math.max(0, room));
    if (keep > 0) {
      st.bodyParts.push(b.slice(p, p + keep));
      st.bodyKept += keep;
      this.bufferedBody += keep;
    }
    if (keep < n && !st.bodyTruncated) {
      st.bodyTruncated = true;
      const which =
        this.limits.maxHttpBodyBytes - st.bodyKept <= this.limits.maxHttp2BufferedBodyBytes - this.bufferedBody
          ? 'maxHttpBodyBytes'
          : 'maxHttp2BufferedBodyBytes';
      this.sink.anomaly('limit_reached', d.frameAt, which);
    }
  }

  private dataEnds(d: Direction): void {
    if ((d.flags & END_STREAM) === 0) return;
    const st = this.streams.get(d.streamId);
    if (st === undefined) return;
    if (d.client) {
      if (st.req !== null && !st.reqDone) this.finishRequest(st, false);
    } else if (st.res !== null && !st.resDone) this.finishResponse(st, false);
    this.forgetIfDone(st);
  }

  /** HEADERS, PUSH_PROMISE or CONTINUATION payload gathered: add its fragment to the block. */
  private headerFrame(d: Direction): void {
    const p = d.collect;
    let start = 0;
    let end = d.collected;
    if (d.type !== FrameType.Continuation) {
      let pad = 0;
      if (d.flags & PADDED) {
        if (end < 1) return this.frameMalformed(d, `${frameName(d.type)} PADDED without a pad length`);
        pad = p[0]!;
        start = 1;
      }
      if (d.type === FrameType.Headers && d.flags & PRIORITY) start += 5;
      if (d.type === FrameType.PushPromise) start += 4;
      end -= pad;
      if (end < start) {
        this.frameMalformed(d, `${frameName(d.type)} padding or priority longer than the frame`);
        // the sender's table went on with the block we cannot read
        this.dropBlock(d);
        d.blockDropped = true;
        return;
      }
      d.blockOpen = true;
      d.blockStream = d.streamId;
      d.blockAt = d.frameAt;
      d.blockEndStream = (d.flags & END_STREAM) !== 0;
      d.blockPush = d.type === FrameType.PushPromise;
      d.blockLen = 0;
      d.blockFrames = 0;
      d.blockDropped = false;
    } else if (++d.blockFrames > this.limits.maxHttp2ContinuationFrames) {
      this.sink.anomaly('limit_reached', d.frameAt, 'maxHttp2ContinuationFrames');
      this.dropBlock(d);
      d.blockDropped = true;
      return;
    }
    if ((d.flags & END_HEADERS) !== 0 && d.blockLen === 0) {
      // the common case, one frame: decode in place
      d.blockOpen = false;
      this.headerBlock(d, p, start, end);
      return;
    }
    if (d.blockLen + end - start > d.block.length) d.block = grow(d.block, d.blockLen, d.blockLen + end - start);
    d.block.set(p.subarray(start, end), d.blockLen);
    d.blockLen += end - start;
    if (d.flags & END_HEADERS) {
      d.blockOpen = false;
      this.headerBlock(d, d.block, 0, d.blockLen);
      d.blockLen = 0;
    }
  }

  /** The header block in progress is lost: the HPACK table can no longer follow the sender's. */
  private dropBlock(d: Direction): void {
    if (!d.hpack.failed)
      this.sink.anomaly(
        'hpack_malformed',
        d.frameAt,
        'a header block was not decoded (see the anomaly before); later blocks of this direction are not decoded',
      );
    d.hpack.fail();
    d.blockOpen = false;
    d.blockLen = 0;
  }

  /** A complete header block of stream d.blockStream. */
  private headerBlock(d: Direction, b: Uint8Array, start: number, end: number): void {
    const fields = this.fields;
    fields.length = 0;
    const ok = d.hpack.decodeBlock(b, start, end, fields, d.blockAt);
    if (!ok || d.blockPush) return; // a pushed request is the server's, not the client's: decoded only to keep the table in step
    const id = d.blockStream;
    let st = this.streams.get(id);
    if (d.client) {
      if (st === undefined) {
        st = this.open(id, d.blockAt);
        if (st === undefined) return;
      }
      if (st.req === null) {
        st.req = this.requestOf(id, fields, d.blockAt);
        if (st.req === null) {
          this.forgetIfDone(st);
          return;
        }
        st.reqAt = d.blockAt;
      } else if (!st.reqDone) {
        appendFields(st.req.headers, fields); // trailers
      }
      if (d.blockEndStream && !st.reqDone) this.finishRequest(st, false);
    } else {
      if (st === undefined) {
        st = this.open(id, d.blockAt);
        if (st === undefined) return;
      }
      if (st.res === null) {
        const status = pseudo(fields, ':status');
        const code = status === null ? NaN : Number(status);
        if (!Number.isInteger(code) || code < 100 || code > 999) {
          this.sink.anomaly('http2_message_invalid', d.blockAt, `stream ${id}: response without a valid :status`);
          return;
        }
        if (code < 200) return; // 1xx: interim, the final response follows
        st.res = { streamId: id, status: code, reason: '', version: 'HTTP/2', headers: regular(fields), bodyWireBytes: 0, incomplete: false };
        st.resAt = d.blockAt;
      } else if (!st.resDone) {
        appendFields(st.res.headers, fields);
      }
      if (d.blockEndStream && !st.resDone) this.finishResponse(st, false);
    }
    this.forgetIfDone(st);
  }

  private open(id: number, at: number): Stream | undefined {
    if (this.streams.size >= this.limits.maxHttp2OpenStreams && !this.forgetOldestAnswered()) {
      if (!this.streamsCapped) this.sink.anomaly('limit_reached', at, 'maxHttp2OpenStreams');
      this.streamsCapped = true;
      return undefined;
    }
    const st = new Stream(id);
    st.reset = this.resetIds.has(id);
    this.streams.set(id, st);
    return st;
  }

  /**
   * Makes room by forgetting the oldest stream whose request was reported and whose response has
   * not begun (a one-sided capture, a server that never answers): its response, should it come,
   * is still reported, as a stream of its own. False when every open stream is still in progress.
   */
  private forgetOldestAnswered(): boolean {
    for (const st of this.streams.values()) {
      if (st.reqDone && st.res === null) {
        this.streams.delete(st.id);
        return true;
      }
    }
    return false;
  }

  private requestOf(id: number, fields: HpackField[], at: number): Http2Request | null {
    const method = pseudo(fields, ':method');
    const authority = pseudo(fields, ':authority');
    let path = pseudo(fields, ':path');
    // CONNECT names only an authority (RFC 9113 §8.5)
    if (method === 'CONNECT' && path === null) path = authority;
    if (method === null || path === null) {
      this.sink.anomaly('http2_message_invalid', at, `stream ${id}: request without :method or :path`);
      return null;
    }
    const headers = regular(fields);
    return {
      streamId: id,
      scheme: pseudo(fields, ':scheme'),
      method,
      uri: path,
      version: 'HTTP/2',
      headers,
      // :authority stands for Host; a Host header is used when it is absent (RFC 9113 §8.3.1)
      host: authority ?? header(headers, 'host'),
      userAgent: header(headers, 'user-agent'),
      contentType: header(headers, 'content-type'),
      contentEncoding: header(headers, 'content-encoding'),
      transferEncoding: null,
      expectContinue: (header(headers, 'expect') ?? '').toLowerCase() === '100-continue',
      body: EMPTY,
      bodyWireBytes: 0,
      bodyTruncated: false,
      bodyDecodeError: null,
      incomplete: false,
    };
  }

  private finishRequest(st: Stream, incomplete: boolean): void {
    const req = st.req!;
    st.reqDone = true;
    let body = concat(st.bodyParts, st.bodyKept);
    this.bufferedBody -= st.bodyKept;
    st.bodyParts = [];
    req.bodyWireBytes = st.bodyWire;
    req.bodyTruncated = st.bodyTruncated;
    req.incomplete = incomplete;
    if (req.contentEncoding !== null && body.length > 0) {
      const dc = decodeContent(body, req.contentEncoding, this.limits.maxDecompressedBytes);
      if (dc.capped) this.sink.anomaly('limit_reached', st.reqAt, 'maxDecompressedBytes');
      req.bodyDecodeError = dc.error;
      const cut = incomplete || st.bodyTruncated;
      if (dc.error !== null && !(cut && dc.error === 'truncated input'))
        this.sink.anomaly('http_body_decode_failed', st.reqAt, `${req.contentEncoding}: ${dc.error}`);
      body = dc.bytes;
    }
    req.body = body;
    this.handlers.request(req, st.reqAt);
  }

  private finishResponse(st: Stream, incomplete: boolean): void {
    const res = st.res!;
    st.resDone = true;
    res.bodyWireBytes = st.resBodyWire;
    res.incomplete = incomplete;
    if (st.resKeep > 0) {
      res.body = concat(st.resParts, st.resKept);
      st.resParts = [];
    }
    this.handlers.response(res, st.resAt);
  }

  /**
   * RST_STREAM from direction d: d's half of the stream ends where it is (a request cut short is
   * still reported). The other half may still have bytes on the way, sent before the reset was
   * seen: it ends with them, or quietly at the end of the capture.
   */
  private reset(d: Direction, id: number): void {
    if (this.resetIds.size >= this.limits.maxHttp2OpenStreams) this.resetIds.clear();
    this.resetIds.add(id);
    const st = this.streams.get(id);
    if (st === undefined) return;
    st.reset = true;
    if (d.client) {
      if (st.req !== null && !st.reqDone) this.finishRequest(st, true);
    } else if (st.res !== null && !st.resDone) this.finishResponse(st, true);
    if (st.req === null || st.reqDone) {
      if (st.res === null || st.resDone) this.streams.delete(id);
    }
  }

  private forgetIfDone(st: Stream): void {
    // a stream is done when each half that began has ended; a request alone waits for its response
    const reqOver = st.req === null || st.reqDone;
    const resOver = st.res !== null ? st.resDone : false;
    if ((reqOver && resOver) || (st.req === null && st.res === null)) this.streams.delete(st.id);
  }

  private settings(d: Direction): void {
    const p = d.collect;
    for (let i = 0; i + 6 <= d.collected; i += 6) {
      const id = (p[i]! << 8) | p[i + 1]!;
      const value = p[i + 2]! * 2 ** 24 + ((p[i + 3]! << 16) | (p[i + 4]! << 8) | p[i + 5]!);
      // a side's SETTINGS_HEADER_TABLE_SIZE bounds the table of the headers it receives
      if (id === SETTINGS_HEADER_TABLE_SIZE) (d.client ? this.s : this.c).hpack.setSettingsTableSize(value);
    }
  }

  private frameMalformed(d: Direction, detail: string): void {
    this.sink.anomaly('http2_frame_malformed', d.frameAt, detail);
  }
}

const EMPTY = new Uint8Array(0);

function frameName(type: number): string {
  return ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'][type] ?? `type ${type}`;
}

function pseudo(fields: HpackField[], name: string): string | null {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.name === name) return fields[i]!.value;
  return null;
}

/** the fields that are not pseudo-headers, as HTTP/1 headers */
function regular(fields: HpackField[]): HttpHeader[] {
  const out: HttpHeader[] = [];
  appendFields(out, fields);
  return out;
}

function appendFields(out: HttpHeader[], fields: HpackField[]): void {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.name.charCodeAt(0) !== 0x3a) out.push({ name: f.name, value: f.value });
  }
}

function grow(buf: Uint8Array, used: number, need: number): Uint8Array {
  const next = new Uint8Array(Math.max(need, buf.length * 2, 256));
  next.set(buf.subarray(0, used));
  return next;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
