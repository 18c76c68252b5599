/**
 * The per-packet decode state (gopacket's DecodingLayerParser): one instance, reset and
 * refilled for every frame, holding offsets into the frame's bytes rather than copies.
 * Nothing here is allocated per packet except for reassembled IP fragments, whose joined
 * bytes live in `buf` instead of the frame's data.
 */
export const Layer = {
  ethernet: 1,
  vlan: 2,
  sll: 3,
  sll2: 4,
  null: 5,
  pppoe: 6,
  /** OpenBSD loopback (LINKTYPE_LOOP, family in network order) */
  loop: 7,
  /** raw IP link types (the version nibble picks IPv4 or IPv6) */
  raw: 8,
  /** PPP (RFC 1661) or Cisco HDLC framing */
  ppp: 9,
  ipv4: 10,
  ipv6: 11,
  ipv6ext: 12,
  gre: 13,
  ipip: 14,
  /** radiotap and PPI radio headers, the IEEE 802.11 frame (with its LLC/SNAP header) */
  radiotap: 15,
  ppi: 16,
  ieee80211: 17,
  /** Linux NFLOG */
  nflog: 18,
  /** entry points of link types framed two ways (decoded, and listed, as `ppp`) */
  pppHdlc: 25,
  ciscoHdlc: 26,
  tcp: 20,
  udp: 21,
  icmp: 22,
  icmpv6: 23,
  /** GTP-U (UDP port 2152) carrying a user-plane IP packet */
  gtpu: 24,
  other: 30,
} as const;
export type LayerId = (typeof Layer)[keyof typeof Layer];

/** Room in `layers`; deeper stacks keep decoding but stop being listed. */
export const MAX_LISTED_LAYERS = 32;

export interface DecodedPacket {
  /** layers found, outermost first; `layerCount` entries are valid */
  layers: Uint8Array;
  layerCount: number;

  /**
   * the bytes the offsets below refer to: the reader's buffer holding the frame (offsets are
   * then positions in that buffer, not from the frame's start), or a reassembled datagram
   */
  buf: Uint8Array;
  /** the frame's captured bytes are buf[frameStart, frameEnd) */
  frameStart: number;
  frameEnd: number;

  /** 0 when no IP layer was decoded, else 4 or 6 (innermost IP header when tunnelled) */
  ipVersion: 0 | 4 | 6;
  /** offset of the innermost IP header in `buf` */
  ipOff: number;
  /** offsets of the source/destination address in `buf` (4 or 16 bytes long) */
  srcAddrOff: number;
  dstAddrOff: number;
  /** IP protocol / IPv6 next header of the transport layer (6 TCP, 17 UDP, …) */
  ipProto: number;
  /** IPv4 TTL / IPv6 hop limit of the innermost IP header */
  ipTtl: number;
  /** true when this packet was completed from IP fragments */
  reassembled: boolean;
  /** true when this frame is an IP fragment (reassembled or not) */
  fragment: boolean;

  /** transport; valid when ipProto is 6 or 17 and `transportOk` */
  transportOk: boolean;
  /** offset of the TCP/UDP header in `buf` */
  transportOff: number;
  srcPort: number;
  dstPort: number;
  /** TCP only */
  tcpSeq: number;
  tcpAck: number;
  tcpFlags: number;
  tcpWindow: number;

  /** transport payload as [payloadOff, payloadEnd) in `buf` */
  payloadOff: number;
  payloadEnd: number;

  /** some header or payload was cut short by the snaplen (captured < reported) */
  truncated: boolean;

  /** the app a PCAPdroid trailer named (decode/pcapdroid.ts; the trailer is cut off before decoding); null without one */
  app: string | null;
  /** the app's Linux uid from the trailer (-1: none, or PCAPdroid did not know it) */
  appUid: number;
}

const EMPTY = new Uint8Array(0);

/** One reusable instance per capture; `resetPacket` clears it for the next frame. */
export function createDecodedPacket(): DecodedPacket {
  return {
    layers: new Uint8Array(MAX_LISTED_LAYERS),
    layerCount: 0,
    buf: EMPTY,
    frameStart: 0,
    frameEnd: 0,
    ipVersion: 0,
    ipOff: 0,
    srcAddrOff: 0,
    dstAddrOff: 0,
    ipProto: 0,
    ipTtl: 0,
    reassembled: false,
    fragment: false,
    transportOk: false,
    transportOff: 0,
    srcPort: 0,
    dstPort: 0,
    tcpSeq: 0,
    tcpAck: 0,
    tcpFlags: 0,
    tcpWindow: 0,
    payloadOff: 0,
    payloadEnd: 0,
    truncated: false,
    app: null,
    appUid: -1,
  };
}

/** Clears every field for a new frame (the layers array is reused, not reallocated). */
export function resetPacket(p: DecodedPacket, buf: Uint8Array, start: number, end: number): void {
  p.layerCount = 0;
  p.buf = buf;
  p.frameStart = start;
  p.frameEnd = end;
  p.ipVersion = 0;
  p.ipOff = 0;
  p.srcAddrOff = 0;
  p.dstAddrOff = 0;
  p.ipProto = 0;
  p.ipTtl = 0;
  p.reassembled = false;
  p.fragment = false;
  p.transportOk = false;
  p.transportOff = 0;
  p.srcPort = 0;
  p.dstPort = 0;
  p.tcpSeq = 0;
  p.tcpAck = 0;
  p.tcpFlags = 0;
  p.tcpWindow = 0;
  p.payloadOff = 0;
  p.payloadEnd = 0;
  p.truncated = false;
  p.app = null;
  p.appUid = -1;
}

/** Appends a layer id; stacks deeper than MAX_LISTED_LAYERS are decoded but not listed. */
export function pushLayer(p: DecodedPacket, layer: LayerId): void {
  if (p.layerCount < MAX_LISTED_LAYERS) p.layers[p.layerCount++] = layer;
}

/** The listed layers as names, outermost first (for tests and debugging; allocates). */
export function layerNames(p: DecodedPacket): string[] {
  const names: string[] = [];
  for (let i = 0; i < p.layerCount; i++) {
    const id = p.layers[i];
    names.push(Object.keys(Layer).find((k) => Layer[k as keyof typeof Layer] === id) ?? String(id));
  }
  return names;
}

export const TCP_FIN = 0x01,
  TCP_SYN = 0x02,
  TCP_RST = 0x04,
  TCP_PSH = 0x08,
  TCP_ACK = 0x10,
  TCP_URG = 0x20;
