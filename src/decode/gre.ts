/**
 * GRE (RFC 2784 with the RFC 2890 key and sequence number):
 *
 *   0               2               4
 *   +-+-+-+-+-------+---------------+-------------------------------+
 *   |C|R|K|S| … ver | protocol type | [checksum, reserved] [key] [sequence] …
 *
 * The protocol type is an ethertype: IPv4, IPv6, or 0x6558 transparent Ethernet bridging.
 * Version 1 (PPTP's enhanced GRE) and RFC 1701 source routing are not decoded: `other`.
 * The tunnel is counted against maxEncapsulationDepth by the IP header inside it.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, TRUNCATED, u16, type DecodeContext } from './context.js';
import { nextForEtherType } from './registry.js';

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_VERSION_MASK = 0x0007;

export function decodeGre(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < 4) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.gre);
  const flags = u16(b, off);
  if ((flags & GRE_VERSION_MASK) !== 0 || (flags & GRE_ROUTING) !== 0) {
    pushLayer(out, Layer.other);
    return DONE;
  }
  let headerLen = 4;
  if (flags & GRE_CHECKSUM) headerLen += 4;
  if (flags & GRE_KEY) headerLen += 4;
  if (flags & GRE_SEQUENCE) headerLen += 4;
  if (end - off < headerLen) {
    out.truncated = true;
    return TRUNCATED;
  }
  ctx.nextOff = off + headerLen;
  ctx.nextEnd = end;
  return nextForEtherType(u16(b, off + 2), out);
}
