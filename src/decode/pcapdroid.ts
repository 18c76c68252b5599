/**
 * The PCAPdroid trailer: PCAPdroid (the Android capture app) can dump each packet with the app
 * that sent or received it. In a classic pcap it writes an Ethernet frame whose header is bogus
 * (both MAC addresses zero), the IP packet, 0-3 zero bytes of padding that bring the frame to
 * a multiple of 4, and a 32-byte trailer (PCAPdroid app/src/main/jni/core/pcap_dump.h,
 * `pcapdroid_trailer_t`, and pcap_dump.c `dump_packet_pcap`; all fields big-endian):
 *
 *   0       4       8                               28      32
 *   +-------+-------+-------------------------------+-------+
 *   | magic |  uid  | app name (20 bytes, NUL-padded)|  fcs  |
 *   +-------+-------+-------------------------------+-------+
 *   magic 0x01072021; uid the Linux uid of the app (int32, -1 when unknown); fcs = CRC-32 of
 *   the frame before it.
 *
 * PCAPdroid only appends the trailer when the whole packet fits the snaplen, so the IP length
 * fields locate it exactly: a frame is taken to carry one only when its magic sits 32 bytes
 * from the end AND 14 + IP length + padding + 32 is the frame's length. The trailer is then cut
 * off before IP decoding, so it can never be taken as payload.
 */
import { u16 } from './context.js';

export const PCAPDROID_TRAILER_MAGIC = 0x01072021;
export const PCAPDROID_TRAILER_LEN = 32;
export const PCAPDROID_APP_NAME_LEN = 20;
const ETH_HEADER_LEN = 14;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

/** Where a frame's trailer is: the uid, and the app name's bytes in the frame's buffer. */
export interface PcapdroidTrailer {
  uid: number;
  nameOff: number;
  nameLen: number;
}

/**
 * The end of the frame b[start, end) without its PCAPdroid trailer, filling `out`; -1 when the
 * frame carries none (then `out` is untouched).
 */
export function findPcapdroidTrailer(b: Uint8Array, start: number, end: number, out: PcapdroidTrailer): number {
  const len = end - start;
  if (len < ETH_HEADER_LEN + 20 + PCAPDROID_TRAILER_LEN || (len & 3) !== 0) return -1;
  const t = end - PCAPDROID_TRAILER_LEN;
  if (((b[t]! << 24) | (b[t + 1]! << 16) | (b[t + 2]! << 8) | b[t + 3]!) !== PCAPDROID_TRAILER_MAGIC) return -1;
  for (let i = start; i < start + 12; i++) if (b[i] !== 0) return -1; // PCAPdroid's header has zero MACs
  const ethertype = u16(b, start + 12);
  const ip = start + ETH_HEADER_LEN;
  let ipLen: number;
  if (ethertype === ETHERTYPE_IPV4 && b[ip]! >> 4 === 4) ipLen = u16(b, ip + 2);
  else if (ethertype === ETHERTYPE_IPV6 && b[ip]! >> 4 === 6) ipLen = 40 + u16(b, ip + 4);
  else return -1;
  const padded = (ETH_HEADER_LEN + ipLen + 3) & ~3;
  if (start + padded !== t) return -1;
  out.uid = (b[t + 4]! << 24) | (b[t + 5]! << 16) | (b[t + 6]! << 8) | b[t + 7]!;
  let n = 0;
  while (n < PCAPDROID_APP_NAME_LEN && b[t + 8 + n] !== 0) n++;
  out.nameOff = t + 8;
  out.nameLen = n;
  return start + ETH_HEADER_LEN + ipLen;
}

/** Distinct apps a capture names before the name table starts over (a phone runs a few hundred at most). */
const MAX_APP_NAMES = 4096;
const utf8 = new TextDecoder('utf-8');

/**
 * The app names of trailers, decoded once per uid and name bytes (packets of one app come in
 * runs): no string is made per packet. A trailer with no name is named by its uid (`uid:10123`).
 */
export class PcapdroidAppNames {
  private readonly byUid = new Map<number, { bytes: Uint8Array; name: string }>();

  name(b: Uint8Array, t: PcapdroidTrailer): string {
    const known = this.byUid.get(t.uid);
    if (known !== undefined && sameBytes(known.bytes, b, t.nameOff, t.nameLen)) return known.name;
    const bytes = b.slice(t.nameOff, t.nameOff + t.nameLen);
    // a label cut at 19 bytes may end inside a character: the cut character is dropped
    const name = t.nameLen === 0 ? `uid:${t.uid}` : utf8.decode(bytes).replace(/\uFFFD+$/, '');
    if (this.byUid.size >= MAX_APP_NAMES) this.byUid.clear();
    this.byUid.set(t.uid, { bytes, name });
    return name;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, off: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[off + i]) return false;
  return true;
}
