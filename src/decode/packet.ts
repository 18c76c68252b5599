/**
 * The per-packet decode state (gopacket's DecodingLayerParser): one instance, reset and
 * refilled for every frame, holding offsets into the frame's bytes rather than copies.
 * Nothing here is allocated per packet except for reassembled IP fragments, whose joined
 * bytes live in `buf` instead of the frame's data.
 */
export const Layer = {
  ethernet: 1, vlan: 2, sll: 3, sll2: 4, null: 5, pppoe: 6,
  ipv4: 10, ipv6: 11, ipv6ext: 12, gre: 13, ipip: 14,
  tcp: 20, udp: 21, icmp: 22, icmpv6: 23, other: 30,
} as const;
export type LayerId = (typeof Layer)[keyof typeof Layer];

export interface DecodedPacket {
  /** layers found, outermost first; `layerCount` entries are valid */
  layers: Uint8Array;
  layerCount: number;

  /** the bytes the offsets below refer to: the frame data, or a reassembled datagram */
  buf: Uint8Array;

  /** 0 when no IP layer was decoded, else 4 or 6 (innermost IP header when tunnelled) */
  ipVersion: 0 | 4 | 6;
  /** offsets of the source/destination address in `buf` (4 or 16 bytes long) */
  srcAddrOff: number;
  dstAddrOff: number;
  /** IP protocol / IPv6 next header of the transport layer (6 TCP, 17 UDP, …) */
  ipProto: number;
  /** true when this packet was completed from IP fragments */
  reassembled: boolean;

  /** transport; valid when ipProto is 6 or 17 and `transportOk` */
  transportOk: boolean;
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
}

export const TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10, TCP_URG = 0x20;
