/**
 * IPv4 (RFC 791):
 *
 *   0       1       2               4               6               8
 *   +---+---+-------+---------------+---------------+---------------+
 *   |ver|ihl| TOS   | total length  | identification|flags|frag off |
 *   +-------+-------+---------------+---------------+---------------+
 *   | TTL   | proto | checksum      | source address (4)            |
 *   +-------+-------+---------------+---------------+---------------+
 *   | destination address (4)       | options (ihl*4 − 20) …        |
 *
 * Options are skipped, not interpreted; the header checksum is not verified (captures from
 * the sending host carry offloaded, unset checksums). The total length bounds the payload:
 * beyond it lies Ethernet padding, short of it the snaplen cut the packet (`truncated`).
 * A total length of 0 comes from segmentation offload / BIG TCP captures: the captured
 * length is used instead, as Wireshark does ("assuming TSO").
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, LIMITED, MALFORMED, TRUNCATED, restartOnJoinedDatagram, u16, type DecodeContext } from './context.js';
import { nextForIpProtocol } from './registry.js';

export const IPV4_MIN_HEADER_LEN = 20;
const FLAG_MORE_FRAGMENTS = 0x2000;
const FRAGMENT_OFFSET_MASK = 0x1fff;

export function decodeIpv4(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < IPV4_MIN_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  const versionIhl = b[off];
  if (versionIhl >> 4 !== 4) {
    ctx.anomaly('ipv4_bad_version', off, String(versionIhl >> 4));
    return MALFORMED;
  }
  const headerLen = (versionIhl & 0x0f) * 4;
  if (headerLen < IPV4_MIN_HEADER_LEN) {
    ctx.anomaly('ipv4_header_length_lt_20', off, String(headerLen));
    return MALFORMED;
  }
  let totalLen = u16(b, off + 2);
  if (totalLen === 0) {
    ctx.anomaly('ipv4_total_length_zero', off + 2);
    totalLen = end - off;
  }
  if (totalLen < headerLen) {
    ctx.anomaly('ipv4_total_length_lt_header', off + 2, `${totalLen} < ${headerLen}`);
    return MALFORMED;
  }
  if (end - off < headerLen) {
    out.truncated = true;
    return TRUNCATED;
  }
  const tunnelled = ctx.ipLayers > 0;
  if (tunnelled && !ctx.enterEncapsulation(off)) return LIMITED;
  ctx.ipLayers++;
  const layerCountBefore = out.layerCount;
  pushLayer(out, Layer.ipv4);

  const wireEnd = off + totalLen;
  let capturedEnd = wireEnd;
  if (wireEnd > end) {
    out.truncated = true;
    capturedEnd = end;
  }
  out.ipVersion = 4;
  out.ipOff = off;
  out.srcAddrOff = off + 12;
  out.dstAddrOff = off + 16;
  out.ipProto = b[off + 9];
  out.ipTtl = b[off + 8];
  out.transportOk = false;

  const flagsOffset = u16(b, off + 6);
  const fragmentOffset = (flagsOffset & FRAGMENT_OFFSET_MASK) * 8;
  const more = (flagsOffset & FLAG_MORE_FRAGMENTS) !== 0;
  if (more || fragmentOffset !== 0) {
    out.fragment = true;
    ctx.counts.fragments++;
    // a fragment the snaplen cut cannot complete a datagram faithfully
    if (wireEnd > end) return DONE;
    const joined = ctx.fragments.addIpv4(b, off, headerLen, wireEnd, fragmentOffset, more, ctx.tsSec);
    if (joined === null) return DONE;
    // decode the joined datagram from its (rewritten, unfragmented) IPv4 header again
    restartOnJoinedDatagram(out, ctx, joined, layerCountBefore, tunnelled);
    return Layer.ipv4;
  }

  ctx.nextOff = off + headerLen;
  ctx.nextEnd = capturedEnd;
  ctx.wireEnd = wireEnd;
  return nextForIpProtocol(out.ipProto, out);
}
