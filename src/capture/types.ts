/**
 * The capture reader's public types. They live apart from reader.ts so the synchronous
 * parser can use them without importing the I/O layer (reader.ts re-exports all of them).
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';

export interface CaptureInterface {
  /** LINKTYPE_* value (classic pcap: the header's link type without its FCS bits) */
  linkType: number;
  /** 0 means "no limit" in pcapng */
  snaplen: number;
  /** 'us' | 'ns' | '10^-N' | '2^-N' */
  tsResolution: string;
  /** pcapng if_tsoffset: seconds added to every timestamp of this interface */
  tsOffsetSec: number;
  name?: string;
}

export interface CaptureHeader {
  format: 'pcap' | 'pcapng';
  /** of the file header (pcap) or of the first section (pcapng) */
  byteOrder: 'little' | 'big';
  compression: 'gzip' | null;
  /** '2.4' for pcap, '1.0' for pcapng (of the first section) */
  version: string;
  /** 'us' or 'ns' for pcap; for pcapng the resolution all interfaces share, or 'mixed' */
  tsPrecision: string;
  /** every interface of the file, indexed by Frame.interfaceId */
  interfaces: CaptureInterface[];
  /** pcapng section header blocks seen (1 for pcap) */
  sections: number;
}

export interface CaptureDamage {
  /** byte offset of the damaged record or block in the (decompressed) stream */
  offset: number;
  /** frames read before it */
  frame: number;
  /** e.g. 'a 16-byte record header, found 7 bytes before end of file' */
  expected: string;
}

export interface CaptureTimestamp {
  sec: number;
  nsec: number;
}

export interface ReadSummary {
  header: CaptureHeader;
  frames: number;
  /** raw bytes read from the source (compressed size for gzip) */
  fileBytes: number;
  /** sum of captured lengths */
  capturedBytes: number;
  /** sum of on-wire lengths */
  wireBytes: number;
  /** earliest timestamp (capinfos' "first packet time" is also the minimum) */
  firstTs: CaptureTimestamp | null;
  /** latest timestamp */
  lastTs: CaptureTimestamp | null;
  /** hex SHA-256 of the raw source bytes, computed while streaming ('' when disabled) */
  sha256: string;
  /** where reading stopped early, or null when the whole file was read */
  damage: CaptureDamage | null;
  /** reading was stopped on request (ReadOptions.stop: Ctrl-C) before the end of the input */
  interrupted: boolean;
  /** pcapng Decryption Secrets Blocks read: TLS key logs, and other types (skipped) */
  secrets: { tls: number; other: number };
}

export interface ReadOptions {
  /** set `packet` to each frame's index before the frame callback runs */
  anomalies?: AnomalySink & { packet: number };
  limits?: Limits;
  /** the name used in error messages (default: the path, '<stdin>' or '<stream>') */
  name?: string;
  /** after every chunk read from the source; totalBytes is null for streams */
  onProgress?: (fileBytesRead: number, totalBytes: number | null) => void;
  /**
   * a pcapng Decryption Secrets Block of TLS key log text ("TLSK"), in file order among the
   * frames; `data` is a view valid only during the call
   */
  onSecrets?: (secretsType: number, data: Uint8Array, fileOffset: number) => void;
  /** once, when the header is known: before the first frame, or at the end of a frameless file */
  onHeader?: (h: CaptureHeader) => void;
  signal?: AbortSignal;
  /**
   * Stops reading when aborted (Ctrl-C on a live capture): unlike `signal`, what was read is
   * the result, with `interrupted` set; a record cut by the stop is dropped, not damage.
   */
  stop?: AbortSignal;
  /** compute summary.sha256 (default true) */
  sha256?: boolean;
}

/**
 * The input is not a capture at all (empty, a directory, wrong magic, unreadable). Damage
 * inside a real capture is not an error: it is reported in ReadSummary.damage.
 */
export class CaptureFormatError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly expected: string,
    readonly found: string,
    message?: string,
  ) {
    super(message ?? `${file}: not a pcap or pcapng file: ${found}`);
    this.name = 'CaptureFormatError';
  }
}
