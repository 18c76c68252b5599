/**
 * The TLS ≤ 1.2 pseudorandom function (RFC 5246 §5, RFC 2246 §5) over Node's HMAC, and the
 * key block it expands a master secret into (RFC 5246 §6.3).
 *
 *   TLS 1.2:      PRF = P_hash(secret, label ‖ seed), hash SHA-256 or the suite's SHA-384
 *   TLS 1.0/1.1:  PRF = P_MD5(S1, label ‖ seed) ⊕ P_SHA1(S2, label ‖ seed), S1/S2 the halves
 *                 of the secret (overlapping by a byte when its length is odd)
 */
import { hmac } from './hkdf.js';

export type PrfHash = 'sha256' | 'sha384' | 'md5sha1';

/** RFC 5246 §5 P_hash: HMAC(secret, A(i) ‖ seed) for A(i) = HMAC(secret, A(i-1)), A(0) = seed. */
function pHash(hash: 'md5' | 'sha1' | 'sha256' | 'sha384', secret: Uint8Array, seed: Uint8Array, length: number): Buffer {
  // not from Node's shared pool: the key block's slices live as long as the connection (hkdf.ts)
  const out = Buffer.allocUnsafeSlow(length);
  let a: Buffer = hmac(hash, secret, seed);
  // A(i) ‖ seed, rewritten in place for each block
  const message = Buffer.allocUnsafe(a.length + seed.length);
  message.set(seed, a.length);
  let filled = 0;
  while (filled < length) {
    a.copy(message, 0);
    const block = hmac(hash, secret, message);
    block.copy(out, filled, 0, Math.min(block.length, length - filled));
    filled += block.length;
    a = hmac(hash, secret, a);
  }
  return out;
}

/** PRF(secret, label, seed) of `length` bytes. */
export function tlsPrf(hash: PrfHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  if (hash !== 'md5sha1') return pHash(hash, secret, labelSeed, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), labelSeed, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), labelSeed, length);
  for (let i = 0; i < length; i++) md5[i] ^= sha1[i]!;
  return md5;
}

export interface DirectionKeys {
  macKey: Buffer;
  key: Buffer;
  iv: Buffer;
}

export interface KeyBlockParams {
  macLength: number;
  keyLength: number;
  /** the export suites' expanded key length; 0 otherwise */
  exportKeyLength: number;
  fixedIvLength: number;
  prfHash: 'sha256' | 'sha384';
}

/** The PRF a version uses: TLS 1.2 the suite's hash, TLS 1.0 and 1.1 MD5 ⊕ SHA-1. */
export function prfFor(version: number, suiteHash: 'sha256' | 'sha384'): PrfHash {
  return version >= 0x0303 ? suiteHash : 'md5sha1';
}

/**
 * RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random ‖ client_random),
 * cut into the client and server MAC keys, write keys and IVs. Export suites (RFC 2246 §6.3)
 * stretch their 5-byte keys with "client/server write key" and take their IVs from "IV block".
 */
export function tls12KeyBlock(
  s: KeyBlockParams,
  version: number,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): { client: DirectionKeys; server: DirectionKeys } {
  const prf = prfFor(version, s.prfHash);
  const exp = s.exportKeyLength > 0;
  const ivLength = exp ? 0 : s.fixedIvLength;
  const block = tlsPrf(prf, masterSecret, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 2 * (s.macLength + s.keyLength + ivLength));
  let p = 0;
  const take = (n: number): Buffer => {
    const b = block.subarray(p, p + n);
    p += n;
    return b;
  };
  const client: DirectionKeys = { macKey: take(s.macLength), key: Buffer.alloc(0), iv: Buffer.alloc(0) };
  const server: DirectionKeys = { macKey: take(s.macLength), key: Buffer.alloc(0), iv: Buffer.alloc(0) };
  client.key = take(s.keyLength);
  server.key = take(s.keyLength);
  if (!exp) {
    client.iv = take(ivLength);
    server.iv = take(ivLength);
    return { client, server };
  }
  const randoms = Buffer.concat([clientRandom, serverRandom]);
  client.key = tlsPrf(prf, client.key, 'client write key', randoms, s.exportKeyLength);
  server.key = tlsPrf(prf, server.key, 'server write key', randoms, s.exportKeyLength);
  if (s.fixedIvLength > 0) {
    const ivs = tlsPrf(prf, Buffer.alloc(0), 'IV block', randoms, 2 * s.fixedIvLength);
    client.iv = ivs.subarray(0, s.fixedIvLength);
    server.iv = ivs.subarray(s.fixedIvLength);
  }
  return { client, server };
}
