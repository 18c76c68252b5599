/**
 * QUIC packet protection from a TLS 1.3 secret (RFC 9001 §5, RFC 9369 §3.3): the payload
 * AEAD's key and IV, the header-protection key, header-protection removal and payload
 * opening, and the next key generation after a key update (RFC 9001 §6).
 *
 *   key = HKDF-Expand-Label(secret, "quic key", "", key length)     v2: "quicv2 key"
 *   iv  = HKDF-Expand-Label(secret, "quic iv",  "", 12)             v2: "quicv2 iv"
 *   hp  = HKDF-Expand-Label(secret, "quic hp",  "", key length)     v2: "quicv2 hp"
 *   next secret = HKDF-Expand-Label(secret, "quic ku", "", Hash.length)   v2: "quicv2 ku"
 *
 * Header protection is AES-ECB of a 16-byte sample (AES suites) or ChaCha20 keyed with the
 * sample as counter and nonce (RFC 9001 §5.4.3–4). All cryptography is node:crypto.
 */
import { createCipheriv, createDecipheriv, type Cipher, type DecipherGCM, type KeyObject } from 'node:crypto';
import { recordKey } from './record-protection.js';
import { HASH_LENGTH, TLS13_CIPHER_SUITES, aeadNonce, hkdfExpandLabel, type Tls13CipherSuite } from './hkdf.js';

export const QUIC_V2_VERSION = 0x6b3343cf;
export const HP_SAMPLE_LENGTH = 16;
const ZERO5 = Buffer.alloc(5);

/** Payload and header protection of one direction and key generation. */
export class QuicPacketKeys {
  private ecb: Cipher | null = null;
  /** `key` and `hp` as KeyObjects, made on first use (record-protection.ts recordKey: a raw key costs Node 24 ~10 µs per packet) */
  private keyObject: KeyObject | undefined;
  private hpObject: KeyObject | undefined;

  constructor(
    readonly suite: Tls13CipherSuite,
    readonly version: number,
    /** the traffic secret these keys come from (kept to derive the next generation) */
    readonly secret: Buffer,
    readonly key: Buffer,
    readonly iv: Buffer,
    readonly hp: Buffer,
  ) {}

  /** keys of `secret` under `suite` for QUIC `version` */
  static fromSecret(suite: Tls13CipherSuite, version: number, secret: Buffer, hp?: Buffer): QuicPacketKeys {
    const p = labelPrefix(version);
    const none = Buffer.alloc(0);
    return new QuicPacketKeys(
      suite,
      version,
      secret,
      hkdfExpandLabel(suite.hash, secret, `${p} key`, none, suite.keyLength),
      hkdfExpandLabel(suite.hash, secret, `${p} iv`, none, 12),
      hp ?? hkdfExpandLabel(suite.hash, secret, `${p} hp`, none, suite.keyLength),
    );
  }

  /** the next key generation (RFC 9001 §6.1): a new secret, key and IV; the hp key stays */
  next(): QuicPacketKeys {
    const s = this.suite;
    const secret = hkdfExpandLabel(s.hash, this.secret, `${labelPrefix(this.version)} ku`, Buffer.alloc(0), HASH_LENGTH[s.hash]);
    return QuicPacketKeys.fromSecret(s, this.version, secret, this.hp);
  }

  /** the 5-byte header-protection mask for the 16-byte sample at b[at] */
  mask(b: Uint8Array, at: number): Buffer {
    const sample = b.subarray(at, at + HP_SAMPLE_LENGTH);
    if (this.suite.aead === 'chacha20-poly1305') {
      // RFC 9001 §5.4.4: counter = sample[0..4] (little-endian), nonce = sample[4..16]; Node's
      // chacha20 takes exactly that 16-byte layout as its IV
      return createCipheriv('chacha20', (this.hpObject ??= recordKey(this.hp)), sample).update(ZERO5);
    }
    // ECB has no state between blocks: one cipher object serves every packet
    this.ecb ??= createCipheriv(this.suite.keyLength === 32 ? 'aes-256-ecb' : 'aes-128-ecb', this.hp, null).setAutoPadding(false);
    return this.ecb.update(sample);
  }

