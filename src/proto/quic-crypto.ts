/**
 * QUIC Initial packet protection (RFC 9001 §5, RFC 9369 §3.3): the keys anyone can derive
 * from the client's original Destination Connection ID, header protection removal and
 * AES-128-GCM payload decryption. Only node:crypto; failures return false/undefined.
 *
 *   initial_secret = HKDF-Extract(version salt, client DCID)
 *   client_secret  = HKDF-Expand-Label(initial_secret, "client in", "", 32)
 *   key/iv/hp      = HKDF-Expand-Label(client_secret, "quic key"|"quic iv"|"quic hp", "", 16|12|16)
 *                    (QUIC v2: "quicv2 key", "quicv2 iv", "quicv2 hp")
 */
import { createHmac } from 'node:crypto';
import { INITIAL_SUITE, QuicPacketKeys, removeHeaderProtection, type UnprotectedHeader } from '../decrypt/quic-keys.js';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
/** draft-29 through draft-32 share one salt */
export const QUIC_DRAFT_29 = 0xff00001d;

const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
const SALT_DRAFT_29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');

export const AEAD_TAG_LEN = 16;
export const HP_SAMPLE_LEN = 16;

/**
 * RFC 9000 §15: versions 0x?a?a?a?a are reserved to exercise version negotiation. Clients
 * that send one (the QUIC interop runner's version-negotiation test does) have no defined
 * keys; the runner's clients protect those Initials with the draft-29 salt, which is also
 * what Wireshark tries. A guess, so failing to open one is not an anomaly.
 */
export function isReservedVersion(version: number): boolean {
  return (version & 0x0f0f0f0f) === 0x0a0a0a0a;
}

/** the Initial salt of a QUIC version, or undefined when we cannot open its Initials */
export function initialSalt(version: number): Buffer | undefined {
  if (version === QUIC_V1) return SALT_V1;
  if (version === QUIC_V2) return SALT_V2;
  if (version >= QUIC_DRAFT_29 && version <= 0xff000020) return SALT_DRAFT_29;
  if (isReservedVersion(version)) return SALT_DRAFT_29;
  return undefined;
}

export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** RFC 8446 §7.1 HKDF-Expand-Label with an empty context, for lengths ≤ 32 (one HMAC block) */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0; // context length
  info[4 + full.length] = 1; // HKDF-Expand counter T(1)
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

/** Client (or server) Initial keys for `version` and the client's original DCID. */
export function deriveInitialKeys(version: number, dcid: Uint8Array, side: 'client' | 'server' = 'client'): InitialKeys | undefined {
  const salt = initialSalt(version);
  if (salt === undefined) return undefined;
  const initialSecret = createHmac('sha256', salt).update(dcid).digest();
  const secret = expandLabel(initialSecret, side === 'client' ? 'client in' : 'server in', 32);
  const v2 = version === QUIC_V2;
  return {
    key: expandLabel(secret, v2 ? 'quicv2 key' : 'quic key', 16),
    iv: expandLabel(secret, v2 ? 'quicv2 iv' : 'quic iv', 12),
    hp: expandLabel(secret, v2 ? 'quicv2 hp' : 'quic hp', 16),
  };
}

/**
 * Opens one long-header packet: `pkt` is [start, end) of the packet (end = start of the next
 * coalesced packet), `pnOffset` the offset of the packet number. Returns the plaintext payload
 * (a new buffer) and writes the packet number to `out`, or undefined when the packet is too
 * short or does not authenticate. Header protection and the AEAD are the decryptor's
 * (src/decrypt/quic-keys.ts); Initials have no earlier packet number to recover from.
 */
export function openInitial(b: Uint8Array, start: number, pnOffset: number, end: number, keys: InitialKeys, out: { packetNumber: number }): Buffer | undefined {
  const pk = new QuicPacketKeys(INITIAL_SUITE, 0, EMPTY, keys.key, keys.iv, keys.hp);
  const h: UnprotectedHeader = { first: 0, packetNumber: 0, payloadStart: 0, aad: EMPTY };
  if (!removeHeaderProtection(pk, b, start, pnOffset, end, true, -1, Buffer.alloc(pnOffset - start + 4), h)) return undefined;
  if (h.payloadStart + AEAD_TAG_LEN > end) return undefined;
  const plain = pk.open(b, h.payloadStart, end, h.aad, h.packetNumber);
  if (plain !== undefined) out.packetNumber = h.packetNumber;
  return plain;
}

const EMPTY = Buffer.alloc(0);
