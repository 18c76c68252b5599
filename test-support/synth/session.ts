/**
 * Turns conversations into frames: TCP connections (handshake, MSS-sized segments, ACKs,
 * FIN) and UDP exchanges between two endpoints, as Ethernet/IPv4 or IPv6 frames with a
 * capture clock. Used by the benchmark generator and the demo fixture; optionally reorders
 * and retransmits segments so the reassembler has real work to do.
 */
import { ETHERTYPE, IP_PROTO, ethernet, ipv4, ipv6, tcp, tcpFlags, udp } from './packets.js';

export interface FrameSink {
  write(tsSec: number, tsNsec: number, frame: Uint8Array): void;
}

export interface Endpoint {
  ip: string;
  port: number;
}

export interface Message {
  from: 'client' | 'server';
  data: Uint8Array;
}

export interface TcpOptionsSpec {
  /** payload bytes per segment (1448 for Ethernet with timestamps, 1460 without) */
  mss?: number;
  /** swap the order of the second and third data segments of the largest message */
  reorder?: boolean;
  /** send the first data segment of each message twice */
  retransmit?: boolean;
  /** end with RST instead of FIN */
  reset?: boolean;
}

const CLIENT_MAC = '02:00:5e:10:00:01';
const SERVER_MAC = '02:00:5e:10:00:02';

export class TrafficBuilder {
  private sec: number;
  private nsec = 0;
  private ipId = 1;

  constructor(
    private readonly sink: FrameSink,
    startSec: number,
    private readonly stepNsec = 50_000,
  ) {
    this.sec = startSec;
  }

  /** moves the capture clock forward */
  advance(nsec: number): void {
    this.nsec += nsec;
    while (this.nsec >= 1e9) {
      this.nsec -= 1e9;
      this.sec++;
    }
  }

  private emit(fromClient: boolean, l4: Uint8Array, proto: number, client: Endpoint, server: Endpoint): void {
    const src = fromClient ? client.ip : server.ip;
    const dst = fromClient ? server.ip : client.ip;
    const v6 = src.includes(':');
    const ip = v6 ? ipv6({ src, dst, nextHeader: proto }, l4) : ipv4({ src, dst, proto, id: this.ipId++ & 0xffff, flags: 2 }, l4);
    const frame = ethernet(
      { src: fromClient ? CLIENT_MAC : SERVER_MAC, dst: fromClient ? SERVER_MAC : CLIENT_MAC, type: v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4 },
      ip,
    );
    this.advance(this.stepNsec);
    this.sink.write(this.sec, this.nsec, frame);
  }

  /** A whole TCP connection carrying `messages` in order; returns the number of frames written. */
  tcpConnection(client: Endpoint, server: Endpoint, messages: Message[], opts: TcpOptionsSpec = {}): number {
    const mss = opts.mss ?? 1448;
    let frames = 0;
    let cSeq = (hash(client.ip, client.port) * 7919) >>> 0;
    let sSeq = (hash(server.ip, server.port) * 104729) >>> 0;
    const ends = { src: client.ip, dst: server.ip };
    const back = { src: server.ip, dst: client.ip };
    const seg = (fromClient: boolean, flags: number, payload: Uint8Array, seq: number, ack: number) => {
      const t = fromClient
        ? tcp({ sport: client.port, dport: server.port, seq, ack, flags }, payload, ends)
        : tcp({ sport: server.port, dport: client.port, seq, ack, flags }, payload, back);
      this.emit(fromClient, t, IP_PROTO.TCP, client, server);
      frames++;
    };
    seg(true, tcpFlags.SYN, EMPTY, cSeq, 0);
    seg(false, tcpFlags.SYN | tcpFlags.ACK, EMPTY, sSeq, (cSeq + 1) >>> 0);
    cSeq = (cSeq + 1) >>> 0;
    sSeq = (sSeq + 1) >>> 0;
    seg(true, tcpFlags.ACK, EMPTY, cSeq, sSeq);

    const largest = messages.reduce((best, m, i) => (m.data.length > (messages[best]?.data.length ?? -1) ? i : best), 0);
    messages.forEach((m, mi) => {
      const fromClient = m.from === 'client';
      const pieces: [number, Uint8Array][] = [];
      let seq = fromClient ? cSeq : sSeq;
      for (let off = 0; off < m.data.length; off += mss) {
        const piece = m.data.subarray(off, Math.min(m.data.length, off + mss));
        pieces.push([seq, piece]);
        seq = (seq + piece.length) >>> 0;
      }
      if (opts.reorder && mi === largest && pieces.length >= 3) [pieces[1], pieces[2]] = [pieces[2], pieces[1]];
      // the receiver acknowledges the contiguous bytes it has, every other segment (delayed ACKs)
      let expected = fromClient ? cSeq : sSeq;
      const early = new Map<number, number>();
      pieces.forEach(([s, piece], i) => {
        seg(fromClient, tcpFlags.ACK | tcpFlags.PSH, piece, s, fromClient ? sSeq : cSeq);
        if (opts.retransmit && i === 0) seg(fromClient, tcpFlags.ACK | tcpFlags.PSH, piece, s, fromClient ? sSeq : cSeq);
        if (s === expected) {
          expected = (s + piece.length) >>> 0;
          for (let next = early.get(expected); next !== undefined; next = early.get(expected)) {
            early.delete(expected);
            expected = next;
          }
        } else {
          early.set(s, (s + piece.length) >>> 0);
        }
        if (i % 2 === 1 || i === pieces.length - 1) seg(!fromClient, tcpFlags.ACK, EMPTY, fromClient ? sSeq : cSeq, expected);
      });
      if (fromClient) cSeq = seq;
      else sSeq = seq;
    });

    if (opts.reset) {
      seg(true, tcpFlags.RST | tcpFlags.ACK, EMPTY, cSeq, sSeq);
      return frames;
    }
    seg(true, tcpFlags.FIN | tcpFlags.ACK, EMPTY, cSeq, sSeq);
    seg(false, tcpFlags.FIN | tcpFlags.ACK, EMPTY, sSeq, (cSeq + 1) >>> 0);
    seg(true, tcpFlags.ACK, EMPTY, (cSeq + 1) >>> 0, (sSeq + 1) >>> 0);
    return frames;
  }

  /** UDP datagrams between two endpoints (a DNS query and its answer, say). */
  udpExchange(client: Endpoint, server: Endpoint, messages: Message[]): void {
    for (const m of messages) {
      const fromClient = m.from === 'client';
      const d = fromClient
        ? udp({ sport: client.port, dport: server.port }, m.data, { src: client.ip, dst: server.ip })
        : udp({ sport: server.port, dport: client.port }, m.data, { src: server.ip, dst: client.ip });
      this.emit(fromClient, d, IP_PROTO.UDP, client, server);
    }
  }
}

const EMPTY = new Uint8Array(0);

function hash(ip: string, port: number): number {
  let h = port;
  for (let i = 0; i < ip.length; i++) h = (h * 31 + ip.charCodeAt(i)) >>> 0;
  return h;
}
