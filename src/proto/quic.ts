/**
 * QUIC Initial packets from the client (RFC 9000 §17.2, RFC 9001, RFC 9369): recognise the
 * long header, decrypt with the keys derived from the original Destination Connection ID,
 * walk the frames, join CRYPTO data by offset across packets and coalesced packets (a
 * post-quantum ClientHello spans two Initials; Chromium shuffles and splits its CRYPTO
 * frames) and hand the finished ClientHello to the TLS parser.
 *
 *   long header: 1|1|type(2)|reserved(2)|pn_len(2)  version(4)  dcid_len(1) dcid
 *                scid_len(1) scid  [Initial: token_len(varint) token]  length(varint)
 *                packet_number(1..4)  payload(length - pn_len, AEAD tag last)
 *   Initial type bits: v1 0b00, v2 0b01 (RFC 9369 §3.2)
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { QUIC_DRAFT_29, QUIC_V1, QUIC_V2, deriveInitialKeys, initialSalt, isReservedVersion, openInitial, type InitialKeys } from './quic-crypto.js';
import { HandshakeType, parseClientHello, type ClientHello } from './tls.js';
import { readVarint, type VarInt } from '../decrypt/quic-frames.js';

const MAX_CID_LEN = 20;
const FRAME_PADDING = 0x00,
  FRAME_PING = 0x01,
  FRAME_ACK = 0x02,
  FRAME_ACK_ECN = 0x03,
  FRAME_CRYPTO = 0x06;
const FRAME_CONNECTION_CLOSE = 0x1c;

export interface QuicClientHello {
  /** '1' | '2' | 'draft-29' (drafts 30–32 as 'draft-30' …); reserved versions as '0x0a0a0a0a' */
  version: string;
  /** the client's original Destination Connection ID, lower-case hex */
  dcid: string;
  clientHello: ClientHello;
}

export function quicVersionName(v: number): string {
  if (v === QUIC_V1) return '1';
  if (v === QUIC_V2) return '2';
  if ((v & 0xffffff00) === 0xff000000) return `draft-${v & 0xff}`;
  return `0x${v.toString(16).padStart(8, '0')}`;
}

function isInitialType(firstByte: number, version: number): boolean {
  const type = (firstByte >> 4) & 0x03;
  return version === QUIC_V2 ? type === 0x01 : type === 0x00;
}

function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/**
 * True when [off, end) starts with a client Initial of a version whose keys we know:
 * long header with the fixed bit, Initial type, connection ID lengths ≤ 20.
 */
export function looksLikeQuicInitial(b: Uint8Array, off: number, end: number): boolean {
  if (end - off < 7) return false;
  const first = b[off]!;
  if ((first & 0xc0) !== 0xc0) return false;
  const version = u32(b, off + 1);
  if (initialSalt(version) === undefined || !isInitialType(first, version)) return false;
  const dcidLen = b[off + 5]!;
  if (dcidLen > MAX_CID_LEN || end - off < 7 + dcidLen) return false;
  return b[off + 6 + dcidLen]! <= MAX_CID_LEN;
}

/**
 * True when [off, end) starts with a client Initial that carries a token: after a Retry every
 * Initial of the client does (RFC 9000 §17.2.5.2), and the first of them repeats the ClientHello.
 */
export function looksLikeInitialWithToken(b: Uint8Array, off: number, end: number): boolean {
  if (!looksLikeQuicInitial(b, off, end)) return false;
  const dcidLen = b[off + 5]!;
  const p = off + 7 + dcidLen + b[off + 6 + dcidLen]!; // the token length's first byte
  if (p >= end) return false;
  // a variable-length integer is zero only when all of its bytes are (RFC 9000 §16)
  const size = 1 << (b[p]! >> 6);
  if (end - p < size) return false;
  if ((b[p]! & 0x3f) !== 0) return true;
  for (let i = 1; i < size; i++) if (b[p + i] !== 0) return true;
  return false;
}

/** the parsed long header of one Initial: offsets into the datagram */
interface InitialHeader {
  version: number;
  dcidOff: number;
  dcidLen: number;
  scidOff: number;
  scidLen: number;
  pnOffset: number;
  end: number;
}

