/**
 * Shared pieces of the malformed-input suite: small captures built with the project's own
 * builders, an in-memory scan that never rejects, and a CLI runner with a hang timeout.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { scanCapture, type ScanResult } from '../../src/engine/scan.js';
import type { Observation } from '../../src/engine/observations.js';
import { PcapWriter, concatBytes } from '../../src/capture/writer.js';
import { ETHERTYPE, IP_PROTO, ethernet, ipv4, tcp, tcpFlags, udp } from '../../test-support/synth/packets.js';
import { REPO_ROOT } from '../helpers/paths.js';

export const CLIENT = '192.0.2.10';
export const SERVER = '198.51.100.20';
export const T0 = 1_588_327_200; // 2020-05-01T10:00:00Z

export interface Scanned {
  result?: ScanResult;
  error?: Error;
  observations: Observation[];
}

/** scanCapture over bytes in memory; returns the error instead of rejecting */
export async function scanBytes(bytes: Uint8Array): Promise<Scanned> {
  const observations: Observation[] = [];
  try {
    const result = await scanCapture(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), {
      name: 't.pcap',
      onObservation: (o) => observations.push(o),
    });
    return { result, observations };
  } catch (error) {
    return { error: error as Error, observations };
  }
}

/** A classic pcap (µs, LE, Ethernet unless told) of the given frames, 1 ms apart. */
export function pcapOf(frames: Uint8Array[], linkType = 1): Uint8Array {
  const w = new PcapWriter({ linkType });
  return concatBytes([w.header(), ...frames.map((data, i) => w.packet({ tsSec: T0, tsNsec: i * 1_000_000, data }))]);
}

/** Frames of one TCP conversation between CLIENT:cport and SERVER:sport. */
export class TcpConversation {
  cseq: number;
  sseq: number;
  readonly frames: Uint8Array[] = [];
  constructor(
    readonly cport = 40000,
    readonly sport = 80,
    isn = 1000,
  ) {
    this.cseq = isn;
    this.sseq = 50000;
  }
  handshake(): this {
    this.frames.push(this.segment(true, tcpFlags.SYN, new Uint8Array(0), this.cseq, 0));
    this.frames.push(this.segment(false, tcpFlags.SYN | tcpFlags.ACK, new Uint8Array(0), this.sseq, this.cseq + 1));
    this.cseq++;
    this.sseq++;
    this.frames.push(this.segment(true, tcpFlags.ACK, new Uint8Array(0), this.cseq, this.sseq));
    return this;
  }
  /** data from the client at the current sequence number (advancing it) */
  client(data: Uint8Array | string, flags = tcpFlags.ACK | tcpFlags.PSH): this {
    const d = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.frames.push(this.segment(true, flags, d, this.cseq, this.sseq));
    this.cseq = (this.cseq + d.length + (flags & tcpFlags.FIN ? 1 : 0)) >>> 0;
    return this;
  }
  server(data: Uint8Array | string, flags = tcpFlags.ACK | tcpFlags.PSH): this {
    const d = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.frames.push(this.segment(false, flags, d, this.sseq, this.cseq));
    this.sseq = (this.sseq + d.length + (flags & tcpFlags.FIN ? 1 : 0)) >>> 0;
    return this;
  }
  /** one segment with explicit numbers (sequence numbers not advanced) */
  segment(
    fromClient: boolean,
    flags: number,
    data: Uint8Array,
    seq: number,
    ack: number,
    extra: { dataOffset?: number; options?: Uint8Array } = {},
  ): Uint8Array {
    const src = fromClient ? CLIENT : SERVER;
    const dst = fromClient ? SERVER : CLIENT;
    const t = tcp(
      { sport: fromClient ? this.cport : this.sport, dport: fromClient ? this.sport : this.cport, seq: seq >>> 0, ack: ack >>> 0, flags, ...extra },
      data,
      { src, dst },
    );
    return ethernet({ type: ETHERTYPE.IPV4 }, ipv4({ src, dst, proto: IP_PROTO.TCP, flags: 2 }, t));
  }
  pcap(): Uint8Array {
    return pcapOf(this.frames);
  }
}

/** One UDP datagram as an Ethernet frame. */
export function udpFrame(fromClient: boolean, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const src = fromClient ? CLIENT : SERVER;
  const dst = fromClient ? SERVER : CLIENT;
  return ethernet({ type: ETHERTYPE.IPV4 }, ipv4({ src, dst, proto: IP_PROTO.UDP }, udp({ sport, dport }, payload, { src, dst })));
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs the built CLI (dist/, built by `npm test`'s pretest) with a timeout: the way to test for
 * hangs, which would otherwise block the test process itself.
 */
export function runCli(args: string[], timeoutMs = 20_000): CliRun {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run.js'), ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
  };
}

/** One comparable key per observation (type, frame, and the whole record). */
export function observationKeys(obs: readonly Observation[]): string[] {
  return obs.map((o) => JSON.stringify(o));
}
