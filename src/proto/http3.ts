/**
 * HTTP/3 (RFC 9114) over the decrypted streams of one QUIC connection: request streams
 * (client-initiated bidirectional: HEADERS, DATA; unknown and reserved frame types skipped),
 * unidirectional streams by type (control 0x00 with SETTINGS, push 0x01, QPACK encoder 0x02
 * and decoder 0x03, reserved/grease types ignored) → requests (method, authority, path,
 * headers, body up to a cap) and responses (status).
 *
 * The client's requests are decoded with the dynamic table its encoder stream builds, bounded
 * by the server's SETTINGS_QPACK_MAX_TABLE_CAPACITY, and the other way round for responses.
 * A HEADERS frame that needs inserts not yet seen waits (maxQpackBlockedSections/Bytes).
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { readVarint, type VarInt } from '../decrypt/quic-frames.js';
import type { QuicDir, QuicStreamSink } from '../decrypt/quic.js';
import { decodeContent } from './content-encoding.js';
import { header, type HttpRequest } from './http1.js';
import { QPACK_BLOCKED, QPACK_OK, QpackDecoder, type QpackField } from './qpack.js';

const FRAME_DATA = 0x00,
  FRAME_HEADERS = 0x01,
  FRAME_SETTINGS = 0x04;
const STREAM_CONTROL = 0x00,
  STREAM_QPACK_ENCODER = 0x02;
const SETTINGS_QPACK_MAX_TABLE_CAPACITY = 0x01;

/** A request read from a client stream: an HTTP/1 request's fields plus the stream and pseudo-headers. */
export interface Http3Request extends HttpRequest {
  streamId: number;
  /** :authority (null when absent; `host` carries it too, for code shared with HTTP/1) */
  authority: string | null;
  scheme: string | null;
  /** the value passed to Http3Connection.setPosition() when the request's HEADERS was decoded */
  position: number;
}

export interface Http3Response {
  streamId: number;
  status: number;
  headers: QpackField[];
  bodyWireBytes: number;
  /** the body, only when the owner asked for it with keepResponseBody */
  body?: Uint8Array;
  incomplete: boolean;
  position: number;
}

export interface Http3Sink {
  onRequest(req: Http3Request): void;
  onResponse(res: Http3Response): void;
}

type StreamKind = 'request' | 'response' | 'control' | 'encoder' | 'ignored' | 'unknown-uni';

/** one direction of one QUIC stream being read */
interface H3Stream {
  id: number;
  dir: QuicDir;
  kind: StreamKind;
  /** bytes of a frame header (or the uni stream type) not complete yet */
  carry: Uint8Array | null;
  frameType: number;
  /** payload bytes of the current frame still to come (-1: between frames) */
  remaining: number;
  /** a HEADERS or SETTINGS payload being joined */
  block: Uint8Array[] | null;
  blockLength: number;
  offset: number;
  fields: QpackField[] | null;
  blocked: boolean;
  body: Uint8Array[];
  bodyKept: number;
  /** a response's body bytes to keep (keepResponseBody), 0: only counted */
  keep: number;
  bodyWire: number;
  bodyTruncated: boolean;
  ended: boolean;
  incomplete: boolean;
  broken: boolean;
  position: number;
}

export class Http3Connection implements QuicStreamSink {
  /** response body bytes to keep, asked for before the response's stream began (keepResponseBody) */
  private readonly keepFor = new Map<number, number>();
  /** the decoder of each side's field sections: [client's requests, server's responses] */
  readonly qpack: [QpackDecoder, QpackDecoder];
  readonly counts = { requests: 0, responses: 0, blockedUnresolved: 0 };
  /** keyed by stream id (client → server) or -1 - id (server → client) */
  private readonly streams = new Map<number, H3Stream>();
  private readonly blocked: H3Stream[] = [];
  private blockedBytes = 0;
  private position = 0;
  private readonly vi: VarInt = { value: 0, size: 0 };

  constructor(
    private readonly limits: Limits,
    private readonly anomalies: AnomalySink,
    private readonly out: Http3Sink,
  ) {
    this.qpack = [new QpackDecoder(limits), new QpackDecoder(limits)];
  }

  /** where in the capture the bytes being delivered are (a frame number): stamped on requests */
  setPosition(position: number): void {
    this.position = position;
  }

