/**
 * What the layer decoders share while one frame is decoded: where the next layer starts
 * and ends, the encapsulation depth, the limits, the anomaly sink and the fragment store.
 *
 * Every layer decoder has the shape `(b, off, end, out, ctx) → next`: it reads its header
 * from `b[off, end)`, fills `out`, sets `ctx.nextOff`/`ctx.nextEnd` for the layer inside and
 * returns that layer's id (> 0), DONE (nothing more to decode) or a stop status (< 0).
 * `end` is the end of the captured bytes of this layer; `ctx.wireEnd` is where the IP length
 * fields say the payload ends, which lies beyond `end` when the snaplen cut the packet.
 */
import type { AnomalySink } from '../anomaly.js';
import type { DecodeAnomalyCode } from './anomalies.js';
import type { Limits, LimitName } from '../limits.js';
import { FragmentReassembler } from './fragments.js';
import type { DecodedPacket } from './packet.js';

/** nothing more to decode (the innermost layer was reached or is not decoded) */
export const DONE = 0;
// the stop statuses (src/status.ts): MALFORMED (an anomaly was reported and decoding stopped),
// TRUNCATED (the snaplen cut the header: `out.truncated` is set), LIMITED (a cap was hit)
export { LIMITED, MALFORMED, TRUNCATED } from '../status.js';

export interface LayerCounts {
  /** frames whose innermost IP header is IPv4 / IPv6 */
  ipv4: number;
  ipv6: number;
  /** frames whose TCP / UDP header was decoded (after reassembly, if any) */
  tcp: number;
  udp: number;
  /** frames without an IP layer: ARP, LLC, unknown ethertypes, cut-off link headers */
  other: number;
  /** frames that are IP fragments, and datagrams those completed */
  fragments: number;
  reassembled: number;
  /** frames per link type leakscope does not decode */
  unknownLinkTypes: Map<number, number>;
  /** frames per link type whose link layer encrypts the payload (protected 802.11 frames): opaque */
  encryptedLink: Map<number, number>;
  /** frames that carried a PCAPdroid trailer (the app that sent them) */
  pcapdroidTrailers: number;
}

export class DecodeContext {
  /** where the layer returned by the current decoder starts and ends in `out.buf` */
  nextOff = 0;
  nextEnd = 0;
  /** end of the current IP payload per its length fields (≥ nextEnd when truncated) */
  wireEnd = 0;
  /** VLAN tags, PPPoE and tunnels entered in this frame */
  encapsulation = 0;
  /** IP headers entered in this frame (a second one means IP-in-IP) */
  ipLayers = 0;
  /** capture time of the frame, seconds (fragment timeouts) */
  tsSec = 0;
  /** LINKTYPE_* of the frame (per-link-type counts) */
  linkType = 0;
  /** the radio header said the 802.11 header is padded to 32 bits (radiotap's data-pad flag) */
  wlanPadded = false;
  readonly fragments: FragmentReassembler;

  constructor(
    readonly limits: Limits,
    readonly sink: AnomalySink,
    readonly counts: LayerCounts,
    /** the packet being decoded: anomaly offsets are reported from its frame's start */
    private readonly packet: DecodedPacket,
  ) {
    // the fragment store reports positions in the buffer too
    this.fragments = new FragmentReassembler(limits, {
      anomaly: (code, offset, detail, flow, meta) => sink.anomaly(code, offset - packet.frameStart, detail, flow, meta),
    });
  }

  anomaly(code: DecodeAnomalyCode, offset: number, detail?: string): void {
    this.sink.anomaly(code, offset - this.packet.frameStart, detail);
  }

  limitReached(name: LimitName, offset: number): void {
    this.sink.anomaly('limit_reached', offset - this.packet.frameStart, name);
  }

  /** Counts one more encapsulation level; false (and limit_reached) beyond the cap. */
  enterEncapsulation(offset: number): boolean {
    if (++this.encapsulation > this.limits.maxEncapsulationDepth) {
      this.limitReached('maxEncapsulationDepth', offset);
      return false;
    }
    return true;
  }

  /** Resets the per-frame state for a frame at buf[start, end). */
  reset(start: number, end: number, tsSec: number): void {
    this.nextOff = start;
    this.nextEnd = end;
    this.wireEnd = end;
    this.encapsulation = 0;
    this.ipLayers = 0;
    this.tsSec = tsSec;
    this.wlanPadded = false;
  }
}

/** Reads a big-endian 16-bit value (callers check bounds first). */
export function u16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

/** Reads a big-endian 32-bit value as an unsigned number (callers check bounds first). */
export function u32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/**
 * A fragment completed its datagram: the IP layer is decoded again from the joined bytes (the
 * only per-packet allocation), as if the packet had arrived whole. `layerCountBefore` and
 * `tunnelled` undo what decoding the fragment's own IP header counted.
 */
export function restartOnJoinedDatagram(out: DecodedPacket, ctx: DecodeContext, joined: Uint8Array, layerCountBefore: number, tunnelled: boolean): void {
  out.buf = joined;
  out.frameStart = 0;
  out.frameEnd = joined.length;
  out.reassembled = true;
  ctx.counts.reassembled++;
  out.layerCount = layerCountBefore;
  ctx.ipLayers--;
  if (tunnelled) ctx.encapsulation--;
  ctx.nextOff = 0;
  ctx.nextEnd = joined.length;
  ctx.wireEnd = joined.length;
}
