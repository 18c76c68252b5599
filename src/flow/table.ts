/**
 * The bidirectional flow table: TCP streams and UDP flows keyed by their 5-tuple in either
 * direction, with client/server roles, per-direction counters, Zeek-style history, TCP
 * reassembly (flow/reassembly.ts) and bounded state (idle timeouts, a cap on live flows).
 *
 * Roles, decided once when a flow is created:
 *   1. TCP SYN without ACK: the sender is the client; SYN+ACK: the sender is the server.
 *   2. Otherwise by port: a port in KNOWN_SERVER_PORTS outranks a port below 1024, which
 *      outranks any other; the higher-ranked side is the server, the lower port on a tie.
 *   3. Otherwise the sender of the first packet is the client.
 *
 * Lifetime:
 * - A TCP stream starts closing on a RST, or once both sides sent a FIN (closeReason 'rst' /
 *   'fin'); it stays tcpCloseLingerSec (capture time) for trailing ACKs and retransmissions.
 * - A SYN (without ACK) on a stream that saw a FIN or RST, with a different ISN from the
 *   client's, is port reuse: the old stream is closed and a new one (new id) begins.
 * - A flow idle longer than tcpIdleTimeoutSec / udpIdleTimeoutSec is closed ('idle'). Idle
 *   flows are swept lazily, at most once per second of capture time, walking least-recently-
 *   used lists from their oldest end (so the sweep costs only what it expires); a packet that
 *   finds its flow expired also closes it first.
 * - At most limits.maxFlows live flows: beyond it the least recently active is closed
 *   ('evicted', `limit_reached` maxFlows).
 * - Ids are 0-based in order of creation, counted separately for TCP (tshark's tcp.stream)
 *   and UDP.
 *
 * Per packet nothing is allocated for a known flow: the key is a numeric hash of the address
 * bytes and ports, compared byte by byte within its bucket; strings are built for new flows only.
 * A flow that never carries a byte (a SYN flood, a port scan) stays small: its addresses live
 * in one shared slab, and its half-streams and handler are created when first needed.
 */
import type { AnomalySink } from '../anomaly.js';
import type { PacketMeta } from '../capture/frame.js';
import type { Limits } from '../limits.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from '../decode/packet.js';
import { formatIp } from '../decode/addr.js';
import { AddressSlab } from './address-slab.js';
import { Dir } from './dir.js';
import { Flow, FlowList, LIST_CLOSING, LIST_TCP, LIST_UDP } from './flow.js';
import type { FlowHandler, FlowInfo } from './flow-info.js';
import { HistoryEvent } from './history.js';
import type { ReassemblyShared } from './reassembly.js';
import { seqAdd } from './seq.js';

export { Dir } from './dir.js';

export type { FlowHandler, FlowInfo } from './flow-info.js';

export interface FlowTableStats {
  tcpStreams: number;
  udpFlows: number;
  evicted: number;
  liveFlows: number;
}

/** Ports that name the server side whichever packet is seen first (DNS, HTTP, TLS and their alternates; XMPP/MiPush 5222). */
export const KNOWN_SERVER_PORTS: ReadonlySet<number> = new Set([53, 80, 443, 5222, 8080, 8443, 18080, 18443, 18053]);

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** 0 = no server evidence, 1 = a port below 1024, 2 = a known server port */
function serverRank(port: number): number {
  return KNOWN_SERVER_PORTS.has(port) ? 2 : port < 1024 ? 1 : 0;
}

/** True when the packet's sender is the client, for a packet that creates a flow. */
export function senderIsClient(tcp: boolean, flags: number, srcPort: number, dstPort: number): boolean {
  if (tcp && flags & TCP_SYN) return (flags & TCP_ACK) === 0;
  const src = serverRank(srcPort),
    dst = serverRank(dstPort);
  if (src !== dst) return dst > src;
  if (src > 0 && srcPort !== dstPort) return dstPort < srcPort;
  return true;
}

/** Hash of one endpoint (address bytes and port), FNV-1a style with a per-table seed. */
function endpointHash(buf: Uint8Array, off: number, len: number, port: number, seed: number): number {
  let h = seed;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[off + i], 0x01000193);
  return Math.imul(h ^ port, 0x01000193);
}