  onStreamData(dir: QuicDir, id: number, data: Uint8Array, fin: boolean): void {
    const s = this.stream(dir, id);
    if (s === null) return;
    if (!s.broken && data.length > 0) this.consume(s, data);
    if (fin) this.end(s, false);
  }

  onStreamAbort(dir: QuicDir, id: number): void {
    const s = this.stream(dir, id);
    if (s !== null) this.end(s, true);
  }

  /** the capture ended: field sections still blocked are counted */
  finish(): void {
    for (const s of this.blocked) {
      this.counts.blockedUnresolved++;
      this.anomalies.anomaly('qpack_blocked_unresolved', s.offset, `stream ${s.id}`);
    }
    this.blocked.length = 0;
    this.blockedBytes = 0;
  }

  private stream(dir: QuicDir, id: number): H3Stream | null {
    const key = dir === 0 ? id : -1 - id;
    let s = this.streams.get(key);
    if (s !== undefined) return s;
    const uni = (id & 0x02) !== 0;
    const clientInitiated = (id & 0x01) === 0;
    // uni streams flow only from their initiator; bidi streams carry requests from clients
    if (uni && clientInitiated !== (dir === 0)) return null;
    const kind: StreamKind = uni ? 'unknown-uni' : !clientInitiated ? 'ignored' : dir === 0 ? 'request' : 'response';
    s = {
      id,
      dir,
      kind,
      carry: null,
      frameType: -1,
      remaining: -1,
      block: null,
      blockLength: 0,
      offset: 0,
      fields: null,
      blocked: false,
      body: [],
      bodyKept: 0,
      keep: 0,
      bodyWire: 0,
      bodyTruncated: false,
      ended: false,
      incomplete: false,
      broken: kind === 'ignored',
      position: this.position,
    };
    if (kind === 'response' && this.keepFor.has(id)) {
      s.keep = this.keepFor.get(id)!;
      this.keepFor.delete(id);
    }
    if (this.streams.size >= this.limits.maxQuicStreamsPerConnection) {
      const oldest = this.streams.keys().next().value as number;
      this.streams.delete(oldest);
      this.anomalies.anomaly('limit_reached', 0, 'maxQuicStreamsPerConnection');
    }
    this.streams.set(key, s);
    return s;
  }

  private consume(s: H3Stream, data: Uint8Array): void {
    let b = data;
    if (s.carry !== null) {
      b = new Uint8Array(s.carry.length + data.length);
      b.set(s.carry);
      b.set(data, s.carry.length);
      s.carry = null;
    }
    let p = 0;
    const vi = this.vi;
    if (s.kind === 'unknown-uni') {
      if (!readVarint(b, 0, b.length, vi)) {
        s.carry = b.slice();
        return;
      }
      p = vi.size;
      s.offset += vi.size;
      if (vi.value === STREAM_CONTROL) s.kind = 'control';
      else if (vi.value === STREAM_QPACK_ENCODER) s.kind = 'encoder';
      else {
        s.kind = 'ignored';
        s.broken = true;
        return;
      } // push (0x01), decoder (0x03), reserved types
    }
    if (s.kind === 'encoder') {
      const q = this.qpack[s.dir];
      if (!q.onEncoderStream(b.subarray(p))) {
        this.anomalies.anomaly('qpack_encoder_stream_malformed', s.offset, q.error);
        s.broken = true;
      }
      s.offset += b.length - p;
      this.retryBlocked(s.dir);
      return;
    }
    while (p < b.length && !s.broken) {
      if (s.remaining < 0) {
        // frame header: type, length
        if (!readVarint(b, p, b.length, vi)) {
          s.carry = b.slice(p);
          return;
        }
        const type = vi.value,
          typeSize = vi.size;
        if (!readVarint(b, p + typeSize, b.length, vi)) {
          s.carry = b.slice(p);
          return;
        }
        p += typeSize + vi.size;
        s.offset += typeSize + vi.size;
        s.frameType = type;
        s.remaining = vi.value;
        if (type === FRAME_HEADERS || type === FRAME_SETTINGS) {
          if (vi.value > this.limits.maxHttpHeaderBytes) {
            this.broken(s, `${type === FRAME_HEADERS ? 'HEADERS' : 'SETTINGS'} frame of ${vi.value} bytes over maxHttpHeaderBytes`);
            return;
          }
          s.block = [];
          s.blockLength = 0;
        }
        if (s.remaining === 0) this.frameDone(s);
        continue;
      }
      const take = Math.min(s.remaining, b.length - p);
      const piece = b.subarray(p, p + take);
      if (s.frameType === FRAME_HEADERS || s.frameType === FRAME_SETTINGS) {
        s.block!.push(piece.slice());
        s.blockLength += take;
      } else if (s.frameType === FRAME_DATA) {
        this.data(s, piece);
      }
      p += take;
      s.offset += take;
      s.remaining -= take;
      if (s.remaining === 0) this.frameDone(s);
    }
  }

