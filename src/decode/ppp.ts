/**
 * PPP (RFC 1661) and the link types that carry it:
 *
 * - LINKTYPE_PPP (9): PPP, the HDLC address and control bytes (FF 03) optional.
 * - LINKTYPE_PPP_HDLC (50): PPP in HDLC-like framing (RFC 1662: FF 03 first), or Cisco HDLC
 *   (first byte 0x0F or 0x8F: address, control, then an ethertype), as libpcap writes both.
 * - LINKTYPE_C_HDLC (104): Cisco HDLC.
 * - PPPoE's payload (pppoe.ts).
 *
 * The PPP protocol 0x0021 is IPv4, 0x0057 IPv6; a protocol field whose first byte is odd is
 * the 1-byte compressed form (RFC 1661 §6.5). LCP, IPCP and other control protocols are
 * counted as `other`.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, TRUNCATED, u16, type DecodeContext } from './context.js';
import { nextForEtherType } from './registry.js';

export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
const HDLC_ADDRESS = 0xff;
const HDLC_CONTROL = 0x03;
const CISCO_UNICAST = 0x0f;
const CISCO_MULTICAST = 0x8f;
const CISCO_HDLC_LEN = 4;

/** The PPP protocol field at `off` and what follows it up to `end`. */
export function pppProtocolNext(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < 1) {
    out.truncated = true;
    return TRUNCATED;
  }
  let protocol: number;
  let next: number;
  if (b[off] & 1) {
    protocol = b[off];
    next = off + 1;
  } else {
    if (end - off < 2) {
      out.truncated = true;
      return TRUNCATED;
    }
    protocol = u16(b, off);
    next = off + 2;
  }
  ctx.nextOff = next;
  ctx.nextEnd = end;
  if (protocol === PPP_IPV4) return Layer.ipv4;
  if (protocol === PPP_IPV6) return Layer.ipv6;
  pushLayer(out, Layer.other);
  return DONE;
}

export function decodePpp(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  pushLayer(out, Layer.ppp);
  const framed = end - off >= 2 && b[off] === HDLC_ADDRESS && b[off + 1] === HDLC_CONTROL;
  return pppProtocolNext(b, framed ? off + 2 : off, end, out, ctx);
}

export function decodePppHdlc(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off >= 1 && (b[off] === CISCO_UNICAST || b[off] === CISCO_MULTICAST)) return decodeCiscoHdlc(b, off, end, out, ctx);
  return decodePpp(b, off, end, out, ctx);
}

export function decodeCiscoHdlc(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < CISCO_HDLC_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.ppp);
  ctx.nextOff = off + CISCO_HDLC_LEN;
  ctx.nextEnd = end;
  return nextForEtherType(u16(b, off + 2), out);
}
