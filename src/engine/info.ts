/** `leakscope info`: what capinfos tells, plus per-layer and anomaly counts. */
import { formatTimestamp } from '../capture/frame.js';
import { resolveLimits } from '../limits.js';
import { prepareCaptureKeys, scanCapture, type ScanOptions } from './scan.js';
import type { NotDecoded } from './not-decoded.js';
import { linkTypeName } from '../decode/registry.js';

export interface InfoRecord {
  file: string;
  format: string;
  byte_order: string;
  compression: string | null;
  version: string;
  ts_precision: string;
  linktypes: { interface: number; linktype: number; name: string; snaplen: number }[];
  packets: number;
  /** bytes captured (sum of captured lengths) */
  bytes: number;
  /** bytes the packets had on the wire */
  wire_bytes: number;
  file_bytes: number;
  first_ts: string | null;
  last_ts: string | null;
  duration_s: number | null;
  sha256: string;
  layers: { ipv4: number; ipv6: number; tcp: number; udp: number; other: number; fragments: number; reassembled: number; pcapdroid_trailers: number };
  unknown_linktypes: Record<string, number>;
  /** packets that could not be looked into, per link type and reason */
  not_decoded: NotDecoded[];
  anomalies: Record<string, number>;
  /** where reading stopped early, when the file is damaged */
  damage: { offset: number; frame: number; expected: string } | null;
  /** reading was stopped (Ctrl-C) before the end: the counts are of what was read */
  interrupted: boolean;
  /** pcapng Decryption Secrets Blocks: TLS key logs, and other types */
  decryption_secrets: { tls: number; other: number };
  /**
   * TLS/QUIC connections by what decryption came to, when keys were available (--keylog, or
   * keys embedded in the capture); null when there were none
   */
  decryption: { decrypted: number; no_key: number; failed: number } | null;
}

export async function captureInfo(
  source: string | NodeJS.ReadableStream,
  options: Pick<ScanOptions, 'name' | 'limits' | 'onProgress' | 'signal' | 'keyStore' | 'embeddedKeys' | 'stop'> = {},
): Promise<InfoRecord> {
  // decryption is counted only when there are keys: that needs the whole pipeline, not just decoding
  const keys = await prepareCaptureKeys(source, options, options.limits ?? resolveLimits());
  // (a capture read from a pipe is read once: its own DSBs cannot be known before, so without
  // --keylog it is only decoded)
  const withKeys = keys !== undefined && !keys.empty;
  const decryption = withKeys ? { decrypted: 0, no_key: 0, failed: 0 } : null;
  const res = await scanCapture(source, {
    ...options,
    decodeOnly: !withKeys,
    keys: withKeys ? keys : undefined,
    onFlowClose:
      decryption === null
        ? undefined
        : (_flow, extra) => {
            if (extra.decryption) decryption[extra.decryption]++;
          },
  });
  const { read, layers } = res;
  const digits = read.header.tsPrecision === 'us' ? 6 : 9;
  const ts = (t: { sec: number; nsec: number } | null) => (t ? formatTimestamp(t.sec, t.nsec, digits) : null);
  const duration = read.firstTs && read.lastTs ? read.lastTs.sec - read.firstTs.sec + (read.lastTs.nsec - read.firstTs.nsec) / 1e9 : null;
  const unknown: Record<string, number> = {};
  for (const [lt, n] of [...layers.unknownLinkTypes.entries()].sort((a, b) => a[0] - b[0])) unknown[String(lt)] = n;
  return {
    file: res.name,
    format: read.header.format,
    byte_order: read.header.byteOrder,
    compression: read.header.compression,
    version: read.header.version,
    ts_precision: read.header.tsPrecision,
    linktypes: read.header.interfaces.map((i, n) => ({ interface: n, linktype: i.linkType, name: linkTypeName(i.linkType), snaplen: i.snaplen })),
    packets: read.frames,
    bytes: read.capturedBytes,
    wire_bytes: read.wireBytes,
    file_bytes: read.fileBytes,
    first_ts: ts(read.firstTs),
    last_ts: ts(read.lastTs),
    duration_s: duration === null ? null : Math.round(duration * 1e6) / 1e6,
    sha256: read.sha256,
    layers: {
      ipv4: layers.ipv4,
      ipv6: layers.ipv6,
      tcp: layers.tcp,
      udp: layers.udp,
      other: layers.other,
      fragments: layers.fragments,
      reassembled: layers.reassembled,
      pcapdroid_trailers: layers.pcapdroidTrailers,
    },
    unknown_linktypes: unknown,
    not_decoded: res.notDecoded,
    anomalies: res.anomalies.countsObject(),
    damage: read.damage ? { offset: read.damage.offset, frame: read.damage.frame, expected: read.damage.expected } : null,
    interrupted: read.interrupted,
    decryption_secrets: { ...read.secrets },
    decryption,
  };
}