/** IP bytes of the packet as its header reports them (Zeek's ip_bytes). */
function ipPacketBytes(pkt: DecodedPacket, wireBytes: number): number {
  const b = pkt.buf,
    o = pkt.ipOff;
  if (pkt.ipVersion === 4) {
    if (o + 4 <= pkt.frameEnd) {
      const total = (b[o + 2] << 8) | b[o + 3];
      if (total > 0) return total;
    }
  } else if (o + 6 <= pkt.frameEnd) {
    const payload = (b[o + 4] << 8) | b[o + 5];
    if (payload > 0) return 40 + payload;
  }
  // a zero length field (segmentation offload, jumbogram): what the wire carried from the IP header on
  return Math.max(0, pkt.reassembled ? pkt.frameEnd - o : wireBytes - (o - pkt.frameStart));
}

/** Transport payload length as reported (larger than the captured part when the snaplen cut it). */
function reportedPayloadLength(pkt: DecodedPacket, captured: number, ipBytes: number): number {
  if (!pkt.truncated) return captured;
  return Math.max(captured, pkt.ipOff + ipBytes - pkt.payloadOff);
}

export class FlowTable {
  readonly stats: FlowTableStats = { tcpStreams: 0, udpFlows: 0, evicted: 0, liveFlows: 0 };

  private readonly buckets = new Map<number, Flow[]>();
  private readonly addresses = new AddressSlab();
  private readonly lists = [new FlowList(), new FlowList(), new FlowList()];
  private readonly shared: ReassemblyShared;
  /** hash seed: crafted captures cannot aim many flows at one bucket */
  private readonly seed = (Math.random() * 0x100000000) >>> 0;
  private lastSweepSec = -Infinity;
  private created = 0;
  /** direction of the packet `matches` last matched (avoids returning a pair) */
  private lookupDir: Dir = Dir.ToServer;
  /** the flow of the last packet, while it is live */
  private lastFlow: Flow | null = null;
  /** the packet a closing flow's last bytes are delivered with: its own last packet */
  private readonly closeMeta: PacketMeta = { frame: 0, tsSec: 0, tsNsec: 0, wireLen: 0 };

  constructor(
    private readonly limits: Limits,
    private readonly anomalies: AnomalySink,
    private readonly newHandler: (flow: FlowInfo) => FlowHandler,
  ) {
    this.shared = { limits, anomalies, bufferedTotal: 0 };
  }

  /** Out-of-order bytes buffered across all streams right now. */
  get bufferedBytes(): number {
    return this.shared.bufferedTotal;
  }

