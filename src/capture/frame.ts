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

/** Date's range is ±8.64e15 ms; a damaged pcapng timestamp can lie far beyond it. */
const MAX_DATE_SEC = 8.64e12;

/** Formats a capture timestamp as ISO 8601 UTC with the given fractional digits (6 or 9). */
// observations come in bursts within the same second: the date part is formatted once per second
let cachedSec = NaN;
let cachedBase = '';

export function formatTimestamp(tsSec: number, tsNsec: number, digits: 6 | 9 = 6): string {
  if (tsSec !== cachedSec) {
    // out of range: clamp rather than throw, so the observation is still reported
    const sec = Math.max(-MAX_DATE_SEC, Math.min(MAX_DATE_SEC, Number.isFinite(tsSec) ? tsSec : 0));
    cachedBase = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, '');
    cachedSec = tsSec;
  }
  const base = cachedBase;
  const frac = digits === 9 ? String(tsNsec).padStart(9, '0') : String(Math.floor(tsNsec / 1000)).padStart(6, '0');
  return `${base}.${frac}Z`;
}
