/**
 * MiPush, Xiaomi's push channel (XMPushService, also the MIMC "ims" SDKs): a long-lived TCP
 * connection to app.chat(.global).xiaomi.net (port 5222, also 443 and 80) that opens with a
 * plaintext handshake naming the device. Two wire forms exist, both written here from the
 * protocol as it appears on the wire (decompiled MiPush SDKs, the MIMC C++/JS SDKs, nDPI's
 * protocols/xiaomi.c):
 *
 * 1. The binary "slim" Blob (current SDKs). All integers big-endian:
 *
 *      0       2       4               8
 *      +-------+-------+---------------+---------------------------+-------+
 *      | magic |version|   body length | body (body length bytes)  | check |
 *      | C2 FE | 00 05 |               |                           |  sum  |
 *      +-------+-------+---------------+---------------------------+-------+
 *      body = payload type (u16, 2 = protobuf) | header length (u16) | payload length (u32)
 *             | ClientHeader (protobuf) | payload (protobuf)
 *      checksum = 4 bytes over everything before it (CRC-32 in the MIMC SDK, Adler-32 in
 *      MiPush's BlobReader); not verified here.
 *
 *    Only the CONN blob the client sends first travels in the clear; every later body is
 *    RC4-encrypted with a key derived from the server's challenge, so it is not parsed.
 *    ClientHeader fields: 1 chid (int32), 2 uuid (int64), 3 server, 4 resource, 5 cmd ("CONN",
 *    "BIND", "PING", "SECMSG", …), 6 subcmd, 7 id, 8 dir_flag (1-3 client→server, 4-6
 *    server→client), 9 cipher (0 = none), 10 err_code, 11 err_str.
 *    XMMsgConn, the CONN payload: 1 version, 2 model (Build.MODEL), 3 os (the ROM build,
 *    Build.VERSION.INCREMENTAL, e.g. V12.0.3.0.QJZMIXM), 4 udid (the device token), 5 sdk,
 *    6 connpt (network type: WIFI, or the radio access technology and APN), 7 host (the push
 *    server the device was sent to, host[:port]), 8 locale, 9 psc (push-service config),
 *    10 andver (Android SDK level).
 *
 * 2. The older XMPP-like text stream (smack-based SDKs): the client opens with
 *      <stream:stream xmlns="xm" xmlns:stream="xm" to="xiaomi.com" version="105"
 *        model="…" os="…" uid="…" sdk="…" connpt="…" host="…" locale="…">
 *    carrying the same facts as attributes (`uid` is the device id).
 */
import { NEED_MORE } from './tls.js';

export const MIPUSH_MAGIC = 0xc2fe;
export const MIPUSH_VERSION = 5;
export const MIPUSH_HEADER_LEN = 8;
const BODY_HEADER_LEN = 8;
const CHECKSUM_LEN = 4;
/** BlobReader refuses bodies larger than this (0x8000) */
export const MIPUSH_MAX_BODY = 0x8000;

/** What a client's handshake names (blob CONN or XMPP stream open); absent fields are null. */
export interface MipushHandshake {
  form: 'blob' | 'xmpp';
  /** blob: ClientHeader.cmd (`CONN`); xmpp: `stream` */
  cmd: string;
  /** the service the client addresses: ClientHeader.server / the stream's `to` */
  server: string | null;
  chid: number | null;
  resource: string | null;
  model: string | null;
  /** ROM build (Build.VERSION.INCREMENTAL) */
  os: string | null;
  /** device token (XMMsgConn udid, the stream's uid) */
  udid: string | null;
  sdk: number | null;
  /** network type (WIFI, or radio access technology and APN) */
  connpt: string | null;
  /** the push server the device was sent to, host[:port] */
  host: string | null;
  locale: string | null;
  andver: number | null;
}

/** A blob's header: its command when readable, and whether its body is encrypted (unreadable). */
export interface MipushBlob {
  length: number;
  cmd: string | null;
  encrypted: boolean;
  /** client to server (dir_flag 1-3) */
  fromClient: boolean | null;
  conn: MipushHandshake | null;
}