  private frameDone(s: H3Stream): void {
    const type = s.frameType;
    s.remaining = -1;
    if (type !== FRAME_HEADERS && type !== FRAME_SETTINGS) return;
    const block = s.block!.length === 1 ? s.block![0]! : Buffer.concat(s.block!, s.blockLength);
    s.block = null;
    if (type === FRAME_SETTINGS) {
      if (s.kind === 'control') this.settings(s, block);
      return;
    }
    if (s.kind !== 'request' && s.kind !== 'response') return;
    if (s.fields !== null || s.blocked) return; // trailers: not needed
    s.position = this.position;
    this.headers(s, block);
  }

  /** decodes a HEADERS block, or queues it until the encoder stream catches up */
  private headers(s: H3Stream, block: Uint8Array): void {
    const q = this.qpack[s.dir];
    const fields: QpackField[] = [];
    const r = q.decode(block, 0, block.length, fields);
    if (r === QPACK_OK) {
      s.fields = fields;
      if (s.ended) this.emit(s);
      return;
    }
    if (r === QPACK_BLOCKED) {
      if (this.blocked.length >= this.limits.maxQpackBlockedSections || this.blockedBytes + block.length > this.limits.maxQpackBlockedBytes) {
        this.anomalies.anomaly(
          'limit_reached',
          s.offset,
          this.blocked.length >= this.limits.maxQpackBlockedSections ? 'maxQpackBlockedSections' : 'maxQpackBlockedBytes',
        );
        s.broken = true;
        return;
      }
      s.blocked = true;
      s.block = [block];
      s.blockLength = block.length;
      this.blocked.push(s);
      this.blockedBytes += block.length;
      return;
    }
    this.anomalies.anomaly('qpack_decode_failed', s.offset, `stream ${s.id}: ${q.error}`);
    s.broken = true;
  }

  private retryBlocked(dir: QuicDir): void {
    for (let i = 0; i < this.blocked.length; i++) {
      const s = this.blocked[i]!;
      if (s.dir !== dir) continue;
      const block = s.block![0]!;
      // still waiting (UNKNOWN_YET is above any insert count): leave it queued
      const ric = this.qpack[dir].requiredInsertCount(block, 0, block.length);
      if (ric > this.qpack[dir].insertCount && !this.qpack[dir].encoderBroken) continue;
      this.blocked.splice(i--, 1);
      this.blockedBytes -= block.length;
      s.blocked = false;
      s.block = null;
      this.headers(s, block);
    }
  }

  private settings(s: H3Stream, b: Uint8Array): void {
    const vi = this.vi;
    for (let p = 0; p < b.length;) {
      if (!readVarint(b, p, b.length, vi)) return this.broken(s, 'SETTINGS cut short');
      const id = vi.value;
      p += vi.size;
      if (!readVarint(b, p, b.length, vi)) return this.broken(s, 'SETTINGS cut short');
      p += vi.size;
      // the peer's maximum bounds what this side's encoder may use: it decodes the other direction
      if (id === SETTINGS_QPACK_MAX_TABLE_CAPACITY) {
        const other: QuicDir = s.dir === 0 ? 1 : 0;
        this.qpack[other].maxTableCapacity = vi.value;
        this.retryBlocked(other); // sections that waited for the table's size
      }
    }
  }

