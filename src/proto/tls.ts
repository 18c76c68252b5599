/**
 * TLS handshake parsing: record framing, ClientHello, ServerHello and the names of a
 * TLS 1.2 server certificate (RFC 8446 §4, RFC 5246 §7.4). Recognised by content, not port.
 *
 *   record:     type(1) version(2) length(2) fragment(length)
 *   handshake:  msg_type(1) length(3) body(length)
 *   ClientHello body:
 *     legacy_version(2) random(32) session_id<0..32>(1) cipher_suites<2..2^16-2>(2)
 *     legacy_compression_methods<1..2^8-1>(1) extensions<8..2^16-1>(2)   ← may be absent
 *   extension:  type(2) length(2) data(length)
 *
 * Names (SNI, ALPN) are decoded as latin1 so every byte survives one-to-one: they should be
 * ASCII/punycode, and escaping anything else for display is the report's job, not ours.
 * All functions are total: bad input gives `undefined`/`[]` plus an anomaly, never a throw.
 */
import type { AnomalySink } from '../anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { certificateNames } from './x509.js';
import { MALFORMED, NEED_MORE } from '../status.js';

// tlsRecordLength's statuses (src/status.ts): NEED_MORE, or MALFORMED (not a TLS record header)
export { MALFORMED, NEED_MORE };

export const TLS_RECORD_HEADER_LEN = 5;
/** RFC 8446 §5.2: a TLSCiphertext fragment may be up to 2^14 + 256; RFC 5246 allows +2048 */
export const TLS_MAX_RECORD_PAYLOAD = (1 << 14) + 2048;

