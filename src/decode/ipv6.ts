/**
 * IPv6 (RFC 8200) and its extension headers:
 *
 *   0       1       2       4               6       7       8            24            40
 *   +-------+-------+-------+---------------+-------+-------+------------+-------------+
 *   |ver|traffic class|flow | payload length| next  | hop   | source (16)| dest (16)   |
 *
 * Extension headers (hop-by-hop 0, routing 43, destination options 60, mobility 135,
 * HIP 139, shim6 140: length = (len+1)·8; AH 51: length = (len+2)·4; fragment 44: 8 bytes)
 * are walked up to maxIpv6ExtensionHeaders. Each header moves forward at least 8 bytes, so
 * the walk always ends. Atomic fragments (offset 0, M = 0, RFC 6946) are read in place;
 * real fragments go to the reassembler.
 *
 * A payload length of 0 with a payload is a jumbogram or an offloaded (BIG TCP) packet: the
 * captured length is used, as for IPv4.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, LIMITED, MALFORMED, TRUNCATED, restartOnJoinedDatagram, u16, u32, type DecodeContext } from './context.js';
import { nextForIpProtocol } from './registry.js';

export const IPV6_HEADER_LEN = 40;
export const IPV6_NO_NEXT_HEADER = 59;
const HOP_BY_HOP = 0;
const FRAGMENT = 44;
const AUTHENTICATION = 51;

export function decodeIpv6(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < IPV6_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  if (b[off] >> 4 !== 6) {
    ctx.anomaly('ipv6_bad_version', off, String(b[off] >> 4));
    return MALFORMED;
  }
  const tunnelled = ctx.ipLayers > 0;
  if (tunnelled && !ctx.enterEncapsulation(off)) return LIMITED;
  ctx.ipLayers++;
  const layerCountBefore = out.layerCount;
  pushLayer(out, Layer.ipv6);

  let payloadLen = u16(b, off + 4);
  let nextHeader = b[off + 6];
  if (payloadLen === 0 && nextHeader !== IPV6_NO_NEXT_HEADER && end - off > IPV6_HEADER_LEN) {
    ctx.anomaly('ipv6_payload_length_zero', off + 4);
    payloadLen = end - off - IPV6_HEADER_LEN;
  }
  const wireEnd = off + IPV6_HEADER_LEN + payloadLen;
  let capturedEnd = wireEnd;
  if (wireEnd > end) {
    out.truncated = true;
    capturedEnd = end;
  }
  out.ipVersion = 6;
  out.ipOff = off;
  out.srcAddrOff = off + 8;
  out.dstAddrOff = off + 24;
  out.ipTtl = b[off + 7];
  out.ipProto = nextHeader;
  out.transportOk = false;

  let p = off + IPV6_HEADER_LEN;
  let nextHeaderOff = off + 6;
  let extensions = 0;
  for (;;) {
    let len: number;
    switch (nextHeader) {
      case HOP_BY_HOP:
      case 43:
      case 60:
      case 135:
      case 139:
      case 140:
      case AUTHENTICATION:
      case FRAGMENT:
        break;
      default:
        ctx.nextOff = p;
        ctx.nextEnd = capturedEnd;
        ctx.wireEnd = wireEnd;
        out.ipProto = nextHeader;
        return nextForIpProtocol(nextHeader, out);
    }
    if (++extensions > ctx.limits.maxIpv6ExtensionHeaders) {
      ctx.limitReached('maxIpv6ExtensionHeaders', p);
      return LIMITED;
    }
    if (nextHeader === HOP_BY_HOP && p !== off + IPV6_HEADER_LEN) ctx.anomaly('ipv6_hop_by_hop_not_first', p);
    if (wireEnd - p < 8) {
      ctx.anomaly('ipv6_extension_beyond_payload', p, String(nextHeader));
      return MALFORMED;
    }
    if (capturedEnd - p < 8) {
      out.truncated = true;
      return TRUNCATED;
    }
    if (nextHeader === FRAGMENT) len = 8;
    else if (nextHeader === AUTHENTICATION) len = (b[p + 1] + 2) * 4;
    else len = (b[p + 1] + 1) * 8;
    if (p + len > wireEnd) {
      ctx.anomaly('ipv6_extension_beyond_payload', p, String(nextHeader));
      return MALFORMED;
    }
    if (p + len > capturedEnd) {
      out.truncated = true;
      return TRUNCATED;
    }
    pushLayer(out, Layer.ipv6ext);

    if (nextHeader === FRAGMENT) {
      const fragmentOffset = u16(b, p + 2) & 0xfff8;
      const more = (b[p + 3] & 1) !== 0;
      if (fragmentOffset !== 0 || more) {
        out.fragment = true;
        out.ipProto = b[p];
        ctx.counts.fragments++;
        if (wireEnd > end) return DONE; // cut by the snaplen: cannot be joined faithfully
        const joined = ctx.fragments.addIpv6(b, off, p - off, nextHeaderOff - off, p + 8, wireEnd, fragmentOffset, more, u32(b, p + 4), b[p], ctx.tsSec);
        if (joined === null) return DONE;
        restartOnJoinedDatagram(out, ctx, joined, layerCountBefore, tunnelled);
        return Layer.ipv6;
      }
      // atomic fragment: the whole datagram is here
    }
    nextHeaderOff = p;
    nextHeader = b[p];
    p += len;
  }
}
