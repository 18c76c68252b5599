/**
 * Hostile captures, generated on demand (bench/adversarial.mjs writes them to /tmp; they are
 * never committed): each aims at one resource a forensic tool must keep bounded.
 *
 * - syn-flood:  N SYN-only TCP flows, all live at once (flow table size, per-flow memory)
 * - gap-stream: one TCP stream whose sequence numbers jump ahead again and again, a little
 *               data after each jump, never acknowledged (out-of-order buffering, gap skipping)
 * - gzip-bomb:  one HTTP POST whose gzip body inflates to N bytes (decompression caps)
 * - pipelined:  N HTTP requests pipelined on one connection, N responses back (per-stream
 *               request state, observation volume)
 *
 * Every generator takes a `scale` (flows, gap bytes, inflated bytes, requests) so a run at half
 * the scale shows whether time and memory grow linearly. Deterministic: same scale, same bytes.
 */
import { createGzip } from 'node:zlib';
import { ETHERTYPE, IP_PROTO, ethernet, ipv4, tcp, tcpFlags } from './packets.js';
import { writePcapFile } from './pcap-file.js';
import { TrafficBuilder } from './session.js';

export interface WrittenCapture {
  bytes: number;
  frames: number;
}

export interface AdversarialCapture {
  name: string;
  /** what `scale` counts */
  unit: string;
  /** the scale the robustness table is measured at */
  fullScale: number;
  describe(scale: number): string;
  write(path: string, scale: number): Promise<WrittenCapture>;
}

const CLIENT_MAC = '02:00:5e:10:00:01';
const SERVER_MAC = '02:00:5e:10:00:02';
const SERVER = { ip: '198.51.100.80', port: 80 };
const START_SEC = 1_588_327_200; // 2020-05-01T10:00:00Z
const enc = new TextEncoder();

/** one Ethernet/IPv4/TCP frame */
function tcpFrame(src: string, sport: number, dst: string, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const ends = { src, dst };
  return ethernet(
    { src: CLIENT_MAC, dst: SERVER_MAC, type: ETHERTYPE.IPV4 },
    ipv4({ src, dst, proto: IP_PROTO.TCP, flags: 2 }, tcp({ sport, dport, seq: seq >>> 0, ack: ack >>> 0, flags }, payload, ends)),
  );
}

/** A capture clock advancing `stepNsec` per frame. */
class Clock {
  sec = START_SEC;
  nsec = 0;
  constructor(private readonly stepNsec: number) {}
  tick(): void {
    this.nsec += this.stepNsec;
    while (this.nsec >= 1e9) {
      this.nsec -= 1e9;
      this.sec++;
    }
  }
}

/**
 * `flows` SYNs from distinct client endpoints (10.0.x.1, ports 1024–65023) to one server, 20 µs
 * apart, so all of them are live (inside every idle timeout) when the capture ends.
 */
export function writeSynFlood(path: string, flows: number): Promise<WrittenCapture> {
  return writePcapFile(path, (sink) => {
    const clock = new Clock(20_000);
    const empty = new Uint8Array(0);
    for (let i = 0; i < flows; i++) {
      const host = Math.floor(i / 64_000);
      const src = `10.${(host >> 8) & 0xff}.${host & 0xff}.1`;
      const sport = 1024 + (i % 64_000);
      clock.tick();
      sink.write(clock.sec, clock.nsec, tcpFrame(src, sport, SERVER.ip, 443, Math.imul(i, 2654435761), 0, tcpFlags.SYN, empty));
    }
  });
}

/**
 * One connection (handshake, then the start of an HTTP request so the stream is recognised),
 * then `gapBytes` of sequence space skipped in jumps of `jump` bytes, `dataPerJump` bytes of
 * data after each jump, none of it acknowledged. A reassembler that waits for the holes to
 * fill must give up on them within its buffer caps.
 */