  /** one decoded packet (TCP or UDP with transportOk; others ignored) */
  onPacket(pkt: DecodedPacket, meta: PacketMeta): void {
    const tsSec = meta.tsSec,
      tsNsec = meta.tsNsec;
    if (!pkt.transportOk || pkt.ipVersion === 0) return;
    const proto = pkt.ipProto;
    if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return;
    const tcp = proto === IPPROTO_TCP;
    const addrLen = pkt.ipVersion === 4 ? 4 : 16;
    const buf = pkt.buf;
    if (pkt.srcAddrOff + addrLen > pkt.frameEnd || pkt.dstAddrOff + addrLen > pkt.frameEnd) return; // decoder bug guard

    if (tsSec > this.lastSweepSec) {
      this.lastSweepSec = tsSec;
      this.expireIdle(tsSec, tsNsec);
    }

    // most packets belong to the flow of the packet before (a download, a burst): that one is
    // compared first, without hashing
    const last = this.lastFlow;
    let flow: Flow | undefined;
    let hash: number;
    if (last !== null && this.matches(last, pkt, addrLen, tcp)) {
      flow = last;
      hash = last.hash; // the same 5-tuple: the same hash
    } else {
      hash = this.flowHash(pkt, addrLen, proto);
      flow = this.lookup(hash, pkt, addrLen, tcp);
    }
    let dir = this.lookupDir;
    if (flow !== undefined) {
      if (this.isExpired(flow, tsSec, tsNsec)) {
        this.close(flow, 'idle');
        flow = undefined;
      } else if (tcp && this.isPortReuse(flow, dir, pkt)) {
        this.close(flow, 'fin');
        flow = undefined;
      }
    }
    if (flow === undefined) {
      flow = this.create(pkt, addrLen, tcp, hash, meta);
      if (flow === undefined) return;
      dir = Dir.ToServer;
      if (!this.addresses.matches(flow.addressSlot, false, buf, pkt.srcAddrOff, addrLen) || flow.info.clientPort !== pkt.srcPort) dir = Dir.ToClient;
    }

    this.lastFlow = flow;
    const info = flow.info;
    if (info.app === null && pkt.app !== null) {
      info.app = pkt.app;
      info.appUid = pkt.appUid;
    }
    const ipBytes = ipPacketBytes(pkt, meta.wireLen);
    const captured = Math.max(0, Math.min(pkt.payloadEnd, pkt.frameEnd) - pkt.payloadOff);
    const payloadLen = reportedPayloadLength(pkt, captured, ipBytes);
    if (dir === Dir.ToServer) {
      info.packetsToServer++;
      info.bytesToServer += ipBytes;
      info.payloadToServer += payloadLen;
    } else {
      info.packetsToClient++;
      info.bytesToClient += ipBytes;
      info.payloadToClient += payloadLen;
    }
    info.lastFrame = meta.frame;
    info.lastSec = tsSec;
    info.lastNsec = tsNsec;
    const list = this.lists[flow.list];
    if (list.tail !== flow) {
      // most packets belong to the flow that sent the previous one: it is already the newest
      list.remove(flow);
      list.append(flow);
    }

    if (tcp) this.tcpSegment(flow, dir, pkt, captured, payloadLen, meta);
    else this.udpDatagram(flow, dir, pkt, captured, payloadLen, meta);
  }

  /** end of capture: deliver what can be delivered (gaps reported), close every flow (closeReason 'end') in order of creation (id order per protocol) */
  finish(): void {
    const all: Flow[] = [];
    for (const list of this.lists) for (let f = list.head; f !== null; f = f.next) all.push(f);
    all.sort((a, b) => a.order - b.order);
    for (const f of all) this.close(f, 'end');
  }

  // --- packets -------------------------------------------------------------------------

  private tcpSegment(flow: Flow, dir: Dir, pkt: DecodedPacket, captured: number, payloadLen: number, meta: PacketMeta): void {
    const flags = pkt.tcpFlags;
    flow.history.addTcpSegment(dir, flags, payloadLen, pkt.tcpWindow);

    if (flags & TCP_RST) {
      // A RST's sequence number and payload (a diagnostic text at most) are not stream data.
      flow.rstSeen = true;
      this.startClosing(flow, 'rst');
      return;
    }
    // the ACK says what the sender had received before it sent this segment: holes it
    // acknowledges in the other direction are reported before this segment's data (so a
    // request's data comes after the end of the response it followed, lost or not)
    if (flags & TCP_ACK) flow.peerAck(dir === Dir.ToServer ? Dir.ToClient : Dir.ToServer, pkt.tcpAck, meta);
    let seq = pkt.tcpSeq;
    if (flags & TCP_SYN) {
      flow.syn(dir, seq);
      seq = seqAdd(seq, 1); // data on a SYN (TCP Fast Open) follows the ISN
    }
    // a bare SYN (no payload, no FIN) is all most flows of a flood or scan ever send: it is
    // remembered without a half-stream; any other segment needs one (even a pure ACK fixes
    // where a stream whose start was not captured begins)
    if (!(flags & TCP_SYN) || captured > 0 || flags & TCP_FIN || flow.existingHalf(dir) !== null) {
      const half = flow.half(dir);
      half.segment(seq, pkt.buf, pkt.payloadOff, captured, meta);
      if (flags & TCP_FIN) {
        half.fin(seqAdd(seq, payloadLen));
        flow.finMask |= 1 << dir;
        if (flow.finMask === 3) this.startClosing(flow, 'fin');
      }
    }
  }

