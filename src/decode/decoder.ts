/**
 * The packet decoder: runs the layer decoders over one frame, outermost first, dispatching
 * by the tables in registry.ts, into one reused DecodedPacket (gopacket's
 * DecodingLayerParser). No allocation per packet except for joined IP fragments.
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { DecodeContext, type LayerCounts } from './context.js';
import { LINK_TYPES } from './registry.js';
import { Layer, createDecodedPacket, pushLayer, resetPacket, type DecodedPacket, type LayerId } from './packet.js';
import { decodeEthernet } from './ethernet.js';
import { decodeVlan } from './vlan.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeLoop, decodeNull } from './null.js';
import { decodeRawIp } from './raw.js';
import { decodePppoe } from './pppoe.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeGre } from './gre.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeGtpu } from './gtpu.js';
import { decodeIeee80211, decodePpi, decodeRadiotap } from './ieee80211.js';
import { decodeNflog } from './nflog.js';
import { decodeCiscoHdlc, decodePpp, decodePppHdlc } from './ppp.js';
import { PcapdroidAppNames, findPcapdroidTrailer, type PcapdroidTrailer } from './pcapdroid.js';

const LINKTYPE_ETHERNET = 1;

// what the decoder counts (context.ts holds the type: the layers add to it through their context)
export type { LayerCounts } from './context.js';

/** One layer's decoder: `(bytes, off, end, out, ctx) → next layer id | DONE | stop status`. */
export type LayerDecoder = (b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext) => number;

/** Decoders indexed by Layer id. */
const DECODERS: (LayerDecoder | undefined)[] = [];
DECODERS[Layer.ethernet] = decodeEthernet;
DECODERS[Layer.vlan] = decodeVlan;
DECODERS[Layer.sll] = decodeSll;
DECODERS[Layer.sll2] = decodeSll2;
DECODERS[Layer.null] = decodeNull;
DECODERS[Layer.loop] = decodeLoop;
DECODERS[Layer.raw] = decodeRawIp;
DECODERS[Layer.pppoe] = decodePppoe;
DECODERS[Layer.ipv4] = decodeIpv4;
DECODERS[Layer.ipv6] = decodeIpv6;
DECODERS[Layer.gre] = decodeGre;
DECODERS[Layer.tcp] = decodeTcp;
DECODERS[Layer.udp] = decodeUdp;
DECODERS[Layer.gtpu] = decodeGtpu;
DECODERS[Layer.radiotap] = decodeRadiotap;
DECODERS[Layer.ppi] = decodePpi;
DECODERS[Layer.ieee80211] = decodeIeee80211;
DECODERS[Layer.nflog] = decodeNflog;
DECODERS[Layer.ppp] = decodePpp;
DECODERS[Layer.pppHdlc] = decodePppHdlc;
DECODERS[Layer.ciscoHdlc] = decodeCiscoHdlc;

export class PacketDecoder {
  readonly counts: LayerCounts = {
    ipv4: 0,
    ipv6: 0,
    tcp: 0,
    udp: 0,
    other: 0,
    fragments: 0,
    reassembled: 0,
    unknownLinkTypes: new Map(),
    encryptedLink: new Map(),
    pcapdroidTrailers: 0,
  };
  private readonly trailer: PcapdroidTrailer = { uid: -1, nameOff: 0, nameLen: 0 };
  private readonly apps = new PcapdroidAppNames();
  private readonly packet = createDecodedPacket();
  private readonly ctx: DecodeContext;
  /** a bound on layer steps per frame: encapsulation plus the fixed layers around it */
  private readonly maxSteps: number;

  constructor(
    limits: Limits,
    private readonly anomalies: AnomalySink,
  ) {
    this.ctx = new DecodeContext(limits, anomalies, this.counts, this.packet);
    this.maxSteps = 3 * (limits.maxEncapsulationDepth + 1) + 8;
  }

  /**
   * Decodes the frame `data[start, end)` into the shared DecodedPacket, whose offsets are then
   * positions in `data`; tsSec is capture time (fragment timeouts).
   */
  decode(data: Uint8Array, linkType: number, tsSec: number, start = 0, end = data.length): DecodedPacket {
    const p = this.packet;
    const ctx = this.ctx;
    // PCAPdroid's trailer is cut off first: it must never be read as link padding or payload
    const cut = linkType === LINKTYPE_ETHERNET ? findPcapdroidTrailer(data, start, end, this.trailer) : -1;
    if (cut >= 0) end = cut;
    resetPacket(p, data, start, end);
    if (cut >= 0) {
      p.app = this.apps.name(data, this.trailer);
      p.appUid = this.trailer.uid;
      this.counts.pcapdroidTrailers++;
    }
    ctx.reset(start, end, tsSec);
    ctx.linkType = linkType;
    const first = LINK_TYPES.get(linkType);
    if (first === undefined) {
      this.unknownLinkType(linkType);
      return p;
    }
    let next: number = first;
    let steps = 0;
    while (next > 0) {
      const decoder: LayerDecoder | undefined = DECODERS[next];
      if (decoder === undefined) {
        pushLayer(p, next as LayerId); // recognised, not decoded (ICMP, ICMPv6)
        break;
      }
      if (++steps > this.maxSteps) {
        // unreachable while every layer consumes bytes and counts its depth; a safety net
        ctx.limitReached('maxEncapsulationDepth', ctx.nextOff);
        break;
      }
      next = decoder(p.buf, ctx.nextOff, ctx.nextEnd, p, ctx);
    }
    this.count(p);
    return p;
  }

  private count(p: DecodedPacket): void {
    const c = this.counts;
    if (p.ipVersion === 4) c.ipv4++;
    else if (p.ipVersion === 6) c.ipv6++;
    else c.other++;
    if (p.transportOk) {
      if (p.ipProto === 6) c.tcp++;
      else if (p.ipProto === 17) c.udp++;
    }
  }

  private unknownLinkType(linkType: number): void {
    const seen = this.counts.unknownLinkTypes.get(linkType);
    this.counts.unknownLinkTypes.set(linkType, (seen ?? 0) + 1);
    if (seen === undefined) this.anomalies.anomaly('link_type_unsupported', 0, String(linkType));
  }
}