const STREAM_OPEN = '<stream:stream';
const enc = new TextEncoder();
const STREAM_OPEN_BYTES = enc.encode(STREAM_OPEN);
const utf8 = new TextDecoder('utf-8');

/**
 * Whether a client stream starting with b[off, end) is MiPush: 1 yes, 0 no, NEED_MORE while the
 * bytes so far fit (a blob's magic, version and a plausible body length; or `<stream:stream`
 * with the `xm` namespace).
 */
export function sniffMipush(b: Uint8Array, off: number, end: number): 1 | 0 | typeof NEED_MORE {
  const n = end - off;
  if (n <= 0) return NEED_MORE;
  if (b[off] === 0xc2) {
    if (n >= 2 && b[off + 1] !== 0xfe) return 0;
    if (n >= 3 && b[off + 2] !== 0) return 0;
    if (n >= 4 && b[off + 3] !== MIPUSH_VERSION) return 0;
    if (n < MIPUSH_HEADER_LEN) return NEED_MORE;
    const len = u32(b, off + 4);
    return len >= BODY_HEADER_LEN && len <= MIPUSH_MAX_BODY ? 1 : 0;
  }
  if (b[off] === 0x3c /* < */) {
    const k = Math.min(n, STREAM_OPEN_BYTES.length);
    for (let i = 0; i < k; i++) if (b[off + i] !== STREAM_OPEN_BYTES[i]) return 0;
    if (n < STREAM_OPEN_BYTES.length) return NEED_MORE;
    const gt = b.indexOf(0x3e /* > */, off);
    if (gt < 0 || gt >= end) return n > 4096 ? 0 : NEED_MORE;
    return /\sxmlns(?::stream)?="xm"/.test(utf8.decode(b.subarray(off, gt))) ? 1 : 0;
  }
  return 0;
}

/** Bytes the blob at `off` occupies (header, body, checksum), NEED_MORE under 8 bytes, -2 when not a blob. */
export function mipushBlobLength(b: Uint8Array, off: number, end: number): number {
  if (end - off < MIPUSH_HEADER_LEN) return NEED_MORE;
  if (((b[off]! << 8) | b[off + 1]!) !== MIPUSH_MAGIC || ((b[off + 2]! << 8) | b[off + 3]!) !== MIPUSH_VERSION) return -2;
  const len = u32(b, off + 4);
  if (len > MIPUSH_MAX_BODY) return -2;
  return MIPUSH_HEADER_LEN + len + CHECKSUM_LEN;
}

/** Parses one whole blob b[off, off + length): its header, and the CONN handshake when plaintext. */
export function parseMipushBlob(b: Uint8Array, off: number, length: number): MipushBlob {
  const body = off + MIPUSH_HEADER_LEN;
  const bodyLen = length - MIPUSH_HEADER_LEN - CHECKSUM_LEN;
  const out: MipushBlob = { length, cmd: null, encrypted: true, fromClient: null, conn: null };
  if (bodyLen === 0) {
    out.encrypted = false; // a ping (empty body)
    out.cmd = 'PING';
    return out;
  }
  if (bodyLen < BODY_HEADER_LEN) return out;
  const headerLen = (b[body + 2]! << 8) | b[body + 3]!;
  const payloadLen = u32(b, body + 4);
  // an encrypted body does not add up: its "lengths" are RC4 output
  if (BODY_HEADER_LEN + headerLen + payloadLen !== bodyLen || headerLen === 0) return out;
  const h = body + BODY_HEADER_LEN;
  const header = decodeFields(b, h, h + headerLen);
  if (header === null) return out;
  out.encrypted = false;
  out.cmd = header.str.get(5) ?? null;
  const dir = header.num.get(8);
  out.fromClient = dir === undefined ? null : dir >= 1 && dir <= 3;
  if (out.cmd === 'CONN' && out.fromClient !== false) {
    const p = h + headerLen;
    const conn = decodeFields(b, p, p + payloadLen);
    // without a direction flag, only a payload that reads as a client's XMMsgConn is one (a
    // server's XMMsgConnResp, seen first in a capture begun mid-connection, is not)
    if (conn !== null && (out.fromClient === true || looksLikeConn(conn.str))) {
      out.conn = {
        form: 'blob',
        cmd: 'CONN',
        server: header.str.get(3) ?? null,
        chid: header.num.get(1) ?? null,
        resource: header.str.get(4) ?? null,
        model: conn.str.get(2) ?? null,
        os: conn.str.get(3) ?? null,
        udid: conn.str.get(4) ?? null,
        sdk: conn.num.get(5) ?? null,
        connpt: conn.str.get(6) ?? null,
        host: conn.str.get(7) ?? null,
        locale: conn.str.get(8) ?? null,
        andver: conn.num.get(10) ?? null,
      };
    }
  }
  return out;
}

