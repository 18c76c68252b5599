/**
 * The TLS 1.3 key schedule's one primitive, shared by TLS 1.3 and QUIC (RFC 8446 §7.1,
 * RFC 9001 §5.1): HKDF-Expand-Label over Node's HMAC. `crypto.hkdfSync` always runs
 * Extract before Expand, and the secrets in a key log are already extracted.
 */
import { createHmac } from 'node:crypto';

export type HashName = 'sha256' | 'sha384';

export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48 };

/** RFC 5869 HKDF-Expand: `length` bytes of output keying material from a pseudorandom key. */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const blocks = Math.ceil(length / HASH_LENGTH[hash]);
  if (blocks > 255) throw new RangeError(`HKDF-Expand: ${length} bytes is more than 255 blocks`);
  const out = Buffer.allocUnsafe(blocks * HASH_LENGTH[hash]);
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 0; i < blocks; i++) {
    previous = createHmac(hash, prk).update(previous).update(info).update(Uint8Array.of(i + 1)).digest();
    previous.copy(out, i * HASH_LENGTH[hash]);
  }
  return out.subarray(0, length);
}

/**
 * HKDF-Expand-Label(secret, label, context, length) with the "tls13 " prefix; QUIC's labels
 * ("quic key", "quicv2 hp", …) go through the same prefix.
 */
export function hkdfExpandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.allocUnsafe(2 + 1 + fullLabel.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = fullLabel.length;
  fullLabel.copy(info, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return hkdfExpand(hash, secret, info, length);
}

/** The AEADs TLS 1.3 and QUIC use, as Node names them, with their key lengths. */
export type Tls13Aead = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm';

export interface Tls13CipherSuite {
  id: number;
  name: string;
  aead: Tls13Aead;
  keyLength: number;
  /** authentication tag length: 16, except TLS_AES_128_CCM_8_SHA256's 8 */
  tagLength: number;
  hash: HashName;
}

/** RFC 8446 §B.4. */
export const TLS13_CIPHER_SUITES: ReadonlyMap<number, Tls13CipherSuite> = new Map(
  [
    { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', aead: 'aes-128-gcm', keyLength: 16, tagLength: 16, hash: 'sha256' },
    { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', aead: 'aes-256-gcm', keyLength: 32, tagLength: 16, hash: 'sha384' },
    { id: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', aead: 'chacha20-poly1305', keyLength: 32, tagLength: 16, hash: 'sha256' },
    { id: 0x1304, name: 'TLS_AES_128_CCM_SHA256', aead: 'aes-128-ccm', keyLength: 16, tagLength: 16, hash: 'sha256' },
    { id: 0x1305, name: 'TLS_AES_128_CCM_8_SHA256', aead: 'aes-128-ccm', keyLength: 16, tagLength: 8, hash: 'sha256' },
  ].map((s) => [s.id, s as Tls13CipherSuite]),
);

/** The per-record nonce of TLS 1.3 and QUIC: the IV XOR the sequence (packet) number, right-aligned. */
export function aeadNonce(iv: Uint8Array, sequence: number | bigint): Buffer {
  const nonce = Buffer.from(iv);
  let n = BigInt(sequence);
  for (let i = nonce.length - 1; i >= nonce.length - 8 && n > 0n; i--) {
    nonce[i] ^= Number(n & 0xffn);
    n >>= 8n;
  }
  return nonce;
}
