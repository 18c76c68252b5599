/**
 * Test helpers for the flow table: DecodedPacket objects built by hand over real IPv4/IPv6
 * header bytes (so the table's reads of the IP length fields see real values), a handler that
 * records every call, and frames of the shared captures through the project's reader and decoder.
 */
import { AnomalyLog } from '../../../src/anomaly.js';
import { PacketDecoder } from '../../../src/decode/decoder.js';
import { resolveLimits } from '../../../src/limits.js';
import { createDecodedPacket, type DecodedPacket } from '../../../src/decode/packet.js';
import { Dir, type FlowHandler, type FlowInfo } from '../../../src/flow/table.js';
import type { PacketMeta } from '../../../src/capture/frame.js';

export const FLAG = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 } as const;

/** 'SA' → SYN|ACK */
export function flagBits(flags: string): number {
  let f = 0;
  for (const c of flags) f |= FLAG[c as keyof typeof FLAG];
  return f;
}

export interface PacketSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto?: 'tcp' | 'udp';
  seq?: number;
  ack?: number;
  flags?: string;
  window?: number;
  payload?: string | Uint8Array;
  /** bytes of payload the "snaplen" kept (the rest is reported but not captured) */
  captured?: number;
}

function ipBytes(a: string): number[] {
  if (a.includes(':')) {
    const [head, tail] = a.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  }
  return a.split('.').map(Number);
}

/** A DecodedPacket over freshly built IPv4 or IPv6 + TCP/UDP bytes. */
export function packet(spec: PacketSpec): DecodedPacket {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const src = ipBytes(spec.src),
    dst = ipBytes(spec.dst);
  const v6 = src.length === 16;
  const tcp = (spec.proto ?? 'tcp') === 'tcp';
  const ipLen = v6 ? 40 : 20;
  const thLen = tcp ? 20 : 8;
  const reported = ipLen + thLen + payload.length;
  const captured = spec.captured ?? payload.length;
  const buf = new Uint8Array(ipLen + thLen + captured);
  if (v6) {
    buf[0] = 0x60;
    buf[4] = (reported - 40) >> 8;
    buf[5] = (reported - 40) & 0xff;
    buf[6] = tcp ? 6 : 17;
    buf[7] = 64;
    buf.set(src, 8);
    buf.set(dst, 24);
  } else {
    buf[0] = 0x45;
    buf[2] = reported >> 8;
    buf[3] = reported & 0xff;
    buf[8] = 64;
    buf[9] = tcp ? 6 : 17;
    buf.set(src, 12);
    buf.set(dst, 16);
  }
  const p = createDecodedPacket();
  p.buf = buf;
  p.frameStart = 0;
  p.frameEnd = buf.length;
  p.ipVersion = v6 ? 6 : 4;
  p.ipOff = 0;
  p.srcAddrOff = v6 ? 8 : 12;
  p.dstAddrOff = v6 ? 24 : 16;
  p.ipProto = tcp ? 6 : 17;
  p.transportOk = true;
  p.transportOff = ipLen;
  p.srcPort = spec.sport;
  p.dstPort = spec.dport;
  if (tcp) {
    p.tcpSeq = (spec.seq ?? 0) >>> 0;
    p.tcpAck = (spec.ack ?? 0) >>> 0;
    p.tcpFlags = flagBits(spec.flags ?? 'A');
    p.tcpWindow = spec.window ?? 65535;
  }
  p.payloadOff = ipLen + thLen;
  buf.set(payload.subarray(0, captured), p.payloadOff);
  p.payloadEnd = buf.length;
  p.truncated = captured < payload.length;
  return p;
}

export type Event =
  | { t: 'data'; dir: Dir; text: string; frame: number }
  | { t: 'gap'; dir: Dir; missed: number; frame: number }
  | { t: 'datagram'; dir: Dir; text: string; frame: number }
  | { t: 'close'; id: number; reason: FlowInfo['closeReason'] };

/** Records every call; `wantsDir` decides `wants` (default: always true). */
export class RecordingHandler implements FlowHandler {
  readonly events: Event[] = [];
  readonly data: [string, string] = ['', ''];
  wantsCalls = 0;
  constructor(
    readonly flow: FlowInfo,
    private readonly wantsDir: (dir: Dir, h: RecordingHandler) => boolean = () => true,
  ) {}
  onData(dir: Dir, buf: Uint8Array, from: number, to: number, { frame }: PacketMeta): void {
    const text = Buffer.from(buf.subarray(from, to)).toString('latin1');
    this.data[dir] += text;
    this.events.push({ t: 'data', dir, text, frame });
  }
  onGap(dir: Dir, missed: number, { frame }: PacketMeta): void {
    this.events.push({ t: 'gap', dir, missed, frame });
  }
  onDatagram(dir: Dir, bytes: Uint8Array, { frame }: PacketMeta): void {
    this.events.push({ t: 'datagram', dir, text: Buffer.from(bytes).toString('latin1'), frame });
  }
  wants(dir: Dir): boolean {
    this.wantsCalls++;
    return this.wantsDir(dir, this);
  }
  onClose(flow: FlowInfo): void {
    this.events.push({ t: 'close', id: flow.id, reason: flow.closeReason });
  }
}

export { Dir };

/** A packet's metadata as the scan loop hands it down (a new object here: tests keep none). */
export function meta(frame: number, tsSec = 0, tsNsec = 0, wireLen = 0): PacketMeta {
  return { frame, tsSec, tsNsec, wireLen };
}

/** Frames of a capture, read by the project's reader (test/helpers/capture.ts). */
export { readFramesSync as readPcapFrames } from '../../helpers/capture.js';

const simpleDecoder = new PacketDecoder(resolveLimits(), new AnomalyLog());
/** The project's decoder; null unless the frame carries TCP or UDP (the packet object is reused). */
export function decodeSimple(data: Uint8Array, linkType: number): DecodedPacket | null {
  const p = simpleDecoder.decode(data, linkType, 0);
  return p.transportOk && (p.ipProto === 6 || p.ipProto === 17) ? p : null;
}