  private data(s: H3Stream, piece: Uint8Array): void {
    s.bodyWire += piece.length;
    if (s.kind === 'response') {
      // response bodies are counted, and kept only where the owner asked (an HTTPDNS answer)
      const keep = Math.min(piece.length, s.keep - s.bodyKept);
      if (keep > 0) {
        s.body.push(piece.slice(0, keep));
        s.bodyKept += keep;
      }
      return;
    }
    if (s.kind !== 'request') return;
    const room = this.limits.maxHttpBodyBytes - s.bodyKept;
    if (room >= piece.length) {
      s.body.push(piece.slice());
      s.bodyKept += piece.length;
      return;
    }
    if (room > 0) {
      s.body.push(piece.slice(0, room));
      s.bodyKept += room;
    }
    if (!s.bodyTruncated) {
      s.bodyTruncated = true;
      this.anomalies.anomaly('limit_reached', s.offset, 'maxHttpBodyBytes');
    }
  }

  /**
   * Keeps up to `maxBytes` of the body of the response on request stream `streamId` (responses'
   * bodies are otherwise only counted): for an answer its owner reads, an HTTPDNS one.
   */
  keepResponseBody(streamId: number, maxBytes: number): void {
    const keep = Math.min(maxBytes, this.limits.maxHttpBodyBytes);
    const s = this.streams.get(-1 - streamId);
    if (s !== undefined) s.keep = keep;
    else {
      // the response has not begun: its stream takes it up when it does (bounded like the streams)
      if (this.keepFor.size >= this.limits.maxQuicStreamsPerConnection) this.keepFor.delete(this.keepFor.keys().next().value as number);
      this.keepFor.set(streamId, keep);
    }
  }

  private end(s: H3Stream, cut: boolean): void {
    if (s.ended) return;
    s.ended = true;
    s.incomplete = cut || s.remaining > 0 || s.carry !== null;
    if (s.fields !== null) this.emit(s);
    else if (!s.blocked) s.body = [];
  }

  private broken(s: H3Stream, why: string): void {
    this.anomalies.anomaly('http3_frame_malformed', s.offset, `stream ${s.id}: ${why}`);
    s.broken = true;
    s.block = null;
  }

  private emit(s: H3Stream): void {
    const fields = s.fields!;
    s.fields = null;
    if (s.kind === 'response') {
      const status = Number(pseudo(fields, ':status') ?? NaN);
      this.counts.responses++;
      this.out.onResponse({
        streamId: s.id,
        status: Number.isInteger(status) ? status : 0,
        headers: fields.filter((f) => !f.name.startsWith(':')),
        bodyWireBytes: s.bodyWire,
        body: s.keep > 0 ? Buffer.concat(s.body, s.bodyKept) : undefined,
        incomplete: s.incomplete,
        position: s.position,
      });
      s.body = [];
      return;
    }
    const headers = fields.filter((f) => !f.name.startsWith(':'));
    const authority = pseudo(fields, ':authority');
    let body: Uint8Array = s.body.length === 1 ? s.body[0]! : Buffer.concat(s.body, s.bodyKept);
    s.body = [];
    const contentEncoding = header(headers, 'content-encoding');
    let bodyDecodeError: string | null = null;
    if (contentEncoding !== null && body.length > 0) {
      const d = decodeContent(body, contentEncoding, this.limits.maxDecompressedBytes);
      if (d.capped) this.anomalies.anomaly('limit_reached', s.offset, 'maxDecompressedBytes');
      bodyDecodeError = d.error;
      if (d.error !== null && !((s.incomplete || s.bodyTruncated) && d.error === 'truncated input')) {
        this.anomalies.anomaly('http_body_decode_failed', s.offset, `${contentEncoding}: ${d.error}`);
      }
      body = d.bytes;
    }
    const expect = header(headers, 'expect');
    this.counts.requests++;
    this.out.onRequest({
      streamId: s.id,
      method: pseudo(fields, ':method') ?? '',
      uri: pseudo(fields, ':path') ?? '',
      version: 'HTTP/3',
      headers,
      host: authority ?? header(headers, 'host'),
      authority,
      scheme: pseudo(fields, ':scheme'),
      userAgent: header(headers, 'user-agent'),
      contentType: header(headers, 'content-type'),
      contentEncoding,
      transferEncoding: null,
      expectContinue: expect !== null && expect.toLowerCase() === '100-continue',
      body,
      bodyWireBytes: s.bodyWire,
      bodyTruncated: s.bodyTruncated,
      bodyDecodeError,
      incomplete: s.incomplete,
      position: s.position,
    });
  }
}

function pseudo(fields: QpackField[], name: string): string | null {
  for (const f of fields) if (f.name === name) return f.value;
  return null;
}
