/**
 * Dispatch tables (gopacket's EthernetTypeMetadata, Zeek's register_packet_analyzer): which
 * layer decodes the payload of a link type, an ethertype, an IP protocol or a UDP port.
 * Adding a protocol means adding its decoder file, a Layer id, and a row here.
 */
import { Layer, pushLayer, type DecodedPacket, type LayerId } from './packet.js';
import { DONE } from './context.js';

/**
 * The link types (tcpdump.org/linktypes.html): the one table of their names (`info`, reports)
 * and of the layer that decodes each one leakscope reads. A link type without a layer is named
 * but not decoded: its frames are counted per capture and reported as not decoded.
 */
const LINK_TYPE_TABLE: readonly { linkType: number; name: string; layer?: LayerId }[] = [
  { linkType: 0, name: 'NULL (BSD loopback)', layer: Layer.null }, // family in host byte order
  { linkType: 1, name: 'ETHERNET', layer: Layer.ethernet },
  { linkType: 9, name: 'PPP', layer: Layer.ppp },
  { linkType: 12, name: 'RAW (IP)', layer: Layer.raw }, // DLT_RAW on most BSDs (written as 12 by old libpcaps)
  { linkType: 14, name: 'RAW (IP, OpenBSD)', layer: Layer.raw },
  { linkType: 50, name: 'PPP_HDLC', layer: Layer.pppHdlc },
  { linkType: 101, name: 'RAW', layer: Layer.raw },
  { linkType: 104, name: 'C_HDLC (Cisco HDLC)', layer: Layer.ciscoHdlc },
  { linkType: 105, name: 'IEEE802_11', layer: Layer.ieee80211 },
  { linkType: 108, name: 'LOOP (OpenBSD loopback)', layer: Layer.loop }, // family in network order
  { linkType: 113, name: 'LINUX_SLL', layer: Layer.sll },
  { linkType: 127, name: 'IEEE802_11_RADIOTAP', layer: Layer.radiotap },
  { linkType: 192, name: 'PPI', layer: Layer.ppi },
  { linkType: 228, name: 'IPV4', layer: Layer.ipv4 },
  { linkType: 229, name: 'IPV6', layer: Layer.ipv6 },
  { linkType: 239, name: 'NFLOG', layer: Layer.nflog },
  { linkType: 276, name: 'LINUX_SLL2', layer: Layer.sll2 },
  // named, not decoded
  { linkType: 119, name: 'PRISM_HEADER' },
  { linkType: 163, name: 'IEEE802_11_AVS' },
  { linkType: 147, name: 'USER0' },
  { linkType: 187, name: 'BLUETOOTH_HCI_H4' },
  { linkType: 220, name: 'USB_LINUX_MMAPPED' },
];

/** LINKTYPE_* value → the layer that decodes it */
export const LINK_TYPES = new Map<number, LayerId>(LINK_TYPE_TABLE.filter((t) => t.layer !== undefined).map((t) => [t.linkType, t.layer!]));
const LINK_TYPE_NAMES = new Map<number, string>(LINK_TYPE_TABLE.map((t) => [t.linkType, t.name]));

/** The layer decoding a link type, or undefined when leakscope does not decode it. */
export function linkTypeLayer(linkType: number): LayerId | undefined {
  return LINK_TYPES.get(linkType);
}

/** The link type's name (LINKTYPE_ without its prefix), or `LINKTYPE_<n>` for one not in the table. */
export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES.get(linkType) ?? `LINKTYPE_${linkType}`;
}

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
export const UDP_TUNNEL_PORTS = new Map<number, LayerId>([[2152, Layer.gtpu]]);

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
