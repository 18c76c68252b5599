/**
 * Raw IP link types (LINKTYPE_RAW 101, DLT_RAW 12/14): no link header; the version nibble of
 * the first byte says whether an IPv4 or an IPv6 header follows.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { MALFORMED, TRUNCATED, type DecodeContext } from './context.js';

export function decodeRawIp(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < 1) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.raw);
  ctx.nextOff = off;
  ctx.nextEnd = end;
  const version = b[off] >> 4;
  if (version === 4) return Layer.ipv4;
  if (version === 6) return Layer.ipv6;
  ctx.anomaly('raw_ip_bad_version', off, String(version));
  pushLayer(out, Layer.other);
  return MALFORMED;
}
