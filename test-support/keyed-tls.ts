/**
 * TLS sessions a decryptor can open, for generated captures (the keyed benchmark, tests): the
 * generator picks the secrets, encrypts the records with them as a real peer would, and writes
 * the key log lines (RFC 9850) that give them away.
 *
 * - TLS 1.3, TLS_AES_128_GCM_SHA256 (RFC 8446): the four traffic secrets are random; keys and
 *   IVs come from them by HKDF-Expand-Label (src/decrypt/hkdf.ts); EncryptedExtensions (with
 *   ALPN), an empty Certificate, CertificateVerify and Finished go under the handshake keys;
 *   each side switches to its application keys after its Finished. Log: CLIENT_/SERVER_
 *   HANDSHAKE_TRAFFIC_SECRET, CLIENT_/SERVER_TRAFFIC_SECRET_0.
 * - TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256 (RFC 5246, 5288): the master secret is random; the key
 *   block is PRF-SHA256("key expansion", server random + client random); records carry an
 *   explicit 8-byte nonce. Log: CLIENT_RANDOM.
 *
 * The secrets are not derived from a key exchange and the Finished and CertificateVerify
 * contents are filler: a passive decryptor (leakscope, Wireshark) uses the logged secrets and
 * checks neither. The handshake is otherwise shaped as real peers send it.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { aeadNonce, hkdfExpandLabel } from '../src/decrypt/hkdf.js';
import { buildClientHelloRecord } from './synth/tls.js';

export type TlsVersion = '1.2' | '1.3';

/** A message of a TCP conversation (as test-support/synth/session.ts takes them). */
export interface KeyedMessage {
  from: 'client' | 'server';
  data: Uint8Array;
}

const CT_CCS = 20,
  CT_HANDSHAKE = 22,
  CT_APP = 23;
const MAX_FRAGMENT = 16_384;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** deterministic bytes for secrets and randoms (xorshift32) */
export function fillBytes(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function record(type: number, body: Uint8Array | number[]): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type;
  out[1] = 3;
  out[2] = 3;
  out[3] = body.length >> 8;
  out[4] = body.length & 0xff;
  out.set(body, 5);
  return out;
}

function handshake(type: number, body: number[]): number[] {
  return [type, ...u24(body.length), ...body];
}

function ext(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}

function alpnExt(protocol: string): number[] {
  const p = [protocol.length, ...Buffer.from(protocol, 'ascii')];
  return ext(0x0010, [...u16(p.length), ...p]);
}

function serverHello(version: TlsVersion, random: Uint8Array, sessionId: Uint8Array, alpn: string): number[] {
  const exts =
    version === '1.3'
      ? [...ext(0x002b, u16(0x0304)), ...ext(0x0033, [...u16(0x001d), ...u16(32), ...fillBytes(32, random[0]! + 5)])]
      : [...ext(0xff01, [0]), ...ext(0x0017, []), ...alpnExt(alpn)];
  const suite = version === '1.3' ? 0x1301 : 0xc02f;
  return handshake(2, [...u16(0x0303), ...random, sessionId.length, ...sessionId, ...u16(suite), 0, ...u16(exts.length), ...exts]);
}

/** The parts one after the other, in one new array. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One direction's record protection: seals plaintext into records, numbering them. */
interface Sealer {
  seal(type: number, plaintext: Uint8Array): Uint8Array;
}

class Tls13Sealer implements Sealer {
  private seq = 0;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  constructor(secret: Uint8Array) {
    this.key = hkdfExpandLabel('sha256', secret, 'key', new Uint8Array(0), 16);
    this.iv = hkdfExpandLabel('sha256', secret, 'iv', new Uint8Array(0), 12);
  }
  seal(type: number, plaintext: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    for (let o = 0; o === 0 || o < plaintext.length; o += MAX_FRAGMENT) {
      const part = plaintext.subarray(o, Math.min(o + MAX_FRAGMENT, plaintext.length));
      const inner = new Uint8Array(part.length + 1);
      inner.set(part);
      inner[part.length] = type;
      const len = inner.length + 16;
      const header = Uint8Array.of(CT_APP, 3, 3, len >> 8, len & 0xff);
      const c = createCipheriv('aes-128-gcm', this.key, aeadNonce(this.iv, this.seq++));
      c.setAAD(header);
      out.push(header, c.update(inner), c.final(), c.getAuthTag());
    }
    return concat(out);
  }
}

class Tls12GcmSealer implements Sealer {
  private seq = 0;
  constructor(
    private readonly key: Uint8Array,
    private readonly salt: Uint8Array,
  ) {}
  seal(type: number, plaintext: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    for (let o = 0; o === 0 || o < plaintext.length; o += MAX_FRAGMENT) {
      const part = plaintext.subarray(o, Math.min(o + MAX_FRAGMENT, plaintext.length));
      const explicit = Buffer.alloc(8);
      explicit.writeBigUInt64BE(BigInt(this.seq));
      const aad = Buffer.alloc(13);
      aad.writeBigUInt64BE(BigInt(this.seq), 0);
      aad[8] = type;
      aad[9] = 3;
      aad[10] = 3;
      aad.writeUInt16BE(part.length, 11);
      this.seq++;
      const c = createCipheriv('aes-128-gcm', this.key, Buffer.concat([this.salt, explicit]));
      c.setAAD(aad);
      const body = concat([explicit, c.update(part), c.final(), c.getAuthTag()]);
      out.push(record(type, body));
    }
    return concat(out);
  }
}

