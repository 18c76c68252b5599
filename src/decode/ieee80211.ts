/**
 * IEEE 802.11 (Wi-Fi) as phones and monitor-mode captures record it:
 *
 * - LINKTYPE_IEEE802_11 (105): the 802.11 frame, no radio header.
 * - LINKTYPE_IEEE802_11_RADIOTAP (127): a radiotap header (radiotap.org), then the frame.
 *   Its Flags field says whether the frame ends with a 4-byte FCS and whether the 802.11
 *   header was padded to a 32-bit boundary.
 * - LINKTYPE_PPI (192): a Per-Packet Information header naming the link type inside (105).
 *
 * Only data frames carry IP: frame control type 2, with a QoS control field for the QoS
 * subtypes (bit 3) and no body for the Null subtypes (bit 2). The body is LLC/SNAP
 * (AA AA 03, an OUI, an ethertype). Management and control frames, fragments and A-MSDUs
 * are counted as `other`; a protected frame's body is encrypted (WEP/WPA): it is counted as
 * opaque (`counts.encryptedLink`) — leakscope has no Wi-Fi keys.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, TRUNCATED, u16, type DecodeContext } from './context.js';
import { linkTypeLayer, nextForEtherType } from './registry.js';

const RADIOTAP_MIN_LEN = 8;
/** radiotap present-bitmap bits */
const RT_TSFT = 1 << 0;
const RT_FLAGS = 1 << 1;
const RT_EXT = 1 << 31;
/** radiotap Flags bits */
const RT_FLAG_DATAPAD = 0x20;
const RT_FLAG_FCS = 0x10;
const FCS_LEN = 4;

const PPI_MIN_LEN = 8;

const WLAN_HEADER_LEN = 24;
const WLAN_ADDR4_LEN = 6;
const WLAN_QOS_LEN = 2;
const WLAN_HT_CONTROL_LEN = 4;
const WLAN_TYPE_DATA = 2;
/** frame control flags (second byte) */
const FC_TO_FROM_DS = 0x03;
const FC_MORE_FRAGMENTS = 0x04;
const FC_PROTECTED = 0x40;
const FC_ORDER = 0x80;
/** data subtype bits */
const SUBTYPE_QOS = 0x8;
const SUBTYPE_NO_DATA = 0x4;
/** QoS control: the body is an A-MSDU */
const QOS_AMSDU = 0x80;
const LLC_SNAP_LEN = 8;

/** little-endian reads: radiotap and PPI are little-endian */
const le16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const le32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

export function decodeRadiotap(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < RADIOTAP_MIN_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.radiotap);
  const len = le16(b, off + 2);
  if (b[off] !== 0 || len < RADIOTAP_MIN_LEN || off + len > end) {
    ctx.anomaly('radiotap_bad_header', off, `version ${b[off]}, length ${len}`);
    pushLayer(out, Layer.other);
    return DONE;
  }
  const present = le32(b, off + 4);
  // the fields follow the last present word (bit 31 announces another)
  let field = off + 8;
  for (let word = present; word & RT_EXT && field + 4 <= off + len; field += 4) word = le32(b, field);
  let flags = 0;
  if (present & RT_FLAGS) {
    if (present & RT_TSFT) field = off + ((field - off + 7) & ~7) + 8; // u64, 8-aligned from the header's start
    if (field < off + len) flags = b[field];
  }
  ctx.nextOff = off + len;
  ctx.nextEnd = flags & RT_FLAG_FCS && end - FCS_LEN >= ctx.nextOff ? end - FCS_LEN : end;
  ctx.wlanPadded = (flags & RT_FLAG_DATAPAD) !== 0;
  return Layer.ieee80211;
}

export function decodePpi(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < PPI_MIN_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.ppi);
  const len = le16(b, off + 2);
  const inner = linkTypeLayer(le32(b, off + 4));
  if (len < PPI_MIN_LEN || off + len > end || inner === undefined || inner === Layer.ppi) {
    if (len < PPI_MIN_LEN || off + len > end) ctx.anomaly('ppi_bad_header', off, `length ${len}`);
    pushLayer(out, Layer.other);
    return DONE;
  }
  ctx.nextOff = off + len;
  ctx.nextEnd = end;
  return inner;
}

export function decodeIeee80211(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < WLAN_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.ieee80211);
  const fc0 = b[off];
  const fc1 = b[off + 1];
  const subtype = fc0 >> 4;
  // protocol version 0, data frames with a body, whole (not a fragment)
  if ((fc0 & 3) !== 0 || ((fc0 >> 2) & 3) !== WLAN_TYPE_DATA || subtype & SUBTYPE_NO_DATA) return other(out);
  let header = WLAN_HEADER_LEN;
  if ((fc1 & FC_TO_FROM_DS) === FC_TO_FROM_DS) header += WLAN_ADDR4_LEN;
  let qos = 0;
  if (subtype & SUBTYPE_QOS) {
    if (end - off < header + WLAN_QOS_LEN) {
      out.truncated = true;
      return TRUNCATED;
    }
    qos = b[off + header];
    header += WLAN_QOS_LEN;
    if (fc1 & FC_ORDER) header += WLAN_HT_CONTROL_LEN;
  }
  if (ctx.wlanPadded) header = (header + 3) & ~3;
  if (fc1 & FC_PROTECTED) {
    ctx.counts.encryptedLink.set(ctx.linkType, (ctx.counts.encryptedLink.get(ctx.linkType) ?? 0) + 1);
    return other(out);
  }
  const fragment = b[off + 22] & 0x0f; // sequence control is little-endian: fragment number in the low nibble
  if (fc1 & FC_MORE_FRAGMENTS || fragment !== 0 || qos & QOS_AMSDU) return other(out);
  const llc = off + header;
  if (end - llc < LLC_SNAP_LEN) {
    out.truncated = end - llc > 0;
    return out.truncated ? TRUNCATED : other(out);
  }
  if (b[llc] !== 0xaa || b[llc + 1] !== 0xaa || b[llc + 2] !== 0x03) return other(out);
  ctx.nextOff = llc + LLC_SNAP_LEN;
  ctx.nextEnd = end;
  return nextForEtherType(u16(b, llc + 6), out);
}

function other(out: DecodedPacket): number {
  pushLayer(out, Layer.other);
  return DONE;
}
