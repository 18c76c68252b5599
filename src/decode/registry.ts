/**
 * Dispatch tables (gopacket's EthernetTypeMetadata, Zeek's register_packet_analyzer): which
 * layer decodes the payload of a link type, an ethertype, an IP protocol or a UDP port.
 * Adding a protocol means adding its decoder file, a Layer id, and a row here.
 */
import { Layer, pushLayer, type DecodedPacket, type LayerId } from './packet.js';
import { DONE } from './context.js';

/** LINKTYPE_* values (tcpdump.org/linktypes.html) */
export const LINK_TYPES = new Map<number, LayerId>([
  [0, Layer.null], // BSD loopback, family in host byte order
  [1, Layer.ethernet],
  [12, Layer.raw], // DLT_RAW on most BSDs (written as 12 by old libpcaps)
  [14, Layer.raw], // DLT_RAW on OpenBSD
  [101, Layer.raw], // LINKTYPE_RAW
  [108, Layer.loop], // OpenBSD loopback, family in network order
  [113, Layer.sll],
  [228, Layer.ipv4], // LINKTYPE_IPV4
  [229, Layer.ipv6], // LINKTYPE_IPV6
  [276, Layer.sll2],
]);

/** Ethertypes (also used by SLL, GRE's protocol type and VLAN's inner type) */
export const ETHER_TYPES = new Map<number, LayerId>([
  [0x0800, Layer.ipv4],
  [0x86dd, Layer.ipv6],
  [0x8100, Layer.vlan], // 802.1Q
  [0x88a8, Layer.vlan], // 802.1ad service tag
  [0x9100, Layer.vlan], // pre-standard QinQ
  [0x8864, Layer.pppoe], // PPPoE session stage
  [0x6558, Layer.ethernet], // transparent Ethernet bridging (GRE)
]);

/** IP protocol numbers / IPv6 next headers of the layers after IP */
export const IP_PROTOCOLS = new Map<number, LayerId>([
  [1, Layer.icmp],
  [4, Layer.ipv4], // IP-in-IP
  [6, Layer.tcp],
  [17, Layer.udp],
  [41, Layer.ipv6], // 6in4 / IPv6-in-IP
  [47, Layer.gre],
  [58, Layer.icmpv6],
]);

/** UDP ports whose payload is a tunnel decoded further (either port matches) */
export const UDP_TUNNEL_PORTS = new Map<number, LayerId>([
  [2152, Layer.gtpu],
]);

/** The layer for an ethertype, or DONE with an `other` layer when it is not decoded. */
export function nextForEtherType(type: number, out: DecodedPacket): number {
  const next = ETHER_TYPES.get(type);
  if (next === undefined) {
    pushLayer(out, Layer.other);
    return DONE;
  }
  return next;
}

/** The layer for an IP protocol, or DONE (the protocol is recorded in `out.ipProto`). */
export function nextForIpProtocol(proto: number, out: DecodedPacket): number {
  const next = IP_PROTOCOLS.get(proto);
  if (next === undefined) {
    pushLayer(out, Layer.other);
    return DONE;
  }
  return next;
}
