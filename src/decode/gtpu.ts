/**
 * GTP-U version 1 (3GPP TS 29.281) on UDP port 2152: the mobile core's user-plane tunnel.
 *
 *   0       1       2               4                               8
 *   +-------+-------+---------------+-------------------------------+
 *   |flags  | type  | length        | TEID                          |
 *   +-------+-------+---------------+-------+-------+---------------+
 *   | [sequence     | N-PDU | next extension type]  (when E, S or PN is set)
 *   then extension headers: length(1, in 4-byte units) … next type(1), until type 0
 *
 * Only G-PDUs (type 255) carry user packets; other messages (echo, end marker, …) leave
 * UDP as the transport. The inner packet's version nibble picks IPv4 or IPv6.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, MALFORMED, TRUNCATED, u16, type DecodeContext } from './context.js';

export const GTPU_HEADER_LEN = 8;
const GTPU_G_PDU = 0xff;
const GTPU_OPTIONAL_FIELDS = 0x07; // E, S, PN

export function decodeGtpu(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < GTPU_HEADER_LEN) return DONE; // too short to be GTP: plain UDP payload
  const flags = b[off];
  // version 1, protocol type GTP (not GTP'), a G-PDU
  if (flags >> 5 !== 1 || (flags & 0x10) === 0 || b[off + 1] !== GTPU_G_PDU) return DONE;
  pushLayer(out, Layer.gtpu);
  let p = off + GTPU_HEADER_LEN;
  // the length field counts everything after the mandatory 8 bytes
  const messageEnd = Math.min(end, p + u16(b, off + 2));
  if (flags & GTPU_OPTIONAL_FIELDS) {
    if (messageEnd - p < 4) {
      out.truncated = true;
      return TRUNCATED;
    }
    let extensionType = b[p + 3];
    p += 4;
    while (extensionType !== 0) {
      if (messageEnd - p < 1) {
        out.truncated = true;
        return TRUNCATED;
      }
      const len = b[p] * 4;
      if (len === 0 || len > messageEnd - p) {
        ctx.anomaly('gtpu_bad_extension_length', p, String(b[p]));
        return MALFORMED;
      }
      extensionType = b[p + len - 1];
      p += len;
    }
  }
  if (p >= messageEnd) return DONE;
  ctx.nextOff = p;
  ctx.nextEnd = messageEnd;
  const version = b[p] >> 4;
  if (version === 4) return Layer.ipv4;
  if (version === 6) return Layer.ipv6;
  pushLayer(out, Layer.other);
  return DONE;
}
