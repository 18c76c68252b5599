/**
 * The TLS 1.3 key schedule's one primitive, shared by TLS 1.3 and QUIC (RFC 8446 §7.1,
 * RFC 9001 §5.1): HKDF-Expand-Label over Node's HMAC. `crypto.hkdfSync` always runs
 * Extract before Expand, and the secrets in a key log are already extracted.
 */
import { hash as cryptoHash } from 'node:crypto';

export type HashName = 'sha256' | 'sha384';

export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48 };

/** RFC 5869 HKDF-Expand: `length` bytes of output keying material from a pseudorandom key. */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const hashLength = HASH_LENGTH[hash];
  const blocks = Math.ceil(length / hashLength);
  if (blocks > 255) throw new RangeError(`HKDF-Expand: ${length} bytes is more than 255 blocks`);
  // its own memory, not a slice of Node's shared 8 KiB pool: keys and secrets live as long as
  // their connection, and a pooled slice would keep the whole pool block alive with it
  const out = Buffer.allocUnsafeSlow(blocks * hashLength);
  // T(i) = HMAC(prk, T(i-1) ‖ info ‖ i), each message built in one buffer
  const message = Buffer.allocUnsafe(hashLength + info.length + 1);
  let previous = 0;
  for (let i = 0; i < blocks; i++) {
    if (i > 0) out.copy(message, 0, (i - 1) * hashLength, i * hashLength);
    message.set(info, previous);
    message[previous + info.length] = i + 1;
    hmac(hash, prk, message.subarray(0, previous + info.length + 1)).copy(out, i * hashLength);
    previous = hashLength;
  }
  return out.subarray(0, length);
}

/** the hashes HMAC is used with here (TLS 1.2's PRF adds MD5 and SHA-1), with their block and output lengths */
export type HmacHash = HashName | 'md5' | 'sha1';
const HMAC_BLOCK: Readonly<Record<HmacHash, number>> = { md5: 64, sha1: 64, sha256: 64, sha384: 128 };
const HMAC_OUTPUT: Readonly<Record<HmacHash, number>> = { md5: 16, sha1: 20, sha256: 32, sha384: 48 };

/**
 * RFC 2104 HMAC from two one-shot hashes: a `createHmac` object per call cost twice as much,
 * and every connection's keys take eight or more of them (the key schedule's HKDF-Expand-Labels,
 * TLS 1.2's PRF).
 */
export function hmac(hash: HmacHash, key: Uint8Array, message: Uint8Array): Buffer {
  const blockLength = HMAC_BLOCK[hash];
  const k = key.length > blockLength ? cryptoHash(hash, key, 'buffer') : key;
  const inner = Buffer.allocUnsafe(blockLength + message.length);
  const outer = Buffer.allocUnsafe(blockLength + HMAC_OUTPUT[hash]);
  for (let i = 0; i < blockLength; i++) {
    const b = i < k.length ? k[i]! : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  inner.set(message, blockLength);
  outer.set(cryptoHash(hash, inner, 'buffer'), blockLength);
  return cryptoHash(hash, outer, 'buffer');
}

/**
 * HKDF-Expand-Label(secret, label, context, length) with the "tls13 " prefix; QUIC's labels
 * ("quic key", "quicv2 hp", …) go through the same prefix.
 */
export function hkdfExpandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer {
  return hkdfExpand(hash, secret, context.length === 0 ? labelInfo(label, length) : hkdfLabel(label, context, length), length);
}

/** HkdfLabel: length(2) ‖ "tls13 " label with its length(1) ‖ context with its length(1) */
function hkdfLabel(label: string, context: Uint8Array, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.allocUnsafe(2 + 1 + fullLabel.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = fullLabel.length;
  fullLabel.copy(info, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return info;
}

/** the HkdfLabels without context ("key", "iv", "traffic upd", QUIC's), built once each: every connection needs them */
const labelInfos = new Map<string, Buffer>();

function labelInfo(label: string, length: number): Buffer {
  const k = `${label}/${length}`;
  let info = labelInfos.get(k);
  if (info === undefined) labelInfos.set(k, (info = hkdfLabel(label, new Uint8Array(0), length)));
  return info;
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
  const end = nonce.length;
  if (typeof sequence === 'number') {
    // below 2^53: the low 32 bits and the rest, without a BigInt per record
    const low = sequence >>> 0;
    const high = Math.floor(sequence / 0x100000000);
    nonce[end - 1] ^= low & 0xff;
    nonce[end - 2] ^= (low >>> 8) & 0xff;
    nonce[end - 3] ^= (low >>> 16) & 0xff;
    nonce[end - 4] ^= low >>> 24;
    nonce[end - 5] ^= high & 0xff;
    nonce[end - 6] ^= (high >>> 8) & 0xff;
    nonce[end - 7] ^= (high >>> 16) & 0xff;
    nonce[end - 8] ^= (high >>> 24) & 0xff;
    return nonce;
  }
  let n = sequence;
  for (let i = end - 1; i >= end - 8 && n > 0n; i--) {
    nonce[i] ^= Number(n & 0xffn);
    n >>= 8n;
  }
  return nonce;
}