  /**
   * Opens the payload [from, end) (AEAD tag last) with `aad` (the unprotected header) and the
   * full packet number. Returns the plaintext, or undefined when the tag does not verify.
   */
  open(b: Uint8Array, from: number, end: number, aad: Uint8Array, packetNumber: number): Buffer | undefined {
    const tagLength = this.suite.tagLength;
    const tagAt = end - tagLength;
    if (tagAt < from) return undefined;
    const nonce = aeadNonce(this.iv, packetNumber);
    const key = (this.keyObject ??= recordKey(this.key));
    try {
      const s = this.suite;
      if (s.aead === 'aes-128-ccm') {
        const d = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: tagLength });
        d.setAuthTag(b.subarray(tagAt, end));
        d.setAAD(aad, { plaintextLength: tagAt - from });
        const out = d.update(b.subarray(from, tagAt));
        d.final();
        return out;
      }
      const d: DecipherGCM =
        s.aead === 'chacha20-poly1305'
          ? (createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 }) as unknown as DecipherGCM)
          : createDecipheriv(s.aead, key, nonce);
      d.setAAD(aad);
      d.setAuthTag(b.subarray(tagAt, end));
      const out = d.update(b.subarray(from, tagAt));
      d.final();
      return out;
    } catch {
      return undefined;
    }
  }
}

/** What header-protection removal found: the unprotected first byte and packet number. */
export interface UnprotectedHeader {
  first: number;
  /** the full packet number, recovered from `largestPn` (RFC 9000 A.3) */
  packetNumber: number;
  /** where the payload starts (after the packet number) */
  payloadStart: number;
  /** the unprotected header, the AEAD's associated data (a view of the caller's scratch) */
  aad: Uint8Array;
}

/**
 * Removes header protection (RFC 9001 §5.4) from the packet at b[start] whose packet number
 * starts at pnOffset, into `scratch` (the caller's bytes stay untouched). False when the
 * packet is too short for the sample or the header longer than the scratch.
 */
export function removeHeaderProtection(
  keys: QuicPacketKeys,
  b: Uint8Array,
  start: number,
  pnOffset: number,
  end: number,
  long: boolean,
  largestPn: number,
  scratch: Uint8Array,
  out: UnprotectedHeader,
): boolean {
  if (pnOffset + 4 + HP_SAMPLE_LENGTH > end || pnOffset - start + 4 > scratch.length) return false;
  const mask = keys.mask(b, pnOffset + 4);
  const first = b[start]! ^ (mask[0]! & (long ? 0x0f : 0x1f));
  const pnLength = (first & 0x03) + 1;
  const aad = scratch.subarray(0, pnOffset - start + pnLength);
  aad.set(b.subarray(start, pnOffset + pnLength));
  aad[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLength; i++) {
    const v = b[pnOffset + i]! ^ mask[1 + i]!;
    aad[pnOffset - start + i] = v;
    truncated = truncated * 256 + v;
  }
  out.first = first;
  out.packetNumber = decodePacketNumber(largestPn, truncated, pnLength * 8);
  out.payloadStart = pnOffset + pnLength;
  out.aad = aad;
  return true;
}

/** RFC 9000 Appendix A.3: the full packet number nearest the one after `largest` */
export function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const hwin = win / 2;
  const candidate = expected - (expected % win) + truncated;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}

function labelPrefix(version: number): string {
  return version === QUIC_V2_VERSION ? 'quicv2' : 'quic';
}

/** the cipher suite of `id`, or undefined for a non-TLS 1.3 suite */
export function quicSuite(id: number): Tls13CipherSuite | undefined {
  return TLS13_CIPHER_SUITES.get(id);
}

/** Initial packets always use TLS_AES_128_GCM_SHA256 (RFC 9001 §5.2). */
export const INITIAL_SUITE: Tls13CipherSuite = TLS13_CIPHER_SUITES.get(0x1301)!;

/**
 * Suites a secret of this length may belong to, most common first: used when the ServerHello
 * that names the suite was not captured (or 0-RTT packets precede it).
 */
export function candidateSuites(secretLength: number): Tls13CipherSuite[] {
  const out: Tls13CipherSuite[] = [];
  for (const id of [0x1301, 0x1303, 0x1302, 0x1304]) {
    const s = TLS13_CIPHER_SUITES.get(id)!;
    if (HASH_LENGTH[s.hash] === secretLength) out.push(s);
  }
  return out;
}
