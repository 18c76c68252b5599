/**
 * PPPoE session stage (ethertype 0x8864, RFC 2516) carrying PPP (RFC 1661):
 *
 *   0        1      2            4          6             8 (or 7)
 *   +--------+------+------------+----------+-------------+-----------
 *   | ver|typ| code | session id | length   | PPP protocol| payload …
 *
 * `length` counts the PPP protocol field and payload, read as in ppp.ts.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { LIMITED, MALFORMED, TRUNCATED, u16, type DecodeContext } from './context.js';
import { pppProtocolNext } from './ppp.js';

export const PPPOE_HEADER_LEN = 6;

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
  return pppProtocolNext(b, payload, payloadEnd, out, ctx);
}
