/**
 * Linux "cooked" capture headers (tcpdump -i any).
 *
 * SLL v1 (LINKTYPE_LINUX_SLL 113), 16 bytes:
 *   packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2)
 * SLL v2 (LINKTYPE_LINUX_SLL2 276), 20 bytes:
 *   protocol(2) reserved(2) interface index(4) ARPHRD type(2) packet type(1)
 *   address length(1) address(8)
 *
 * The protocol is an ethertype, except values below 0x0600 that Linux uses for non-Ethernet
 * framings (1 = Novell 802.3, 4 = 802.2 LLC, …): those are counted as `other`.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, TRUNCATED, u16, type DecodeContext } from './context.js';
import { nextForEtherType } from './registry.js';
import { MIN_ETHERTYPE } from './ethernet.js';

export const SLL_HEADER_LEN = 16;
export const SLL2_HEADER_LEN = 20;

export function decodeSll(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < SLL_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.sll);
  return cookedNext(u16(b, off + 14), off + SLL_HEADER_LEN, end, out, ctx);
}

export function decodeSll2(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < SLL2_HEADER_LEN) {
    out.truncated = true;
    return TRUNCATED;
  }
  pushLayer(out, Layer.sll2);
  return cookedNext(u16(b, off), off + SLL2_HEADER_LEN, end, out, ctx);
}

function cookedNext(protocol: number, next: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  ctx.nextOff = next;
  ctx.nextEnd = end;
  if (protocol < MIN_ETHERTYPE) {
    pushLayer(out, Layer.other);
    return DONE;
  }
  return nextForEtherType(protocol, out);
}
