/**
 * Ethernet II (IEEE 802.3 with an ethertype):
 *
 *   0                   6                  12        14
 *   +-------------------+-------------------+---------+------------
 *   | destination MAC   | source MAC        | type    | payload …
 *
 * A type field ≤ 1500 is an 802.3 length (LLC/SNAP frames such as STP or CDP): counted as
 * `other`, not an anomaly. Values 1501–1535 are undefined and treated the same way.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, TRUNCATED, u16, type DecodeContext } from './context.js';
import { nextForEtherType } from './registry.js';

export const ETHERNET_HEADER_LEN = 14;
/** smallest type value that is an ethertype rather than an 802.3 length */
export const MIN_ETHERTYPE = 0x0600;

export function decodeEthernet(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < ETHERNET_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.ethernet);
  const type = u16(b, off + 12);
  ctx.nextOff = off + ETHERNET_HEADER_LEN;
  ctx.nextEnd = end;
  if (type < MIN_ETHERTYPE) {
    pushLayer(out, Layer.other);
    return DONE;
  }
  return nextForEtherType(type, out);
}
