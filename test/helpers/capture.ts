/**
 * Frames and transport segments of a capture file, read by the project's own reader
 * (CaptureParser, synchronous) and decoder: tests take their bytes from real captures with
 * the real parts, not a reader of their own.
 */
import { readFileSync } from 'node:fs';
import { AnomalyLog } from '../../src/anomaly.js';
import { CaptureParser } from '../../src/capture/parser.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { formatIp } from '../../src/decode/addr.js';
import { resolveLimits } from '../../src/limits.js';

export interface TestFrame {
  index: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  origlen: number;
  /** a copy: the reader's views are valid only during its callback */
  data: Uint8Array;
}

/** Every frame of a pcap or pcapng file (gzip too), in file order. */
export function readFramesSync(file: string): TestFrame[] {
  const frames: TestFrame[] = [];
  const parser = new CaptureParser(file, (f) => {
    frames.push({ index: f.index, tsSec: f.tsSec, tsNsec: f.tsNsec, linkType: f.linkType, origlen: f.origlen, data: Uint8Array.prototype.slice.call(f.data) });
  });
  parser.push(readFileSync(file));
  parser.end();
  return frames;
}

export interface TestSegment {
  frame: number;
  proto: 6 | 17;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  flags: number;
  /** the transport payload as captured (a copy) */
  payload: Uint8Array;
}

/** Every TCP/UDP packet of a capture (IP fragments joined, tunnels opened), in file order. */
export function readSegments(file: string): TestSegment[] {
  const decoder = new PacketDecoder(resolveLimits(), new AnomalyLog());
  const out: TestSegment[] = [];
  for (const f of readFramesSync(file)) {
    const p = decoder.decode(f.data, f.linkType, f.tsSec);
    if (!p.transportOk || (p.ipProto !== 6 && p.ipProto !== 17) || p.ipVersion === 0) continue;
    out.push({
      frame: f.index,
      proto: p.ipProto,
      src: formatIp(p.buf, p.srcAddrOff, p.ipVersion),
      dst: formatIp(p.buf, p.dstAddrOff, p.ipVersion),
      sport: p.srcPort,
      dport: p.dstPort,
      seq: p.ipProto === 6 ? p.tcpSeq : 0,
      flags: p.ipProto === 6 ? p.tcpFlags : 0,
      payload: p.buf.slice(p.payloadOff, p.payloadEnd),
    });
  }
  return out;
}