/** One connection's CRYPTO stream being joined. */
interface PendingConnection {
  version: number;
  dcid: string;
  keys: InitialKeys;
  /** client SCID (hex): later Initials may carry the server's CID as DCID but keep this */
  scid: string;
  crypto: Uint8Array | null;
  /** received CRYPTO ranges, sorted and merged: [start0, end0, start1, end1, …] */
  ranges: number[];
  reported: boolean;
}

/**
 * Joins client Initials per connection, keyed by the client's original DCID, and reports
 * each connection's ClientHello once. Bounded by limits.maxQuicPendingConnections (oldest
 * evicted) and limits.maxQuicCryptoBytes per connection.
 */
export class QuicInitialTracker {
  private readonly conns = new Map<string, PendingConnection>();
  private readonly byScid = new Map<string, PendingConnection>();
  private readonly hdr: InitialHeader = { version: 0, dcidOff: 0, dcidLen: 0, scidOff: 0, scidLen: 0, pnOffset: 0, end: 0 };
  private readonly vi: VarInt = { value: 0, size: 0 };
  private readonly pnOut = { packetNumber: 0 };
  /** the datagram comes after its flow's first ClientHello: an Initial that does not open is not news (keys this tracker cannot know) */
  private later = false;

  /** where the datagram being read reports its problems (its flow's sink) */
  private ctx: AnomalySink;

  constructor(
    private readonly limits: Limits,
    anomalies: AnomalySink,
  ) {
    this.ctx = anomalies;
  }

  /** connections currently held (pending or already reported) */
  get size(): number {
    return this.conns.size;
  }

  /**
   * Feeds one client→server UDP payload [off, end). Returns the ClientHello when this
   * datagram completed one, else undefined. Never throws on any bytes. `anomalies`: where this
   * datagram's problems go (its flow), instead of the sink given at construction.
   */
  onClientDatagram(b: Uint8Array, off: number, end: number, anomalies?: AnomalySink, later = false): QuicClientHello | undefined {
    if (anomalies !== undefined) this.ctx = anomalies;
    this.later = later;
    let result: QuicClientHello | undefined;
    let p = off;
    // coalesced packets (RFC 9000 §12.2): long headers back to back; a short header ends it
    while (end - p > 0 && (b[p]! & 0x80) !== 0) {
      if (!this.parseLongHeader(b, p, end)) break;
      const h = this.hdr;
      if (initialSalt(h.version) !== undefined && isInitialType(b[p]!, h.version)) {
        const r = this.onInitial(b, p, h);
        if (r !== undefined) result = r;
      }
      p = h.end;
    }
    return result;
  }

  /** fills this.hdr; false (with an anomaly when it claimed to be an Initial) if cut short */
  private parseLongHeader(b: Uint8Array, start: number, end: number): boolean {
    const h = this.hdr,
      vi = this.vi;
    const bad = (field: string, at: number): boolean => {
      if (end - start >= 5 && initialSalt(u32(b, start + 1)) !== undefined) this.ctx.anomaly('quic_initial_malformed', at, field);
      return false;
    };
    if (end - start < 7) return bad('header', start);
    h.version = u32(b, start + 1);
    if (h.version === 0) return false; // Version Negotiation: not from a client
    h.dcidLen = b[start + 5]!;
    h.dcidOff = start + 6;
    if (h.dcidLen > MAX_CID_LEN || end - h.dcidOff < h.dcidLen + 1) return bad('dcid', start + 5);
    h.scidLen = b[h.dcidOff + h.dcidLen]!;
    h.scidOff = h.dcidOff + h.dcidLen + 1;
    if (h.scidLen > MAX_CID_LEN || end - h.scidOff < h.scidLen) return bad('scid', h.scidOff - 1);
    let p = h.scidOff + h.scidLen;
    const type = (b[start]! >> 4) & 0x03;
    const retry = h.version === QUIC_V2 ? type === 0x00 : type === 0x03;
    if (retry || initialSalt(h.version) === undefined) return false; // no length field we can trust
    if (isInitialType(b[start]!, h.version)) {
      if (!readVarint(b, p, end, vi) || end - p - vi.size < vi.value) return bad('token', p);
      p += vi.size + vi.value;
    }
    if (!readVarint(b, p, end, vi)) return bad('length', p);
    p += vi.size;
    if (vi.value > end - p || vi.value < 1) return bad('length', p - vi.size);
    h.pnOffset = p;
    h.end = p + vi.value;
    return true;
  }

