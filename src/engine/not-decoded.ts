/**
 * Frames a capture held that leakscope could not look into, per link type and reason: a
 * capture of an unsupported link type, or of encrypted Wi-Fi, must never read as a clean,
 * empty result. Every report names them (JSON header, table footer, stderr) and marks the
 * capture partial.
 */
import type { LayerCounts } from '../decode/decoder.js';
import { linkTypeName } from '../decode/registry.js';

export interface NotDecoded {
  linktype: number;
  /** the link type's name (LINKTYPE_ without its prefix) */
  name: string;
  packets: number;
  reason: 'link type not supported' | 'encrypted (protected 802.11 frames)';
}

export function notDecoded(counts: LayerCounts): NotDecoded[] {
  const out: NotDecoded[] = [];
  for (const [linktype, packets] of counts.unknownLinkTypes) out.push({ linktype, name: linkTypeName(linktype), packets, reason: 'link type not supported' });
  for (const [linktype, packets] of counts.encryptedLink)
    out.push({ linktype, name: linkTypeName(linktype), packets, reason: 'encrypted (protected 802.11 frames)' });
  return out.sort((a, b) => a.linktype - b.linktype || a.reason.localeCompare(b.reason));
}

/** One line for a report footer or stderr: `12 packets of NFLOG (239) not decoded: link type not supported`. */
export function notDecodedLine(n: NotDecoded): string {
  return `${n.packets} packets of ${n.name} (${n.linktype}) not decoded: ${n.reason}`;
}