export const ContentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;
export const HandshakeType = { clientHello: 1, serverHello: 2, certificate: 11 } as const;
export const ExtensionType = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  alpn: 16,
  padding: 21,
  sessionTicket: 35,
  preSharedKey: 41,
  supportedVersions: 43,
  pskKeyExchangeModes: 45,
  keyShare: 51,
  encryptedClientHello: 0xfe0d,
} as const;

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest */
const HELLO_RETRY_RANDOM = Uint8Array.from(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'));

export interface ClientHello {
  legacyVersion: number;
  cipherSuites: number[];
  /** extension types in the order sent, GREASE included (JA3/JA4 drop it) */
  extensions: number[];
  /** every host_name (type 0) entry of server_name, latin1-decoded */
  serverNames: string[];
  alpn: string[];
  supportedVersions: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  /** in the order sent (JA4 hashes them unsorted) */
  signatureAlgorithms: number[];
  keyShareGroups: number[];
  pskKeyExchangeModes: number[];
  /** encrypted_client_hello (0xfe0d) present; the SNI above is then the outer, public name */
  ech: boolean;
  /** ECHClientHello type: 'outer' (0) on the wire, 'inner' (1) only inside decrypted ECH */
  echType: 'outer' | 'inner' | null;
  preSharedKey: boolean;
  sessionTicket: boolean;
  sessionIdLength: number;
  /** some cipher, extension, group or version is a GREASE value (RFC 8701) */
  grease: boolean;
  /** true when this came from an SSLv2-format ClientHello (no extensions exist there) */
  sslv2: boolean;
}

export interface ServerHello {
  legacyVersion: number;
  /** negotiated version: supported_versions when present (TLS 1.3), else legacyVersion */
  version: number;
  cipherSuite: number;
  alpn: string | null;
  /** the random marks a HelloRetryRequest: a second ClientHello follows in plaintext */
  helloRetryRequest: boolean;
}

/** RFC 8701 GREASE: 0x0a0a, 0x1a1a, … 0xfafa (both bytes equal, low nibble 0xa) */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/**
 * How long the TLS record at `off` is, header included: NEED_MORE while fewer than 5 bytes
 * are there, MALFORMED when the header cannot be a TLS record, else 5 + length. Does not wait
 * for the payload (the caller compares with what it has).
 */
export function tlsRecordLength(b: Uint8Array, off: number, end: number): number {
  if (end - off < TLS_RECORD_HEADER_LEN) return NEED_MORE;
  const type = b[off]!;
  if (type < ContentType.changeCipherSpec || type > ContentType.applicationData) return MALFORMED;
  // record versions seen in the wild: 0x0300..0x0304 (TLS 1.3 still writes 0x0301/0x0303)
  if (b[off + 1] !== 3 || b[off + 2]! > 4) return MALFORMED;
  const len = (b[off + 3]! << 8) | b[off + 4]!;
  if (len > TLS_MAX_RECORD_PAYLOAD) return MALFORMED;
  return TLS_RECORD_HEADER_LEN + len;
}

/**
 * True when a client stream starts like a TLS ClientHello: a handshake record of a TLS
 * version holding message type 1, or an SSLv2-format CLIENT-HELLO (2-byte header, msg 1,
 * version 0x0002..0x0304). Needs 6 bytes (SSLv2: 5).
 */
export function looksLikeTlsClientHello(b: Uint8Array, off: number, end: number): boolean {
  if (end - off >= 6 && b[off] === ContentType.handshake) {
    return tlsRecordLength(b, off, end) > TLS_RECORD_HEADER_LEN && b[off + 5] === HandshakeType.clientHello;
  }
  return isSsl2ClientHelloHeader(b, off, end);
}

/**
 * Whether a client stream starting with b[off, end) is a TLS ClientHello, without waiting for
 * more than the first bytes need: 1 yes, 0 no, NEED_MORE while every byte so far fits one (a
 * first TCP segment of 1-4 bytes, as zapret and GoodbyeDPI send on purpose, or a first record
 * holding fewer bytes). The record's first handshake byte decides: a ClientHello split over
 * several records still starts with message type 1 in the first one.
 */
export function sniffTlsClientHello(b: Uint8Array, off: number, end: number): 1 | 0 | typeof NEED_MORE {
  const n = end - off;
  if (n <= 0) return NEED_MORE;
  if (b[off] === ContentType.handshake) {
    if (n >= 2 && b[off + 1] !== 3) return 0;
    if (n >= 3 && b[off + 2]! > 4) return 0;
    if (n >= 5 && ((b[off + 3]! << 8) | b[off + 4]!) === 0) return 0;
    if (n < 6) return NEED_MORE;
    return looksLikeTlsClientHello(b, off, end) ? 1 : 0;
  }
  // an SSLv2-format CLIENT-HELLO: the first byte has its high bit set
  if ((b[off]! & 0x80) === 0) return 0;
  if (n < 5) return n >= 3 && b[off + 2] !== 1 ? 0 : NEED_MORE;
  return isSsl2ClientHelloHeader(b, off, end) ? 1 : 0;
}

function isSsl2ClientHelloHeader(b: Uint8Array, off: number, end: number): boolean {
  if (end - off < 5) return false;
  const b0 = b[off]!;
  if ((b0 & 0x80) === 0) return false;
  const len = ((b0 & 0x7f) << 8) | b[off + 1]!;
  const major = b[off + 3]!,
    minor = b[off + 4]!;
  // 9 = msg(1) + version(2) + three length fields(6); versions 0x0002 (SSLv2) or 0x0300..0x0304
  return len >= 9 && b[off + 2] === 1 && ((major === 0 && minor === 2) || (major === 3 && minor <= 4));
}

/** latin1: one char per byte, so odd bytes survive for later escaping */
function latin1(b: Uint8Array, off: number, end: number): string {
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function u16(b: Uint8Array, off: number): number {
  return (b[off]! << 8) | b[off + 1]!;
}

function newClientHello(legacyVersion: number): ClientHello {
  return {
    legacyVersion,
    cipherSuites: [],
    extensions: [],
    serverNames: [],
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    pskKeyExchangeModes: [],
    ech: false,
    echType: null,
    preSharedKey: false,
    sessionTicket: false,
    sessionIdLength: 0,
    grease: false,
    sslv2: false,
  };
}

/** reads `count` big-endian u16 values from [off, off+2*count) into out */
function readU16List(b: Uint8Array, off: number, end: number, out: number[]): void {
  for (let p = off; p + 2 <= end; p += 2) out.push(u16(b, p));
}

/**
 * Parses a ClientHello body (after the 4-byte handshake header) in [off, end). Returns
 * undefined (and reports tls_client_hello_malformed with the field) when a mandatory part
 * is cut short; a bad extension keeps what was parsed before it.
 */
export function parseClientHello(
  body: Uint8Array,
  off: number,
  end: number,
  ctx: AnomalySink,
  limits: Pick<Limits, 'maxTlsExtensions'> = DEFAULT_LIMITS,
): ClientHello | undefined {
  const bad = (field: string, at: number): undefined => {
    ctx.anomaly('tls_client_hello_malformed', at, field);
    return undefined;
  };
  if (end > body.length) end = body.length;
  if (off < 0 || off > end) return bad('bounds', off);
  let p = off;
  if (end - p < 2 + 32 + 1) return bad('random', p);
  const ch = newClientHello(u16(body, p));
  p += 2 + 32;
  const sidLen = body[p++]!;
  if (sidLen > 32 || end - p < sidLen) return bad('session_id', p - 1);
  ch.sessionIdLength = sidLen;
  p += sidLen;
  if (end - p < 2) return bad('cipher_suites', p);
  const csLen = u16(body, p);
  p += 2;
  if (csLen % 2 !== 0 || end - p < csLen) return bad('cipher_suites', p - 2);
  readU16List(body, p, p + csLen, ch.cipherSuites);
  p += csLen;
  if (end - p < 1) return bad('compression_methods', p);
  const compLen = body[p++]!;
  if (end - p < compLen) return bad('compression_methods', p - 1);
  p += compLen;
  for (const c of ch.cipherSuites) if (isGrease(c)) ch.grease = true;
  if (p === end) return ch; // no extensions: a valid pre-TLS-1.2 hello
  if (end - p < 2) return bad('extensions', p);
  const extLen = u16(body, p);
  p += 2;
  if (end - p < extLen) {
    // cut short (a snaplen, a lost segment): the extensions that arrived whole still count —
    // the server name is usually among the first
    bad('extensions', p - 2);
    parseClientExtensions(body, p, end, ch, ctx, limits.maxTlsExtensions);
    return ch;
  }
  parseClientExtensions(body, p, p + extLen, ch, ctx, limits.maxTlsExtensions);
  return ch;
}

function parseClientExtensions(b: Uint8Array, p: number, end: number, ch: ClientHello, ctx: AnomalySink, maxExtensions: number): void {
  while (p < end) {
    if (ch.extensions.length >= maxExtensions) {
      ctx.anomaly('limit_reached', p, 'maxTlsExtensions');
      return;
    }
    if (end - p < 4) {
      ctx.anomaly('tls_client_hello_malformed', p, 'extension header');
      return;
    }
    const type = u16(b, p),
      len = u16(b, p + 2);
    p += 4;
    if (end - p < len) {
      ctx.anomaly('tls_client_hello_malformed', p - 4, `extension ${type} length`);
      return;
    }
    ch.extensions.push(type);
    if (isGrease(type)) ch.grease = true;
    if (!parseClientExtension(b, p, p + len, type, ch)) ctx.anomaly('tls_client_hello_malformed', p - 4, `extension ${type} body`);
    p += len;
  }
}

/** fills ch from one extension's data [p, end); false when its inner lengths do not add up */
function parseClientExtension(b: Uint8Array, p: number, end: number, type: number, ch: ClientHello): boolean {
  const len = end - p;
  switch (type) {
    case ExtensionType.serverName: {
      if (len < 2 || u16(b, p) !== len - 2) return len === 0; // empty: a server's echo
      for (let q = p + 2; q < end;) {
        if (end - q < 3) return false;
        const nameType = b[q]!,
          nameLen = u16(b, q + 1);
        q += 3;
        if (end - q < nameLen) return false;
        if (nameType === 0) ch.serverNames.push(latin1(b, q, q + nameLen));
        q += nameLen;
      }
      return true;
    }
    case ExtensionType.alpn: {
      if (len < 2 || u16(b, p) !== len - 2) return false;
      for (let q = p + 2; q < end;) {
        const n = b[q++]!;
        if (n === 0 || end - q < n) return false; // RFC 7301: empty names are not allowed
        ch.alpn.push(latin1(b, q, q + n));
        q += n;
      }
      return true;
    }
    case ExtensionType.supportedVersions: {
      if (len < 1 || b[p] !== len - 1 || (len - 1) % 2 !== 0) return false;
      readU16List(b, p + 1, end, ch.supportedVersions);
      for (const v of ch.supportedVersions) if (isGrease(v)) ch.grease = true;
      return true;
    }
    case ExtensionType.supportedGroups: {
      if (len < 2 || u16(b, p) !== len - 2 || len % 2 !== 0) return false;
      readU16List(b, p + 2, end, ch.supportedGroups);
      for (const g of ch.supportedGroups) if (isGrease(g)) ch.grease = true;
      return true;
    }
    case ExtensionType.ecPointFormats: {
      if (len < 1 || b[p] !== len - 1) return false;
      for (let q = p + 1; q < end; q++) ch.ecPointFormats.push(b[q]!);
      return true;
    }
    case ExtensionType.signatureAlgorithms: {
      if (len < 2 || u16(b, p) !== len - 2 || len % 2 !== 0) return false;
      readU16List(b, p + 2, end, ch.signatureAlgorithms);
      return true;
    }
    case ExtensionType.keyShare: {
      if (len < 2 || u16(b, p) !== len - 2) return false;
      for (let q = p + 2; q < end;) {
        if (end - q < 4) return false;
        const group = u16(b, q),
          keyLen = u16(b, q + 2);
        q += 4;
        if (end - q < keyLen) return false;
        ch.keyShareGroups.push(group);
        q += keyLen;
      }
      return true;
    }
    case ExtensionType.pskKeyExchangeModes: {
      if (len < 1 || b[p] !== len - 1) return false;
      for (let q = p + 1; q < end; q++) ch.pskKeyExchangeModes.push(b[q]!);
      return true;
    }
    case ExtensionType.encryptedClientHello: {
      ch.ech = true;
      if (len < 1) return false;
      ch.echType = b[p] === 0 ? 'outer' : b[p] === 1 ? 'inner' : null;
      return ch.echType !== null;
    }
    case ExtensionType.preSharedKey:
      ch.preSharedKey = true;
      return true;
    case ExtensionType.sessionTicket:
      ch.sessionTicket = true;
      return true;
    default:
      return true;
  }
}

/**
 * Parses an SSLv2-format CLIENT-HELLO record (draft-hickman SSL 2.0 §; RFC 5246 Appendix E.2)
 * starting at its 2-byte record header:
 *   length(2, high bit set) msg_type(1)=1 version(2) cipher_spec_length(2)
 *   session_id_length(2) challenge_length(2) cipher_specs(3 each) session_id challenge
 * Cipher specs whose first byte is 0 are TLS suites (kept as 16-bit values); SSLv2-only
 * kinds are kept as their 24-bit value. No extensions, so no SNI.
 */
export function parseSsl2ClientHello(b: Uint8Array, off: number, end: number, ctx: AnomalySink): ClientHello | undefined {
  if (!isSsl2ClientHelloHeader(b, off, end)) {
    ctx.anomaly('tls_client_hello_malformed', off, 'sslv2 header');
    return undefined;
  }
  const recEnd = off + 2 + (((b[off]! & 0x7f) << 8) | b[off + 1]!);
  if (recEnd > end || recEnd - off < 11) {
    ctx.anomaly('tls_client_hello_malformed', off, 'sslv2 length');
    return undefined;
  }
  const specLen = u16(b, off + 5),
    sidLen = u16(b, off + 7),
    chalLen = u16(b, off + 9);
  const specs = off + 11;
  if (specLen % 3 !== 0 || specs + specLen + sidLen + chalLen > recEnd) {
    ctx.anomaly('tls_client_hello_malformed', off + 5, 'sslv2 lengths');
    return undefined;
  }
  const ch = newClientHello(u16(b, off + 3));
  ch.sslv2 = true;
  ch.sessionIdLength = sidLen;
  for (let q = specs; q < specs + specLen; q += 3) {
    const v = (b[q]! << 16) | u16(b, q + 1);
    ch.cipherSuites.push(v);
    if (isGrease(v)) ch.grease = true;
  }
  return ch;
}

/** SSLv2 record bytes at `off`, or NEED_MORE; only meaningful after looksLikeTlsClientHello */
export function ssl2RecordLength(b: Uint8Array, off: number, end: number): number {
  if (end - off < 2) return NEED_MORE;
  return 2 + (((b[off]! & 0x7f) << 8) | b[off + 1]!);
}

/** Parses a ServerHello body (after the handshake header), HelloRetryRequest included. */
export function parseServerHello(body: Uint8Array, off: number, end: number, ctx: AnomalySink): ServerHello | undefined {
  const bad = (field: string, at: number): undefined => {
    ctx.anomaly('tls_server_hello_malformed', at, field);
    return undefined;
  };
  if (end > body.length) end = body.length;
  if (off < 0 || off > end) return bad('bounds', off);
  let p = off;
  if (end - p < 2 + 32 + 1) return bad('random', p);
  const legacyVersion = u16(body, p);
  let hrr = true;
  for (let i = 0; i < 32; i++)
    if (body[p + 2 + i] !== HELLO_RETRY_RANDOM[i]) {
      hrr = false;
      break;
    }
  p += 2 + 32;
  const sidLen = body[p++]!;
  if (sidLen > 32 || end - p < sidLen + 3) return bad('session_id', p - 1);
  p += sidLen;
  const sh: ServerHello = { legacyVersion, version: legacyVersion, cipherSuite: u16(body, p), alpn: null, helloRetryRequest: hrr };
  p += 3; // cipher suite + compression method
  if (end - p < 2) return sh; // no extensions
  const extEnd = p + 2 + u16(body, p);
  p += 2;
  if (extEnd > end) {
    bad('extensions', p - 2);
    return sh;
  }
  while (p < extEnd) {
    if (extEnd - p < 4) {
      bad('extension header', p);
      return sh;
    }
    const type = u16(body, p),
      len = u16(body, p + 2);
    p += 4;
    if (extEnd - p < len) {
      bad(`extension ${type} length`, p - 4);
      return sh;
    }
    if (type === ExtensionType.supportedVersions && len === 2) sh.version = u16(body, p);
    else if (type === ExtensionType.alpn && len >= 3 && u16(body, p) === len - 2 && body[p + 2] === len - 3) {
      sh.alpn = latin1(body, p + 3, p + len);
    }
    p += len;
  }
  return sh;
}

/**
 * TLS 1.2 Certificate message body → subject CN and SAN dNSNames of the first (leaf)
 * certificate: certificate_list<0..2^24-1>(3) { cert_data<1..2^24-1>(3) }.
 * TLS 1.3 certificates are encrypted, so only the 1.2 layout is read here.
 */
export function parseCertificateNames(body: Uint8Array, off: number, end: number, ctx: AnomalySink): string[] {
  if (end > body.length) end = body.length;
  if (off < 0 || end - off < 3) {
    ctx.anomaly('tls_certificate_malformed', off, 'certificate_list');
    return [];
  }
  const listLen = (body[off]! << 16) | u16(body, off + 1);
  if (listLen === 0) return [];
  if (listLen < 3 || end - off - 3 < 3) {
    ctx.anomaly('tls_certificate_malformed', off, 'certificate_list');
    return [];
  }
  const certLen = (body[off + 3]! << 16) | u16(body, off + 4);
  const certOff = off + 6;
  if (certLen === 0 || end - certOff < certLen) {
    ctx.anomaly('tls_certificate_malformed', off + 3, 'cert_data');
    return [];
  }
  return certificateNames(body, certOff, certOff + certLen, ctx);
}

const VERSION_NAMES = new Map<number, string>([
  [0x0304, '1.3'],
  [0x0303, '1.2'],
  [0x0302, '1.1'],
  [0x0301, '1.0'],
  [0x0300, 'ssl3'],
  [0x0002, '2.0'],
]);

/** '1.3', '1.2', '1.1', '1.0', 'ssl3', '2.0' (SSL 2.0, as tshark names it); TLS 1.3 drafts as '1.3-draft23'; else '0x….' */
export function tlsVersionName(v: number): string {
  const name = VERSION_NAMES.get(v);
  if (name !== undefined) return name;
  if ((v & 0xff00) === 0x7f00) return `1.3-draft${v & 0xff}`;
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/**
 * Versions the client offers, best first as sent: supported_versions without GREASE when
 * present, else the legacy version alone.
 */
export function offeredVersions(ch: ClientHello): string[] {
  const out: string[] = [];
  for (const v of ch.supportedVersions) if (!isGrease(v)) out.push(tlsVersionName(v));
  return out.length > 0 ? out : [tlsVersionName(ch.legacyVersion)];
}
