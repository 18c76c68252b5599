/**
 * What the decryptor needs from the hellos and the encrypted handshake: randoms, the cipher
 * suite, the negotiated version and a few extensions (RFC 8446 §4.1.2-4.1.3, §4.3.1; RFC 7366
 * encrypt_then_mac; RFC 7301 ALPN). Total functions: bad bytes give undefined, never a throw.
 */

export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;
export const HS_END_OF_EARLY_DATA = 5;
export const HS_ENCRYPTED_EXTENSIONS = 8;
export const HS_FINISHED = 20;
export const HS_KEY_UPDATE = 24;

export const EXT_ALPN = 16;
export const EXT_ENCRYPT_THEN_MAC = 22;
export const EXT_EARLY_DATA = 42;
export const EXT_SUPPORTED_VERSIONS = 43;

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest */
const HELLO_RETRY_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

export interface Hello {
  random: Buffer;
  /** the client's offered suites, or the server's one */
  cipherSuites: number[];
  /** extension type → its data (a view into the body) */
  extensions: Map<number, Uint8Array>;
  /** negotiated (ServerHello) version: supported_versions when present, else legacy_version */
  version: number;
  helloRetryRequest: boolean;
  /** the server's compression method (RFC 3749: 1 = DEFLATE); 0 for a ClientHello */
  compression: number;
}

/** Parses a ClientHello or ServerHello body (after the 4-byte handshake header). */
export function parseHello(body: Uint8Array, client: boolean): Hello | undefined {
  const n = body.length;
  if (n < 2 + 32 + 1) return undefined;
  const legacyVersion = (body[0]! << 8) | body[1]!;
  // a copy of its own (not from Node's 8 KiB pool, which it would keep alive with the connection)
  const random = Buffer.allocUnsafeSlow(32);
  random.set(body.subarray(2, 34));
  let p = 34;
  const sid = body[p++]!;
  p += sid;
  const cipherSuites: number[] = [];
  let compression = 0;
  if (client) {
    if (p + 2 > n) return undefined;
    const len = (body[p]! << 8) | body[p + 1]!;
    p += 2;
    if (p + len > n) return undefined;
    for (let i = p; i + 1 < p + len; i += 2) cipherSuites.push((body[i]! << 8) | body[i + 1]!);
    p += len;
    if (p >= n) return undefined;
    p += 1 + body[p]!; // compression methods
  } else {
    if (p + 3 > n) return undefined;
    cipherSuites.push((body[p]! << 8) | body[p + 1]!);
    compression = body[p + 2]!;
    p += 3;
  }
  if (p > n) return undefined;
  const extensions = parseExtensions(body, p, n) ?? new Map<number, Uint8Array>();
  let version = legacyVersion;
  const sv = extensions.get(EXT_SUPPORTED_VERSIONS);
  if (!client && sv !== undefined && sv.length >= 2) version = (sv[0]! << 8) | sv[1]!;
  return { random, cipherSuites, extensions, version, helloRetryRequest: !client && random.equals(HELLO_RETRY_RANDOM), compression };
}

/** extensions<0..2^16-1> at `p` (absent in old hellos: an empty map) */
export function parseExtensions(b: Uint8Array, p: number, n: number): Map<number, Uint8Array> | undefined {
  const out = new Map<number, Uint8Array>();
  if (p + 2 > n) return out;
  const total = (b[p]! << 8) | b[p + 1]!;
  p += 2;
  const end = Math.min(n, p + total);
  while (p + 4 <= end) {
    const type = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    p += 4;
    if (p + len > end) return out;
    if (!out.has(type)) out.set(type, b.subarray(p, p + len));
    p += len;
  }
  return out;
}

/** The ClientHello offers TLS 1.3 in supported_versions. */
export function offersTls13(ch: Hello): boolean {
  const sv = ch.extensions.get(EXT_SUPPORTED_VERSIONS);
  if (sv === undefined || sv.length < 1) return false;
  for (let i = 1; i + 1 < sv.length; i += 2) if (sv[i] === 3 && sv[i + 1] === 4) return true;
  return false;
}

/** The first protocol of an ALPN extension (the server's choice: it names exactly one). */
export function firstAlpn(data: Uint8Array | undefined): string | null {
  if (data === undefined || data.length < 3) return null;
  const len = data[2]!;
  if (3 + len > data.length) return null;
  return Buffer.from(data.subarray(3, 3 + len)).toString('latin1');
}