/** TLS 1.2 PRF with SHA-256 (RFC 5246 §5): P_SHA256(secret, label + seed) */
export function prfSha256(secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const out: Buffer[] = [];
  let a: Buffer = createHmac('sha256', secret).update(labelSeed).digest();
  let n = 0;
  while (n < length) {
    const block = createHmac('sha256', secret).update(a).update(labelSeed).digest();
    out.push(block);
    n += block.length;
    a = createHmac('sha256', secret).update(a).digest();
  }
  return Buffer.concat(out).subarray(0, length);
}

export interface KeyedSessionSpec {
  version: TlsVersion;
  serverName: string;
  /** the protocol the server picks by ALPN ('h2' or 'http/1.1') */
  alpn: string;
  seed: number;
  /** application data after the handshake, in order; each becomes one or more records */
  exchange: KeyedMessage[];
}

export interface KeyedSession {
  /** the whole conversation, handshake included, ready for TrafficBuilder.tcpConnection */
  messages: KeyedMessage[];
  /** key log lines (no newline) */
  keyLog: string[];
  clientRandom: Uint8Array;
}

/** One TLS session whose traffic decrypts with its key log lines. */
export function keyedSession(spec: KeyedSessionSpec): KeyedSession {
  const clientHello = buildClientHelloRecord({
    serverName: spec.serverName,
    alpn: spec.alpn === 'h2' ? ['h2', 'http/1.1'] : ['http/1.1'],
    tls13: spec.version === '1.3',
    seed: spec.seed,
  });
  // the ClientHello's random and session id sit after record (5), handshake (4) and version (2) headers
  const clientRandom = clientHello.slice(11, 43);
  const sessionId = clientHello.slice(44, 44 + clientHello[43]!);
  const serverRandom = fillBytes(32, spec.seed * 31 + 17);
  const messages: KeyedMessage[] = [{ from: 'client', data: clientHello }];
  const keyLog: string[] = [];
  const cr = hex(clientRandom);
  let client: Sealer;
  let server: Sealer;

  if (spec.version === '1.3') {
    const secrets = [1, 2, 3, 4].map((i) => fillBytes(32, spec.seed * 97 + i));
    const [chs, shs, cts, sts] = secrets as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    keyLog.push(
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${cr} ${hex(chs)}`,
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${cr} ${hex(shs)}`,
      `CLIENT_TRAFFIC_SECRET_0 ${cr} ${hex(cts)}`,
      `SERVER_TRAFFIC_SECRET_0 ${cr} ${hex(sts)}`,
    );
    const serverHs = new Tls13Sealer(shs);
    const clientHs = new Tls13Sealer(chs);
    const flight = Uint8Array.from([
      ...handshake(8, [...u16(alpnExt(spec.alpn).length), ...alpnExt(spec.alpn)]), // EncryptedExtensions
      ...handshake(11, [0, ...u24(0)]), // Certificate: empty context, no certificates
      ...handshake(15, [...u16(0x0804), ...u16(256), ...fillBytes(256, spec.seed + 3)]), // CertificateVerify (rsa_pss_rsae_sha256)
      ...handshake(20, [...fillBytes(32, spec.seed + 4)]), // Finished
    ]);
    messages.push({
      from: 'server',
      data: concat([record(CT_HANDSHAKE, serverHello('1.3', serverRandom, sessionId, spec.alpn)), record(CT_CCS, [1]), serverHs.seal(CT_HANDSHAKE, flight)]),
    });
    client = new Tls13Sealer(cts);
    server = new Tls13Sealer(sts);
    const finished = clientHs.seal(CT_HANDSHAKE, Uint8Array.from(handshake(20, [...fillBytes(32, spec.seed + 5)])));
    messages.push({ from: 'client', data: concat([record(CT_CCS, [1]), finished]) });
  } else {
    const master = fillBytes(48, spec.seed * 89 + 1);
    keyLog.push(`CLIENT_RANDOM ${cr} ${hex(master)}`);
    const block = prfSha256(master, 'key expansion', concat([serverRandom, clientRandom]), 40);
    client = new Tls12GcmSealer(block.subarray(0, 16), block.subarray(32, 36));
    server = new Tls12GcmSealer(block.subarray(16, 32), block.subarray(36, 40));
    messages.push({
      from: 'server',
      data: concat([
        record(CT_HANDSHAKE, serverHello('1.2', serverRandom, sessionId, spec.alpn)),
        record(CT_HANDSHAKE, handshake(11, u24(0))), // Certificate: none (the key log makes it unnecessary)
        record(CT_HANDSHAKE, handshake(14, [])), // ServerHelloDone
      ]),
    });
    const finished = (s: Sealer, seed: number): Uint8Array => s.seal(CT_HANDSHAKE, Uint8Array.from(handshake(20, [...fillBytes(12, seed)])));
    messages.push({
      from: 'client',
      data: concat([
        record(CT_HANDSHAKE, handshake(16, [32, ...fillBytes(32, spec.seed + 6)])), // ClientKeyExchange (an X25519 share)
        record(CT_CCS, [1]),
        finished(client, spec.seed + 7),
      ]),
    });
    messages.push({ from: 'server', data: concat([record(CT_CCS, [1]), finished(server, spec.seed + 8)]) });
  }
  for (const m of spec.exchange) messages.push({ from: m.from, data: (m.from === 'client' ? client : server).seal(CT_APP, m.data) });
  return { messages, keyLog, clientRandom };
}
