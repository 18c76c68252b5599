/**
 * PPPoE session stage (ethertype 0x8864, RFC 2516) carrying PPP (RFC 1661):
 *
 *   0        1      2            4          6             8 (or 7)
 *   +--------+------+------------+----------+-------------+-----------
 *   | ver|typ| code | session id | length   | PPP protocol| payload …
 *
 * `length` counts the PPP protocol field and payload. PPP protocol 0x0021 is IPv4, 0x0057
 * IPv6; a protocol field whose first byte is odd is the 1-byte compressed form (RFC 1661
 * §6.5). LCP, IPCP and other control protocols are counted as `other`.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, LIMITED, MALFORMED, TRUNCATED, u16, type DecodeContext } from './context.js';

export const PPPOE_HEADER_LEN = 6;
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;

export function decodePppoe(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < PPPOE_HEADER_LEN + 1) {
    out.truncated = true;
    return TRUNCATED;
  }
  if (!ctx.enterEncapsulation(off)) return LIMITED;
  pushLayer(out, Layer.pppoe);
  if (b[off] !== 0x11) {
    ctx.anomaly('pppoe_bad_version_type', off, String(b[off]));
    return MALFORMED;
  }
  const length = u16(b, off + 4);
  const payload = off + PPPOE_HEADER_LEN;
  // the length field bounds the payload (Ethernet padding follows); a larger one was cut
  let payloadEnd = payload + length;
  if (payloadEnd > end) {
    out.truncated = true;
    payloadEnd = end;
  }
  let protocol: number;
  let next: number;
  if (b[payload] & 1) {
    protocol = b[payload];
    next = payload + 1;
  } else {
    if (payloadEnd - payload < 2) {
      out.truncated = true;
      return TRUNCATED;
    }
    protocol = u16(b, payload);
    next = payload + 2;
  }
  ctx.nextOff = next;
  ctx.nextEnd = payloadEnd;
  if (protocol === PPP_IPV4) return Layer.ipv4;
  if (protocol === PPP_IPV6) return Layer.ipv6;
  pushLayer(out, Layer.other);
  return DONE;
}
