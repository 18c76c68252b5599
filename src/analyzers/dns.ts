/**
 * DNS over UDP and TCP: each answered query as one `dns` observation when its response
 * arrives (paired by message id), each unanswered one when the flow closes (rcode null).
 * mDNS and LLMNR are parsed but not reported: they are multicast name services, not the
 * resolver traffic the report is about.
 */
import type { PacketMeta } from '../capture/frame.js';
import { Dir } from '../flow/dir.js';
import { DnsTcpFramer, looksLikeDns, parseDnsMessage, type DnsMessage } from '../proto/dns.js';
import type { DnsObservation } from '../engine/observations.js';
import type { Analyzer, AnalyzerContext, DetectionRow, PacketTime, SniffHint } from './analyzer.js';

const MULTICAST_DNS_PORTS = new Set([5353, 5355]);
const DNS_PORTS = new Set([53, 5353, 5355]);

interface PendingQuery extends PacketTime {
  fromClient: boolean;
  msg: DnsMessage;
}

type Transport = 'udp' | 'tcp';

export class DnsAnalyzer implements Analyzer {
  private tcp?: { client: DnsTcpFramer; server: DnsTcpFramer };
  /** queries waiting for their response, by message id */
  private pending?: Map<number, PendingQuery>;
  private readonly multicast: boolean;
  /** the packet and direction being parsed (the framers call back synchronously) */
  private meta!: PacketMeta;
  private dir: Dir = Dir.ToServer;

  constructor(private readonly ctx: AnalyzerContext) {
    this.multicast = MULTICAST_DNS_PORTS.has(ctx.flow.serverPort) || MULTICAST_DNS_PORTS.has(ctx.flow.clientPort);
  }

  data(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    this.meta = meta;
    this.dir = dir;
    const { limits, anomalies } = this.ctx;
    this.tcp ??= {
      client: new DnsTcpFramer(limits, anomalies, (m) => this.message(m, 'tcp')),
      server: new DnsTcpFramer(limits, anomalies, (m) => this.message(m, 'tcp')),
    };
    (dir === Dir.ToServer ? this.tcp.client : this.tcp.server).push(buf.subarray(from, to));
  }

  /** a length prefix cannot be found again mid-stream */
  gap(dir: Dir, missed: number): void {
    if (this.tcp) (dir === Dir.ToServer ? this.tcp.client : this.tcp.server).gap(missed);
  }

  datagram(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void {
    this.meta = meta;
    this.dir = dir;
    const msg = parseDnsMessage(bytes, 0, bytes.length, this.ctx.limits, this.ctx.anomalies);
    if (msg) this.message(msg, 'udp');
  }

  wants(): boolean {
    return true;
  }

  close(): void {
    if (!this.pending) return;
    // queries that never got an answer are reported with rcode null, in the order sent
    for (const q of this.pending.values()) this.emit(q.msg, 'udp', q, q.fromClient, true);
    this.pending.clear();
  }

  private message(msg: DnsMessage, transport: Transport): void {
    if (this.multicast) return;
    const fromClient = this.dir === Dir.ToServer;
    const m = this.meta;
    if (!msg.isResponse) {
      if (msg.questions.length === 0) return;
      this.pending ??= new Map();
      if (this.pending.size >= this.ctx.limits.maxDnsRecords) return; // a query flood: keep the first ones
      this.pending.set(msg.id, { frame: m.frame, tsSec: m.tsSec, tsNsec: m.tsNsec, fromClient, msg });
      return;
    }
    // a resolver's flow lingers for the UDP timeout: an emptied map is not kept for it
    if (this.pending?.delete(msg.id) && this.pending.size === 0) this.pending = undefined;
    this.emit(msg, transport, m, fromClient, false);
  }

  private emit(msg: DnsMessage, transport: Transport, at: PacketTime, fromClient: boolean, unanswered: boolean): void {
    const q = msg.questions[0];
    const answers: string[] = [];
    const cnames: string[] = [];
    const svcb: string[] = [];
    if (!unanswered) {
      for (const rr of msg.answers) {
        if (rr.type === 5) cnames.push(rr.data);
        else if (rr.type === 64 || rr.type === 65) svcb.push(rr.data);
      }
      // addresses from every section, as tshark's dns.a/dns.aaaa (glue records included)
      for (const section of [msg.answers, msg.authorities, msg.additionals]) {
        for (const rr of section) if (rr.type === 1 || rr.type === 28) answers.push(rr.data);
      }
    }
    const obs: DnsObservation = {
      type: 'dns',
      ...this.ctx.base(fromClient ? Dir.ToServer : Dir.ToClient, at),
      transport,
      id: msg.id,
      qname: q ? q.name : '',
      qtype: q ? q.typeName : '',
      rcode: unanswered ? null : msg.rcodeName,
      answers,
      cnames,
      svcb,
    };
    this.ctx.emit(obs, unanswered ? undefined : { dns: msg });
  }
}

function isDnsPort(hint: SniffHint): boolean {
  return DNS_PORTS.has(hint.flow.serverPort) || DNS_PORTS.has(hint.flow.clientPort);
}

/** A 2-byte length prefix that covers exactly one plausible DNS message (RFC 1035 §4.2.2). */
function looksLikeDnsOverTcp(b: Uint8Array): boolean {
  if (b.length < 14) return false;
  const len = (b[0] << 8) | b[1];
  return len + 2 === b.length && looksLikeDns(b, 2, b.length);
}

export const DNS_TCP_ROW: DetectionRow = {
  name: 'dns',
  transport: 'tcp',
  // from the server: an answer whose query was not captured (the capture began mid-connection);
  // a length prefix cannot be found again after the client's start was lost
  sniff: (b, dir, hint) =>
    dir === Dir.ToClient ? isDnsPort(hint) && b.length >= 2 : !hint.clientStartLost && ((isDnsPort(hint) && b.length >= 2) || looksLikeDnsOverTcp(b)),
  create: (ctx) => new DnsAnalyzer(ctx),
};

export const DNS_UDP_ROW: DetectionRow = {
  name: 'dns',
  transport: 'udp',
  sniff: (b, _dir, hint) => isDnsPort(hint) || looksLikeDns(b, 0, b.length),
  create: (ctx) => new DnsAnalyzer(ctx),
};
