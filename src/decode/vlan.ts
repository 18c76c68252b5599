/**
 * IEEE 802.1Q / 802.1ad VLAN tag (also the pre-standard 0x9100 QinQ type). The tag follows
 * the ethertype that announced it; tags stack (QinQ, QinQinQ), each counted against
 * maxEncapsulationDepth:
 *
 *   0       2       4
 *   +-------+-------+--------
 *   | TCI   | type  | payload …      TCI = PCP(3) DEI(1) VLAN id(12)
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { LIMITED, TRUNCATED, u16, type DecodeContext } from './context.js';
import { nextForEtherType } from './registry.js';

export const VLAN_TAG_LEN = 4;

export function decodeVlan(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < VLAN_TAG_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  if (!ctx.enterEncapsulation(off)) return LIMITED;
  pushLayer(out, Layer.vlan);
  ctx.nextOff = off + VLAN_TAG_LEN;
  ctx.nextEnd = end;
  return nextForEtherType(u16(b, off + 2), out);
}