  private onInitial(b: Uint8Array, start: number, h: InitialHeader): QuicClientHello | undefined {
    const dcid = hex(b, h.dcidOff, h.dcidOff + h.dcidLen);
    const scid = hex(b, h.scidOff, h.scidOff + h.scidLen);
    let conn = this.conns.get(dcid);
    let foundByScid = false;
    if (conn === undefined && scid.length > 0) {
      const known = this.byScid.get(scid);
      if (known !== undefined && known.version === h.version) {
        conn = known;
        foundByScid = true;
      }
    }
    if (conn?.reported && !foundByScid) return undefined; // its ClientHello is already out
    let keys = conn?.keys ?? deriveInitialKeys(h.version, b.subarray(h.dcidOff, h.dcidOff + h.dcidLen));
    if (keys === undefined) return undefined;
    let plain = openInitial(b, start, h.pnOffset, h.end, keys, this.pnOut);
    if (plain === undefined && foundByScid) {
      // the client's own SCID under a DCID the server chose: later Initials keep the first
      // keys, but after a Retry the client starts over — a new ClientHello under keys from the
      // new DCID (RFC 9000 §17.2.5.3, RFC 9001 §5.2), reported as tshark reports it, again
      const fresh = deriveInitialKeys(h.version, b.subarray(h.dcidOff, h.dcidOff + h.dcidLen));
      plain = fresh === undefined ? undefined : openInitial(b, start, h.pnOffset, h.end, fresh, this.pnOut);
      if (plain !== undefined) {
        keys = fresh!;
        conn = undefined;
      }
    }
    if (conn?.reported) return undefined;
    if (plain === undefined) {
      if (!isReservedVersion(h.version) && !this.later) this.ctx.anomaly('quic_decrypt_failed', start, `dcid ${dcid}`);
      return undefined;
    }
    if (conn === undefined) conn = this.addConnection(h.version, dcid, scid, keys);
    return this.walkFrames(plain, conn, start);
  }

  private addConnection(version: number, dcid: string, scid: string, keys: InitialKeys): PendingConnection {
    if (this.conns.size >= this.limits.maxQuicPendingConnections) {
      const oldest = this.conns.keys().next();
      if (!oldest.done) this.forget(this.conns.get(oldest.value)!);
      this.ctx.anomaly('limit_reached', 0, 'maxQuicPendingConnections');
    }
    const conn: PendingConnection = { version, dcid, keys, scid, crypto: null, ranges: [], reported: false };
    this.conns.set(dcid, conn);
    if (scid.length > 0) this.byScid.set(scid, conn);
    return conn;
  }

  private forget(conn: PendingConnection): void {
    this.conns.delete(conn.dcid);
    if (this.byScid.get(conn.scid) === conn) this.byScid.delete(conn.scid);
  }

  /** frames of one decrypted Initial payload; anomaly offsets are the packet's start */
  private walkFrames(p: Buffer, conn: PendingConnection, at: number): QuicClientHello | undefined {
    const vi = this.vi,
      end = p.length;
    const bad = (what: string): undefined => {
      this.ctx.anomaly('quic_frame_malformed', at, what);
      return undefined;
    };
    let q = 0;
    let sawCrypto = false;
    while (q < end) {
      const type = p[q]!;
      if (type === FRAME_PADDING || type === FRAME_PING) {
        q++;
        continue;
      }
      if (type === FRAME_ACK || type === FRAME_ACK_ECN) {
        q++;
        // largest acknowledged, ack delay, range count, first range; then count × (gap, length)
        let rangeCount = 0;
        for (let i = 0; i < 4; i++) {
          if (!readVarint(p, q, end, vi)) return bad('ACK');
          if (i === 2) rangeCount = vi.value;
          q += vi.size;
        }
        const more = rangeCount * 2 + (type === FRAME_ACK_ECN ? 3 : 0);
        if (more > end - q) return bad('ACK'); // each varint is at least one byte
        for (let i = 0; i < more; i++) {
          if (!readVarint(p, q, end, vi)) return bad('ACK');
          q += vi.size;
        }
        continue;
      }
      if (type === FRAME_CRYPTO) {
        q++;
        if (!readVarint(p, q, end, vi)) return bad('CRYPTO offset');
        const offset = vi.value;
        q += vi.size;
        if (!readVarint(p, q, end, vi)) return bad('CRYPTO length');
        const len = vi.value;
        q += vi.size;
        if (len > end - q) return bad('CRYPTO data');
        this.addCrypto(conn, offset, p, q, q + len, at);
        sawCrypto = true;
        q += len;
        continue;
      }
      if (type === FRAME_CONNECTION_CLOSE) {
        q++;
        for (let i = 0; i < 2; i++) {
          // error code, frame type
          if (!readVarint(p, q, end, vi)) return bad('CONNECTION_CLOSE');
          q += vi.size;
        }
        if (!readVarint(p, q, end, vi) || vi.value > end - q - vi.size) return bad('CONNECTION_CLOSE');
        q += vi.size + vi.value;
        continue;
      }
      return bad(`frame type 0x${type.toString(16)} in Initial`);
    }
    return sawCrypto ? this.tryClientHello(conn, at) : undefined;
  }

