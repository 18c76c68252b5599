/**
 * One captured packet as the reader hands it on. The reader reuses a single Frame object and
 * its bytes lie in the reader's buffer: both are valid only during the callback (gopacket's
 * ScatterGather warning). Copy what must outlive the call. The hot path reads the bytes as
 * `buf[offset, offset + caplen)`; `data` makes a view of them on demand.
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
  /** the buffer holding the captured bytes, at `offset` */
  buf: Uint8Array;
  offset: number;
  /** the captured bytes (a new view on each access) */
  readonly data: Uint8Array;
  /** the app a PCAPdroid pcapng dump names for this packet (its package; `uid:N` when unmapped), null when none */
  app: string | null;
  appUid: number | null;
}

/**
 * When and where one packet was captured, handed down the pipeline (flow table, reassembly,
 * analyzers) as one object instead of loose values. The scan loop fills a single reused
 * instance per packet: valid only during the call; copy the fields that must outlive it.
 */
export interface PacketMeta {
  /** 1-based frame number (tshark's frame.number) */
  frame: number;
  /** capture timestamp: whole seconds since the Unix epoch, and nanoseconds within the second */
  tsSec: number;
  tsNsec: number;
  /** bytes the packet had on the wire (Frame.origlen) */
  wireLen: number;
}

/** The reader's reused Frame: no view is made per packet unless someone asks for `data`. */
export class ReusedFrame implements Frame {
  index = 0;
  tsSec = 0;
  tsNsec = 0;
  caplen = 0;
  origlen = 0;
  linkType = 0;
  interfaceId = 0;
  fileOffset = 0;
  buf: Uint8Array = new Uint8Array(0);
  offset = 0;
  app: string | null = null;
  appUid: number | null = null;
  get data(): Uint8Array {
    return this.buf.subarray(this.offset, this.offset + this.caplen);
  }
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
