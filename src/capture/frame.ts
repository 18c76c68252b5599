/**
 * One captured packet as the reader hands it on. The reader reuses a single Frame object and
 * `data` is a view into its read buffer: both are valid only during the callback (gopacket's
 * ScatterGather warning). Copy what must outlive the call.
 */
export interface Frame {
  /** 1-based frame number across the whole file (tshark's frame.number) */
  index: number;
  /** capture timestamp: whole seconds since the Unix epoch */
  tsSec: number;
  /** capture timestamp: nanoseconds within the second, 0..999_999_999 */
  tsNsec: number;
  /** bytes captured (data.length) */
  caplen: number;
  /** bytes the packet had on the wire */
  origlen: number;
  /** LINKTYPE_* value of the interface the packet came from */
  linkType: number;
  /** pcapng interface id (0 for classic pcap); unique across sections */
  interfaceId: number;
  /** byte offset of the record (pcap) or block (pcapng) in the decompressed stream */
  fileOffset: number;
  /** the captured bytes */
  data: Uint8Array;
}

/** Formats a capture timestamp as ISO 8601 UTC with the given fractional digits (6 or 9). */
export function formatTimestamp(tsSec: number, tsNsec: number, digits: 6 | 9 = 6): string {
  const base = new Date(tsSec * 1000).toISOString().slice(0, 19);
  const frac = digits === 9 ? String(tsNsec).padStart(9, '0') : String(Math.floor(tsNsec / 1000)).padStart(6, '0');
  return `${base}.${frac}Z`;
}
