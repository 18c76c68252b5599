/**
 * Linux NFLOG (LINKTYPE_NFLOG 239: `tcpdump -i nflog:N`, Android's netfilter logging):
 *
 *   family(1) version(1) resource id(2, big-endian), then TLVs:
 *   length(2) type(2) value… padded to 4 bytes
 *
 * The TLVs' length and type are in the capturing host's byte order (libpcap's pcap-util.c
 * swaps them only when reading another host's file); the order whose first length fits is
 * used. The packet is the value of the payload TLV (NFULA_PAYLOAD, type 9): an IP packet
 * of the header's family. A frame without one (logged without a payload) is `other`.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, TRUNCATED, u16, type DecodeContext } from './context.js';

const NFLOG_HEADER_LEN = 4;
const TLV_HEADER_LEN = 4;
const NFULA_PAYLOAD = 9;
/** netlink attribute type bits that are flags, not the type */
const NLA_TYPE_MASK = 0x3fff;

const le16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);

export function decodeNflog(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < NFLOG_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.nflog);
  let tlv = off + NFLOG_HEADER_LEN;
  if (end - tlv < TLV_HEADER_LEN) return other(out);
  const firstLe = le16(b, tlv);
  const read16 = firstLe >= TLV_HEADER_LEN && tlv + firstLe <= end ? le16 : u16;
  while (end - tlv >= TLV_HEADER_LEN) {
    const len = read16(b, tlv);
    if (len < TLV_HEADER_LEN) {
      ctx.anomaly('nflog_bad_tlv', tlv, `length ${len}`);
      return other(out);
    }
    if ((read16(b, tlv + 2) & NLA_TYPE_MASK) === NFULA_PAYLOAD) {
      ctx.nextOff = tlv + TLV_HEADER_LEN;
      ctx.nextEnd = Math.min(end, tlv + len);
      if (tlv + len > end) out.truncated = true;
      return Layer.raw;
    }
    tlv += (len + 3) & ~3;
  }
  return other(out);
}

function other(out: DecodedPacket): number {
  pushLayer(out, Layer.other);
  return DONE;
}