/** The attributes of an XMPP stream open `<stream:stream …>` in b[off, end), or null when it is not complete there. */
export function parseMipushStreamOpen(b: Uint8Array, off: number, end: number): MipushHandshake | null {
  const gt = b.indexOf(0x3e, off);
  if (gt < 0 || gt >= end) return null;
  const text = utf8.decode(b.subarray(off, gt));
  if (!text.startsWith(STREAM_OPEN)) return null;
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(/\s([\w:]+)="([^"]*)"/g)) if (!attrs.has(m[1]!)) attrs.set(m[1]!, unescapeXml(m[2]!));
  const num = (k: string) => (attrs.has(k) && /^\d+$/.test(attrs.get(k)!) ? Number(attrs.get(k)) : null);
  const str = (k: string) => attrs.get(k) || null;
  return {
    form: 'xmpp',
    cmd: 'stream',
    server: str('to'),
    chid: null,
    resource: null,
    model: str('model'),
    os: str('os'),
    udid: str('uid'),
    sdk: num('sdk'),
    connpt: str('connpt'),
    host: str('host'),
    locale: str('locale'),
    andver: null,
  };
}

/** XMMsgConn's text fields are printable and it names at least the device token, network, host or locale. */
function looksLikeConn(str: Map<number, string>): boolean {
  // (field 9, psc, is a nested message: not text)
  for (const f of [2, 3, 4, 6, 7, 8]) if (/[\u0000-\u001f\u007f\ufffd]/.test(str.get(f) ?? '')) return false;
  return str.has(4) || str.has(6) || str.has(7) || str.has(8);
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) >>> 0) + ((b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!);
}

/** Protobuf fields of b[off, end): length-delimited as UTF-8 strings, varints as numbers (first of each). Null when malformed. */
function decodeFields(b: Uint8Array, off: number, end: number): { str: Map<number, string>; num: Map<number, number> } | null {
  const str = new Map<number, string>();
  const num = new Map<number, number>();
  let p = off;
  const varint = (): number | null => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= end) return null;
      const c = b[p++]!;
      if (i < 7) v += (c & 0x7f) * mul; // past 49 bits the value is not needed exactly
      mul *= 128;
      if ((c & 0x80) === 0) return v;
    }
    return null;
  };
  while (p < end) {
    const tag = varint();
    if (tag === null || tag < 8) return null;
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0: {
        const v = varint();
        if (v === null) return null;
        if (!num.has(field)) num.set(field, v);
        break;
      }
      case 1:
        if (end - p < 8) return null;
        p += 8;
        break;
      case 2: {
        const len = varint();
        if (len === null || len > end - p) return null;
        if (!str.has(field)) str.set(field, utf8.decode(b.subarray(p, p + len)));
        p += len;
        break;
      }
      case 5:
        if (end - p < 4) return null;
        p += 4;
        break;
      default:
        return null;
    }
  }
  return { str, num };
}
