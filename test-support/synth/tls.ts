/**
 * TLS handshake builders for generated captures (benchmark, demo fixture, fuzz seeds): a
 * ClientHello shaped like a current browser's (GREASE, SNI, ALPN, supported_versions, key
 * shares, optionally a post-quantum share that makes it span two segments), and a ServerHello.
 * Byte layouts follow RFC 8446 §4.1.2–4.1.3.
 */

export interface ClientHelloSpec {
  serverName?: string;
  alpn?: string[];
  /** offer TLS 1.3 (supported_versions) as well as 1.2 */
  tls13?: boolean;
  /** add an X25519MLKEM768 key share (1216 bytes): hellos of ~1.9 KB, as Chromium sends */
  postQuantum?: boolean;
  /** add a GREASE ECH extension (0xfe0d) */
  echGrease?: boolean;
  /** deterministic filler for random, session id and key shares */
  seed?: number;
}

const GREASE = 0x0a0a;

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function u24(n: number): number[] {
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}
function ext(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}
function filler(len: number, seed: number): number[] {
  const out = new Array<number>(len);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A whole TLS record (type 22) carrying one ClientHello. */
export function buildClientHelloRecord(spec: ClientHelloSpec = {}): Uint8Array {
  const seed = spec.seed ?? 1;
  const tls13 = spec.tls13 ?? true;
  const ciphers = [GREASE, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const exts: number[] = [];
  exts.push(...ext(GREASE, []));
  if (spec.serverName !== undefined) {
    const name = [...Buffer.from(spec.serverName, 'ascii')];
    const entry = [0, ...u16(name.length), ...name];
    exts.push(...ext(0x0000, [...u16(entry.length), ...entry]));
  }
  exts.push(...ext(0x0017, [])); // extended_master_secret
  exts.push(...ext(0xff01, [0])); // renegotiation_info
  const groups = spec.postQuantum ? [GREASE, 0x11ec, 0x001d, 0x0017, 0x0018] : [GREASE, 0x001d, 0x0017, 0x0018];
  exts.push(...ext(0x000a, [...u16(groups.length * 2), ...groups.flatMap(u16)]));
  exts.push(...ext(0x000b, [1, 0])); // ec_point_formats: uncompressed
  exts.push(...ext(0x0023, [])); // session_ticket
  if (spec.alpn?.length) {
    const list = spec.alpn.flatMap((p) => [p.length, ...Buffer.from(p, 'ascii')]);
    exts.push(...ext(0x0010, [...u16(list.length), ...list]));
  }
  exts.push(...ext(0x0005, [1, 0, 0, 0, 0])); // status_request
  const sigalgs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  exts.push(...ext(0x000d, [...u16(sigalgs.length * 2), ...sigalgs.flatMap(u16)]));
  exts.push(...ext(0x0012, [])); // signed_certificate_timestamp
  if (tls13) {
    const shares: number[] = [...u16(GREASE), ...u16(1), 0];
    if (spec.postQuantum) shares.push(...u16(0x11ec), ...u16(1216), ...filler(1216, seed + 7));
    shares.push(...u16(0x001d), ...u16(32), ...filler(32, seed + 3));
    exts.push(...ext(0x0033, [...u16(shares.length), ...shares]));
    exts.push(...ext(0x002d, [1, 1])); // psk_key_exchange_modes: psk_dhe_ke
    exts.push(...ext(0x002b, [6, ...u16(GREASE), ...u16(0x0304), ...u16(0x0303)]));
  }
  exts.push(...ext(0x001b, [2, 0, 2])); // compress_certificate: brotli
  if (spec.echGrease) exts.push(...ext(0xfe0d, [0, 0, 1, 0, 1, 0x2a, ...u16(32), ...filler(32, seed + 11), ...u16(144), ...filler(144, seed + 13)]));
  exts.push(...ext(GREASE + 0x1010, [0]));

  const body = [
    ...u16(0x0303),
    ...filler(32, seed),
    32,
    ...filler(32, seed + 1),
    ...u16(ciphers.length * 2),
    ...ciphers.flatMap(u16),
    1,
    0,
    ...u16(exts.length),
    ...exts,
  ];
  const handshake = [1, ...u24(body.length), ...body];
  return Uint8Array.from([22, 3, 1, ...u16(handshake.length), ...handshake]);
}

/** A TLS record with a ServerHello selecting `version` ('1.3' via supported_versions, or '1.2'). */
export function buildServerHelloRecord(version: '1.2' | '1.3', seed = 2): Uint8Array {
  const exts: number[] = [];
  if (version === '1.3') {
    exts.push(...ext(0x002b, u16(0x0304)));
    exts.push(...ext(0x0033, [...u16(0x001d), ...u16(32), ...filler(32, seed + 5)]));
  } else {
    exts.push(...ext(0xff01, [0]), ...ext(0x0017, []));
  }
  const body = [...u16(0x0303), ...filler(32, seed), 32, ...filler(32, seed + 1), ...u16(version === '1.3' ? 0x1301 : 0xc02f), 0, ...u16(exts.length), ...exts];
  const handshake = [2, ...u24(body.length), ...body];
  return Uint8Array.from([22, 3, 3, ...u16(handshake.length), ...handshake]);
}

/** An application-data record of `len` opaque bytes (what follows the handshake). */
export function buildAppDataRecord(len: number, seed = 3): Uint8Array {
  return Uint8Array.from([23, 3, 3, ...u16(len), ...filler(len, seed)]);
}
