/**
 * Loopback link headers: a 4-byte address family, then the IP packet.
 *
 * LINKTYPE_NULL (0): the family is in the *capturing host's* byte order, so a file from a
 * big-endian machine holds 00 00 00 02 and one from a little-endian machine 02 00 00 00.
 * Families are small numbers, so whichever half is non-zero tells the order (as Wireshark
 * does). LINKTYPE_LOOP (108, OpenBSD): the family is always in network byte order.
 *
 * AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (Darwin),
 * and 10 on Linux (seen in some files). Other families are counted as `other`.
 */
import { Layer, pushLayer, type DecodedPacket, type LayerId } from './packet.js';
import { DONE, TRUNCATED, u32, type DecodeContext } from './context.js';

export const NULL_HEADER_LEN = 4;

export function decodeNull(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < NULL_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.null);
  let family = u32(b, off);
  // big-endian value in the high half means the writer was little-endian: swap
  if ((family & 0xffff0000) !== 0) family = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
  return loopbackNext(family, off, end, out, ctx);
}

export function decodeLoop(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < NULL_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.loop);
  return loopbackNext(u32(b, off), off, end, out, ctx);
}

function loopbackNext(family: number, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  ctx.nextOff = off + NULL_HEADER_LEN;
  ctx.nextEnd = end;
  const next = familyLayer(family);
  if (next === undefined) {
    pushLayer(out, Layer.other);
    return DONE;
  }
  return next;
}

function familyLayer(family: number): LayerId | undefined {
  switch (family) {
    case 2:
      return Layer.ipv4;
    case 10:
    case 24:
    case 28:
    case 30:
      return Layer.ipv6;
    default:
      return undefined;
  }
}