  private addCrypto(conn: PendingConnection, offset: number, src: Uint8Array, from: number, to: number, at: number): void {
    const len = to - from;
    if (len === 0) return;
    const cap = this.limits.maxQuicCryptoBytes;
    if (offset + len > cap) {
      this.ctx.anomaly('limit_reached', at, 'maxQuicCryptoBytes');
      if (offset >= cap) return;
      to = from + (cap - offset);
    }
    const stop = offset + (to - from);
    if (conn.crypto === null || conn.crypto.length < stop) {
      const grown = new Uint8Array(Math.min(cap, Math.max(stop, 2048, (conn.crypto?.length ?? 0) * 2)));
      if (conn.crypto !== null) grown.set(conn.crypto);
      conn.crypto = grown;
    }
    // bytes already held must agree (a retransmission); different bytes keep the first copy
    const r = conn.ranges;
    for (let i = 0; i < r.length; i += 2) {
      const lo = Math.max(r[i]!, offset),
        hi = Math.min(r[i + 1]!, stop);
      for (let k = lo; k < hi; k++) {
        if (conn.crypto[k] !== src[from + k - offset]) {
          this.ctx.anomaly('quic_crypto_conflict', at, `offset ${k}`);
          return;
        }
      }
    }
    conn.crypto.set(src.subarray(from, from + (stop - offset)), offset);
    insertRange(r, offset, stop);
  }

  /** the ClientHello, once CRYPTO bytes from 0 cover its whole handshake message */
  private tryClientHello(conn: PendingConnection, at: number): QuicClientHello | undefined {
    const r = conn.ranges,
      buf = conn.crypto;
    if (buf === null || r.length === 0 || r[0] !== 0) return undefined;
    const have = r[1]!;
    if (have < 4) return undefined;
    if (buf[0] !== HandshakeType.clientHello) {
      this.ctx.anomaly('quic_frame_malformed', at, `CRYPTO starts with handshake type ${buf[0]}`);
      this.finish(conn);
      return undefined;
    }
    const len = (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!;
    if (4 + len > this.limits.maxQuicCryptoBytes) {
      this.ctx.anomaly('limit_reached', at, 'maxQuicCryptoBytes');
      this.finish(conn);
      return undefined;
    }
    if (have < 4 + len) return undefined;
    const ch = parseClientHello(buf, 4, 4 + len, this.ctx, this.limits);
    this.finish(conn);
    if (ch === undefined) return undefined;
    return { version: quicVersionName(conn.version), dcid: conn.dcid, clientHello: ch };
  }

  /** keep a small marker so later Initials of the connection are not reported again */
  private finish(conn: PendingConnection): void {
    conn.reported = true;
    conn.crypto = null;
    conn.ranges.length = 0;
  }
}

/** merges [lo, hi) into the sorted, disjoint range list */
function insertRange(r: number[], lo: number, hi: number): void {
  let i = 0;
  while (i < r.length && r[i + 1]! < lo) i += 2;
  let j = i;
  while (j < r.length && r[j]! <= hi) {
    lo = Math.min(lo, r[j]!);
    hi = Math.max(hi, r[j + 1]!);
    j += 2;
  }
  r.splice(i, j - i, lo, hi);
}

function hex(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

export { QUIC_V1, QUIC_V2, QUIC_DRAFT_29 };