export function writeGapStream(path: string, gapBytes: number, jump = 1024 * 1024, dataPerJump = 64): Promise<WrittenCapture> {
  return writePcapFile(path, (sink) => {
    const clock = new Clock(100_000);
    const client = '192.0.2.10';
    const cport = 40_000;
    let cSeq = 0x7fff0000; // crosses 2^31 and, with a gigabyte of gaps, wraps past 2^32 too
    const sSeq = 0x10000000;
    const emit = (fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array) => {
      clock.tick();
      const f = fromClient
        ? tcpFrame(client, cport, SERVER.ip, SERVER.port, seq, ack, flags, payload)
        : tcpFrame(SERVER.ip, SERVER.port, client, cport, seq, ack, flags, payload);
      sink.write(clock.sec, clock.nsec, f);
    };
    emit(true, cSeq, 0, tcpFlags.SYN, new Uint8Array(0));
    emit(false, sSeq, cSeq + 1, tcpFlags.SYN | tcpFlags.ACK, new Uint8Array(0));
    cSeq = (cSeq + 1) >>> 0;
    emit(true, cSeq, sSeq + 1, tcpFlags.ACK, new Uint8Array(0));
    const head = enc.encode('POST /upload HTTP/1.1\r\nHost: gaps.example\r\nContent-Length: 4000000000\r\n\r\n');
    emit(true, cSeq, sSeq + 1, tcpFlags.ACK | tcpFlags.PSH, head);
    cSeq = (cSeq + head.length) >>> 0;
    const data = new Uint8Array(dataPerJump).fill(0x41);
    for (let skipped = 0; skipped < gapBytes; skipped += jump) {
      cSeq = (cSeq + jump) >>> 0;
      emit(true, cSeq, sSeq + 1, tcpFlags.ACK | tcpFlags.PSH, data);
      cSeq = (cSeq + dataPerJump) >>> 0;
    }
    emit(true, cSeq, sSeq + 1, tcpFlags.FIN | tcpFlags.ACK, new Uint8Array(0));
  });
}

/** gzip of `size` zero bytes, compressed as a stream (never holding the inflated bytes). */
export async function gzipZeros(size: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const block = Buffer.alloc(Math.min(size, 16 * 1024 * 1024));
  for (let left = size; left > 0; left -= block.length) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    if (!gz.write(piece)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(parts);
}

/**
 * One HTTP POST to a Sensors-Data-style endpoint whose body is gzip (Content-Encoding: gzip)
 * inflating to `inflatedBytes` zero bytes, and a 200 answer.
 */
export async function writeGzipBombRequest(path: string, inflatedBytes: number): Promise<WrittenCapture> {
  const body = await gzipZeros(inflatedBytes);
  const head = enc.encode(
    'POST /sa?project=bomb HTTP/1.1\r\nHost: bomb.example\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`,
  );
  const request = new Uint8Array(head.length + body.length);
  request.set(head, 0);
  request.set(body, head.length);
  const response = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  return writePcapFile(path, (sink) => {
    new TrafficBuilder(sink, START_SEC).tcpConnection({ ip: '192.0.2.20', port: 41_000 }, SERVER, [
      { from: 'client', data: request },
      { from: 'server', data: response },
    ]);
  });
}

/** `requests` GETs pipelined on one connection (all sent before any answer), then the answers. */
export function writePipelinedRequests(path: string, requests: number): Promise<WrittenCapture> {
  const ask: string[] = [];
  const answer: string[] = [];
  for (let i = 0; i < requests; i++) {
    ask.push(`GET /item/${i}?q=${i} HTTP/1.1\r\nHost: pipeline.example\r\nUser-Agent: adversarial\r\n\r\n`);
    answer.push(`HTTP/1.1 200 OK\r\nContent-Length: ${String(i).length}\r\n\r\n${i}`);
  }
  return writePcapFile(path, (sink) => {
    new TrafficBuilder(sink, START_SEC, 20_000).tcpConnection({ ip: '192.0.2.30', port: 42_000 }, SERVER, [
      { from: 'client', data: enc.encode(ask.join('')) },
      { from: 'server', data: enc.encode(answer.join('')) },
    ]);
  });
}

const MiB = 1024 * 1024;

export const ADVERSARIAL_CAPTURES: readonly AdversarialCapture[] = [
  { name: 'syn-flood', unit: 'flows', fullScale: 1_000_000, describe: (n) => `${n.toLocaleString('en-US')} SYN-only flows`, write: writeSynFlood },
  {
    name: 'gap-stream',
    unit: 'gap bytes',
    fullScale: 1024 * MiB,
    describe: (n) => `one stream, ${n / MiB} MiB of gaps in 1 MiB jumps, 64 B after each`,
    write: (p, n) => writeGapStream(p, n),
  },
  {
    name: 'gzip-bomb',
    unit: 'inflated bytes',
    fullScale: 1024 * MiB,
    describe: (n) => `HTTP POST, gzip body inflating to ${n / MiB} MiB`,
    write: writeGzipBombRequest,
  },
  {
    name: 'pipelined',
    unit: 'requests',
    fullScale: 10_000,
    describe: (n) => `${n.toLocaleString('en-US')} pipelined requests on one connection`,
    write: writePipelinedRequests,
  },
];