  private udpDatagram(flow: Flow, dir: Dir, pkt: DecodedPacket, captured: number, payloadLen: number, meta: PacketMeta): void {
    if (payloadLen > 0) flow.history.add(dir, HistoryEvent.Data);
    const wanted = dir === Dir.ToServer ? flow.udpWanted0 : flow.udpWanted1;
    if (!wanted) return;
    if (!flow.handler().wants(dir)) {
      if (dir === Dir.ToServer) flow.udpWanted0 = false;
      else flow.udpWanted1 = false;
      return;
    }
    flow.handler().onDatagram(dir, pkt.buf.subarray(pkt.payloadOff, pkt.payloadOff + captured), meta);
  }

  // --- lookup and creation -------------------------------------------------------------

  /** Symmetric in the two endpoints, so both directions land in the same bucket. */
  private flowHash(pkt: DecodedPacket, addrLen: number, proto: number): number {
    const a = endpointHash(pkt.buf, pkt.srcAddrOff, addrLen, pkt.srcPort, this.seed);
    const b = endpointHash(pkt.buf, pkt.dstAddrOff, addrLen, pkt.dstPort, this.seed);
    return Math.imul((a ^ b) + proto, 0x9e3779b1) | 0;
  }

  /** The live flow of the packet (its direction in lookupDir), or undefined. */
  private lookup(hash: number, pkt: DecodedPacket, addrLen: number, tcp: boolean): Flow | undefined {
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) {
      const f = bucket[i];
      if (this.matches(f, pkt, addrLen, tcp)) return f;
    }
    return undefined;
  }

  /** Whether the packet belongs to flow `f`; if so, its direction is left in lookupDir. */
  private matches(f: Flow, pkt: DecodedPacket, addrLen: number, tcp: boolean): boolean {
    if (f.tcp !== tcp || f.addressLength !== addrLen) return false;
    const info = f.info;
    const slab = this.addresses;
    const buf = pkt.buf;
    if (
      info.clientPort === pkt.srcPort &&
      info.serverPort === pkt.dstPort &&
      slab.matches(f.addressSlot, false, buf, pkt.srcAddrOff, addrLen) &&
      slab.matches(f.addressSlot, true, buf, pkt.dstAddrOff, addrLen)
    ) {
      this.lookupDir = Dir.ToServer;
      return true;
    }
    if (
      info.clientPort === pkt.dstPort &&
      info.serverPort === pkt.srcPort &&
      slab.matches(f.addressSlot, false, buf, pkt.dstAddrOff, addrLen) &&
      slab.matches(f.addressSlot, true, buf, pkt.srcAddrOff, addrLen)
    ) {
      this.lookupDir = Dir.ToClient;
      return true;
    }
    return false;
  }

  private isPortReuse(flow: Flow, dir: Dir, pkt: DecodedPacket): boolean {
    if ((pkt.tcpFlags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return false;
    if (!flow.rstSeen && flow.finMask === 0) return false;
    // after a RST the connection is gone: a SYN, even with the old ISN, is a new attempt
    // (suricata-verify base64-decode-5885: SYN, RST, then the same SYN again and a ClientHello)
    if (flow.rstSeen) return true;
    return pkt.tcpSeq !== flow.isn(dir); // after FINs, the same ISN again is a retransmitted SYN
  }

  private create(pkt: DecodedPacket, addrLen: number, tcp: boolean, hash: number, meta: PacketMeta): Flow | undefined {
    if (this.limits.maxFlows <= 0) return undefined;
    while (this.stats.liveFlows >= this.limits.maxFlows) if (!this.evictIdlest()) break;

    const buf = pkt.buf;
    const version = pkt.ipVersion as 4 | 6;
    const fromClient = senderIsClient(tcp, pkt.tcpFlags, pkt.srcPort, pkt.dstPort);
    const cOff = fromClient ? pkt.srcAddrOff : pkt.dstAddrOff;
    const sOff = fromClient ? pkt.dstAddrOff : pkt.srcAddrOff;
    const info: FlowInfo = {
      id: tcp ? this.stats.tcpStreams++ : this.stats.udpFlows++,
      proto: tcp ? 'tcp' : 'udp',
      ipVersion: version,
      client: formatIp(buf, cOff, version),
      clientPort: fromClient ? pkt.srcPort : pkt.dstPort,
      server: formatIp(buf, sOff, version),
      serverPort: fromClient ? pkt.dstPort : pkt.srcPort,
      firstFrame: meta.frame,
      lastFrame: meta.frame,
      firstSec: meta.tsSec,
      firstNsec: meta.tsNsec,
      lastSec: meta.tsSec,
      lastNsec: meta.tsNsec,
      packetsToServer: 0,
      packetsToClient: 0,
      bytesToServer: 0,
      bytesToClient: 0,
      payloadToServer: 0,
      payloadToClient: 0,
      history: '',
      missedBytes: 0,
      retransmittedBytes: 0,
      closeReason: null,
      app: null,
      appUid: null,
    };
    const slot = this.addresses.alloc(buf, cOff, sOff, addrLen);
    const flow = new Flow(info, tcp, slot, addrLen, hash, this.created++, this.shared, this.newHandler);

    const bucket = this.buckets.get(hash);
    // most buckets only ever hold one flow: an array literal of one, not an empty one grown by push
    if (bucket === undefined) this.buckets.set(hash, [flow]);
    else bucket.push(flow);
    flow.list = tcp ? LIST_TCP : LIST_UDP;
    this.lists[flow.list].append(flow);
    this.stats.liveFlows++;
    return flow;
  }

  // --- closing -------------------------------------------------------------------------

  private startClosing(flow: Flow, reason: 'fin' | 'rst'): void {
    if (flow.closing) return;
    flow.closing = true;
    flow.info.closeReason = reason;
    this.lists[flow.list].remove(flow);
    flow.list = LIST_CLOSING;
    this.lists[LIST_CLOSING].append(flow);
  }

  private timeoutOf(flow: Flow): number {
    return flow.list === LIST_UDP ? this.limits.udpIdleTimeoutSec : flow.list === LIST_TCP ? this.limits.tcpIdleTimeoutSec : this.limits.tcpCloseLingerSec;
  }

  private isExpired(flow: Flow, tsSec: number, tsNsec: number): boolean {
    const info = flow.info;
    const timeout = this.timeoutOf(flow);
    const seconds = tsSec - info.lastSec;
    // the nanoseconds move the difference by less than a second either way: most packets are
    // decided on whole seconds, without the division
    if (seconds <= timeout - 1) return false;
    return seconds + (tsNsec - info.lastNsec) / 1e9 > timeout;
  }

  /** Closes flows idle past their timeout; each list is in order of last activity, oldest first. */
  private expireIdle(tsSec: number, tsNsec: number): void {
    for (const list of this.lists) {
      while (list.head !== null && this.isExpired(list.head, tsSec, tsNsec)) this.close(list.head, 'idle');
    }
  }

  private evictIdlest(): boolean {
    let oldest: Flow | null = null;
    for (const list of this.lists) {
      const h = list.head;
      if (h === null) continue;
      if (oldest === null || h.info.lastSec < oldest.info.lastSec || (h.info.lastSec === oldest.info.lastSec && h.info.lastNsec < oldest.info.lastNsec))
        oldest = h;
    }
    if (oldest === null) return false;
    this.anomalies.anomaly('limit_reached', 0, 'maxFlows', oldest.info);
    this.stats.evicted++;
    this.close(oldest, 'evicted');
    return true;
  }

  /** Delivers what is left, removes the flow and tells its handler. A reason already set (fin/rst) is kept. */
  private close(flow: Flow, reason: NonNullable<FlowInfo['closeReason']>): void {
    const info = flow.info;
    if (flow.tcp) {
      const meta = this.closeMeta;
      meta.frame = info.lastFrame;
      meta.tsSec = info.lastSec;
      meta.tsNsec = info.lastNsec;
      flow.flushHalves(meta);
    }
    if (info.closeReason === null) info.closeReason = reason;

    const bucket = this.buckets.get(flow.hash);
    if (bucket !== undefined) {
      const i = bucket.indexOf(flow);
      if (i >= 0) bucket.splice(i, 1);
      if (bucket.length === 0) this.buckets.delete(flow.hash);
    }
    this.lists[flow.list].remove(flow);
    this.addresses.release(flow.addressSlot);
    this.stats.liveFlows--;
    if (this.lastFlow === flow) this.lastFlow = null;
    flow.handler().onClose(info);
  }
}
