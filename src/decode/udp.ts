/**
 * UDP (RFC 768): source port(2) destination port(2) length(2) checksum(2), then payload.
 *
 * The length field bounds the payload; beyond the IP payload it is damage, beyond the
 * captured bytes it is truncation. A length of 0 over IPv6 is a jumbogram (RFC 2675): the
 * IP payload length is used. Payloads on tunnel ports (GTP-U 2152) are decoded further.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, MALFORMED, TRUNCATED, u16, type DecodeContext } from './context.js';
import { UDP_TUNNEL_PORTS } from './registry.js';

export const UDP_HEADER_LEN = 8;

export function decodeUdp(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < UDP_HEADER_LEN) {
    if (ctx.wireEnd - off < UDP_HEADER_LEN) {
      ctx.anomaly('udp_header_beyond_ip', off, `${ctx.wireEnd - off} bytes`);
      return MALFORMED;
    }
    out.truncated = true;
    return TRUNCATED;
  }
  out.transportOff = off;
  out.srcPort = u16(b, off);
  out.dstPort = u16(b, off + 2);
  let length = u16(b, off + 4);
  if (length === 0 && out.ipVersion === 6) length = ctx.wireEnd - off;
  if (length < UDP_HEADER_LEN) {
    ctx.anomaly('udp_length_lt_8', off + 4, String(length));
    return MALFORMED;
  }
  pushLayer(out, Layer.udp);
  let wireEnd = off + length;
  if (wireEnd > ctx.wireEnd) {
    ctx.anomaly('udp_length_beyond_ip', off + 4, `${length} > ${ctx.wireEnd - off}`);
    wireEnd = ctx.wireEnd;
  }
  let payloadEnd = wireEnd;
  if (payloadEnd > end) {
    out.truncated = true;
    payloadEnd = end;
  }
  out.transportOk = true;
  out.payloadOff = off + UDP_HEADER_LEN;
  out.payloadEnd = payloadEnd;

  const tunnel = UDP_TUNNEL_PORTS.get(out.dstPort) ?? UDP_TUNNEL_PORTS.get(out.srcPort);
  if (tunnel === undefined) return DONE;
  ctx.nextOff = out.payloadOff;
  ctx.nextEnd = payloadEnd;
  return tunnel;
}
