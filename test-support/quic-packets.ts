/**
 * A QUIC packet writer for tests (RFC 9000 §17, RFC 9001 §5): long and short headers,
 * payload protection with a QuicPacketKeys' AEAD and header protection with its hp key, and
 * the few frames the tests need. The decryptor under test never sees this code's keys
 * except through the secrets, as it would from a key log.
 */
import { createCipheriv } from 'node:crypto';
import { aeadNonce } from '../src/decrypt/hkdf.js';
import type { QuicPacketKeys } from '../src/decrypt/quic-keys.js';

export function varint(v: number): Buffer {
  if (v < 0x40) return Buffer.from([v]);
  if (v < 0x4000) return Buffer.from([0x40 | (v >> 8), v & 0xff]);
  if (v < 0x40000000) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    b[0]! |= 0x80;
    return b;
  }
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  b[0]! |= 0xc0;
  return b;
}

export function streamFrame(id: number, offset: number, data: Buffer, fin = false): Buffer {
  return Buffer.concat([Buffer.from([0x08 | 0x04 | 0x02 | (fin ? 1 : 0)]), varint(id), varint(offset), varint(data.length), data]);
}

export function cryptoFrame(offset: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x06]), varint(offset), varint(data.length), data]);
}

export function newConnectionIdFrame(sequence: number, cid: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x18]), varint(sequence), varint(0), Buffer.from([cid.length]), cid, Buffer.alloc(16, 0xab)]);
}

export interface PacketSpec {
  keys: QuicPacketKeys;
  packetNumber: number;
  /** 1..4 bytes of packet number on the wire */
  pnLength?: number;
  payload: Buffer;
  dcid: Buffer;
}

/** a long-header packet; `type` is the two type bits as they go on the wire for `version` */
export function longPacket(spec: PacketSpec & { version: number; type: number; scid: Buffer; token?: Buffer }): Buffer {
  const pnLength = spec.pnLength ?? 2;
  const tag = spec.keys.suite.tagLength;
  const parts = [
    Buffer.from([0xc0 | (spec.type << 4) | (pnLength - 1)]),
    u32(spec.version),
    Buffer.from([spec.dcid.length]),
    spec.dcid,
    Buffer.from([spec.scid.length]),
    spec.scid,
  ];
  const initialType = spec.version === 0x6b3343cf ? 1 : 0;
  if (spec.type === initialType) parts.push(varint(spec.token?.length ?? 0), spec.token ?? Buffer.alloc(0));
  parts.push(varint(pnLength + spec.payload.length + tag));
  const head = Buffer.concat(parts);
  return protect(head, spec, pnLength, true);
}

export function shortPacket(spec: PacketSpec & { keyPhase: 0 | 1 }): Buffer {
  const pnLength = spec.pnLength ?? 2;
  const head = Buffer.concat([Buffer.from([0x40 | (spec.keyPhase << 2) | (pnLength - 1)]), spec.dcid]);
  return protect(head, spec, pnLength, false);
}

function protect(head: Buffer, spec: PacketSpec, pnLength: number, long: boolean): Buffer {
  const pn = Buffer.alloc(pnLength);
  for (let i = 0; i < pnLength; i++) pn[pnLength - 1 - i] = (spec.packetNumber / 2 ** (8 * i)) & 0xff;
  const header = Buffer.concat([head, pn]);
  const k = spec.keys;
  const nonce = aeadNonce(k.iv, spec.packetNumber);
  const opts = k.suite.aead === 'aes-128-ccm' || k.suite.aead === 'chacha20-poly1305' ? { authTagLength: k.suite.tagLength } : undefined;
  const c = createCipheriv(k.suite.aead as 'aes-128-gcm', k.key, nonce, opts as undefined);
  if (k.suite.aead === 'aes-128-ccm') (c as unknown as { setAAD(b: Buffer, o: object): void }).setAAD(header, { plaintextLength: spec.payload.length });
  else c.setAAD(header);
  const sealed = Buffer.concat([c.update(spec.payload), c.final(), c.getAuthTag()]);
  const packet = Buffer.concat([header, sealed]);
  const pnOffset = head.length;
  const mask = k.mask(packet, pnOffset + 4);
  packet[0]! ^= mask[0]! & (long ? 0x0f : 0x1f);
  for (let i = 0; i < pnLength; i++) packet[pnOffset + i]! ^= mask[1 + i]!;
  return packet;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
