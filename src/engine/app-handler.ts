/**
 * Per-flow application dispatch: recognises the protocol of a TCP stream or UDP flow by its
 * content (not its port), feeds the right parsers and turns what they find into observations.
 * One instance per flow; the flow table calls it with reassembled, in-order bytes.
 */
import { IGNORE_ANOMALIES, type AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { Dir, type FlowHandler, type FlowInfo } from '../flow/table.js';
import { TlsStreamReader } from '../proto/tls-stream.js';
import {
  looksLikeTlsClientHello,
  offeredVersions,
  parseCertificateNames,
  parseClientHello,
  parseServerHello,
  tlsVersionName,
  type ClientHello,
} from '../proto/tls.js';
import { ja3, ja4 } from '../proto/ja4.js';
import { looksLikeQuicInitial, type QuicInitialTracker } from '../proto/quic.js';
import { HttpRequestParser, HttpResponseParser, looksLikeHttpRequest, type HttpRequest } from '../proto/http1.js';
import { DnsTcpFramer, looksLikeDns, parseDnsMessage, type DnsMessage } from '../proto/dns.js';
import { formatTimestamp } from '../capture/frame.js';
import type { DnsObservation, HttpObservation, Observation, ObservationBase, ObservationDetail, TlsObservation } from './observations.js';

/** What a stream turned out to carry. */
export type AppProtocol = 'tls' | 'http' | 'dns' | 'quic' | 'unknown' | 'none';

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;
const HANDSHAKE_CERTIFICATE = 11;

/** Client bytes inspected for a recognisable protocol before a stream is given up as opaque. */
const DETECTION_WINDOW_BYTES = 8 * 1024;

/** mDNS and LLMNR are multicast name services, not the resolver traffic the report is about. */
const MULTICAST_DNS_PORTS = new Set([5353, 5355]);
const DNS_PORTS = new Set([53, 5353, 5355]);

export interface FlowSummaryExtra {
  protocol: AppProtocol;
  /** bytes whose content could not be inspected (encrypted application data, unknown protocols) */
  opaqueBytes: number;
  opaqueReason: string | null;
}

/** Shared, per-capture state the handlers report into. */
export interface ScanContext {
  file: string;
  limits: Limits;
  anomalies: AnomalySink;
  quic: QuicInitialTracker;
  emit(obs: Observation, detail?: ObservationDetail): void;
  flowClosed(flow: FlowInfo, extra: FlowSummaryExtra): void;
}

interface PendingDnsQuery {
  frame: number;
  tsSec: number;
  tsNsec: number;
  fromClient: boolean;
  msg: DnsMessage;
}

/** Whether an HTTP request line starts in `b`, at its first byte or after a line feed. */
function httpRequestLineIn(b: Uint8Array): boolean {
  if (looksLikeHttpRequest(b, 0, b.length)) return true;
  for (let i = b.indexOf(0x0a); i >= 0 && i + 1 < b.length; i = b.indexOf(0x0a, i + 1)) {
    if (looksLikeHttpRequest(b, i + 1, b.length)) return true;
  }
  return false;
}

/** A 2-byte length prefix that covers exactly one plausible DNS message (RFC 1035 §4.2.2). */
function looksLikeDnsOverTcp(b: Uint8Array): boolean {
  if (b.length < 14) return false;
  const len = (b[0] << 8) | b[1];
  return len + 2 === b.length && looksLikeDns(b, 2, b.length);
}

export class AppHandler implements FlowHandler {
  protocol: AppProtocol = 'none';
  private clientBytesSeen = 0;
  private plaintextBytes = 0;

  private tls?: { client: TlsStreamReader; server: TlsStreamReader; version: string | null };
  private http?: { requests: HttpRequestParser; responses: HttpResponseParser; index: number; pendingFrames: number[] };
  private dnsTcp?: { client: DnsTcpFramer; server: DnsTcpFramer };
  private dnsPending?: Map<number, PendingDnsQuery>;
  private quicHelloSeen = false;
  /** the client's first bytes were lost: only HTTP can be recognised, at a later start line */
  private clientStartLost = false;

  // the frame and time of the bytes being parsed right now (parsers call back synchronously)
  private curFrame = 0;
  private curSec = 0;
  private curNsec = 0;
  private curDir: Dir = Dir.ToServer;

  constructor(private readonly flow: FlowInfo, private readonly ctx: ScanContext) {}

  wants(dir: Dir): boolean {
    switch (this.protocol) {
      case 'none':
        return true;
      case 'tls':
        // after the handshake goes encrypted there is nothing left to read
        return !(dir === Dir.ToServer ? this.tls!.client.encrypted || this.tls!.client.failed : this.tls!.server.encrypted || this.tls!.server.failed);
      case 'http':
        return dir === Dir.ToServer ? !this.http!.requests.failed : true;
      case 'dns':
        return true;
      case 'quic':
        // client Initials until the ClientHello is complete; the rest is encrypted
        return dir === Dir.ToServer && !this.quicHelloSeen;
      default:
        return false;
    }
  }

  onData(dir: Dir, buf: Uint8Array, from: number, to: number, frame: number, tsSec: number, tsNsec: number): void {
    this.curFrame = frame;
    this.curSec = tsSec;
    this.curNsec = tsNsec;
    this.curDir = dir;
    if (this.protocol === 'none') {
      if (dir === Dir.ToServer) this.detectTcp(buf.subarray(from, to));
      // a DNS answer whose query was not captured (the capture began mid-connection)
      else if (this.isDnsPort() && to - from >= 2) this.startDnsTcp();
      if (this.protocol === 'none') return; // otherwise wait for the client to speak first
    }
    this.plaintextBytes += to - from;
    switch (this.protocol) {
      case 'tls':
        (dir === Dir.ToServer ? this.tls!.client : this.tls!.server).push(buf.subarray(from, to));
        break;
      case 'http':
        (dir === Dir.ToServer ? this.http!.requests : this.http!.responses).pushRange(buf, from, to);
        break;
      case 'dns':
        (dir === Dir.ToServer ? this.dnsTcp!.client : this.dnsTcp!.server).push(buf.subarray(from, to));
        break;
      default:
        this.plaintextBytes -= to - from;
    }
  }

  onGap(dir: Dir, missedBytes: number, frame: number): void {
    switch (this.protocol) {
      case 'none':
        if (dir === Dir.ToServer) this.clientStartLost = true;
        break;
      case 'http':
        // HTTP keeps its place in a body of known length, or finds the next start line
        this.curFrame = frame;
        this.curDir = dir;
        (dir === Dir.ToServer ? this.http!.requests : this.http!.responses).gap(missedBytes);
        break;
      case 'tls':
        // TLS records and DNS-over-TCP length prefixes cannot be found again mid-stream
        (dir === Dir.ToServer ? this.tls!.client : this.tls!.server).gap(missedBytes);
        break;
      case 'dns':
        if (this.dnsTcp) (dir === Dir.ToServer ? this.dnsTcp.client : this.dnsTcp.server).gap(missedBytes);
        break;
      default:
        break;
    }
  }

  onDatagram(dir: Dir, bytes: Uint8Array, frame: number, tsSec: number, tsNsec: number): void {
    this.curFrame = frame;
    this.curSec = tsSec;
    this.curNsec = tsNsec;
    this.curDir = dir;
    const len = bytes.length;
    if (this.protocol === 'none' || this.protocol === 'unknown') {
      if (this.isDnsPort() || looksLikeDns(bytes, 0, len)) this.protocol = 'dns';
      else if (dir === Dir.ToServer && looksLikeQuicInitial(bytes, 0, len)) this.protocol = 'quic';
      else {
        this.protocol = 'unknown';
        return;
      }
    }
    if (this.protocol === 'dns') {
      const msg = parseDnsMessage(bytes, 0, len, this.ctx.limits, this.ctx.anomalies);
      if (msg) this.onDnsMessage(msg, 'udp');
    } else if (this.protocol === 'quic' && dir === Dir.ToServer) {
      const found = this.ctx.quic.onClientDatagram(bytes, 0, len);
      if (found) {
        this.quicHelloSeen = true;
        const ch = found.clientHello;
        this.ctx.emit({
          type: 'quic',
          ...this.base(Dir.ToServer),
          sni: ch.serverNames[0] ?? null,
          server_names: ch.serverNames,
          version: found.version,
          alpn: ch.alpn,
          versions: offeredVersions(ch),
          ja4: ja4(ch, 'q'),
          ech: ch.ech,
        });
      }
    }
  }

  onClose(flow: FlowInfo): void {
    this.http?.requests.end();
    this.http?.responses.end();
    if (this.dnsPending) {
      // queries that never got an answer are reported with rcode null, in the order sent
      for (const q of this.dnsPending.values()) this.emitDns(q.msg, 'udp', q.frame, q.tsSec, q.tsNsec, q.fromClient, true);
      this.dnsPending.clear();
    }
    const total = flow.payloadBytes[0] + flow.payloadBytes[1];
    const opaque = Math.max(0, total - this.plaintextBytes);
    let reason: string | null = null;
    if (opaque > 0) {
      reason =
        this.protocol === 'tls' ? 'tls_encrypted' :
        this.protocol === 'quic' ? 'quic_encrypted' :
        this.protocol === 'unknown' || this.protocol === 'none' ? 'unrecognised_protocol' :
        'not_parsed';
    }
    this.ctx.flowClosed(flow, { protocol: this.protocol, opaqueBytes: opaque, opaqueReason: reason });
  }

  // --- protocol detection -------------------------------------------------------------

  private detectTcp(bytes: Uint8Array): void {
    const len = bytes.length;
    if (this.clientStartLost) {
      // mid-stream, TLS records and DNS length prefixes cannot be found again; an HTTP request
      // line can (a lost segment must not hide the requests after it)
      if (httpRequestLineIn(bytes)) this.startHttp(true);
      else this.detectionFailed(len);
      return;
    }
    if (looksLikeTlsClientHello(bytes, 0, len)) this.startTls();
    else if (looksLikeHttpRequest(bytes, 0, len)) this.startHttp();
    else if ((this.isDnsPort() && len >= 2) || looksLikeDnsOverTcp(bytes)) this.startDnsTcp();
    else this.detectionFailed(len);
  }

  private detectionFailed(len: number): void {
    this.clientBytesSeen += len;
    if (this.clientBytesSeen >= DETECTION_WINDOW_BYTES) this.protocol = 'unknown';
  }

  private isDnsPort(): boolean {
    return DNS_PORTS.has(this.flow.serverPort) || DNS_PORTS.has(this.flow.clientPort);
  }

  private startTls(): void {
    this.protocol = 'tls';
    const { limits, anomalies } = this.ctx;
    this.tls = {
      client: new TlsStreamReader(limits, anomalies, (type, body, cut) => this.onClientHandshake(type, body, cut)),
      // a server message cut short by a gap is dropped: its version and names would be guesses
      server: new TlsStreamReader(limits, anomalies, (type, body, cut) => { if (!cut) this.onServerHandshake(type, body); }),
      version: null,
    };
  }

  /** `afterLoss`: the stream's start was lost, both directions begin at their next start line */
  private startHttp(afterLoss = false): void {
    this.protocol = 'http';
    const { limits, anomalies } = this.ctx;
    const state = {
      requests: new HttpRequestParser(limits, anomalies, (req) => this.onHttpRequest(req)),
      responses: new HttpResponseParser(limits, anomalies, (res) => {
        const requestFrame = state.pendingFrames.shift() ?? null;
        this.ctx.emit({
          type: 'http_response',
          ...this.base(Dir.ToClient),
          status: res.status,
          reason: res.reason,
          request_frame: requestFrame,
          body_bytes: res.bodyWireBytes,
        });
      }),
      index: 0,
      pendingFrames: [] as number[],
    };
    if (afterLoss) {
      state.requests.skipToStartLine();
      state.responses.skipToStartLine();
    }
    this.http = state;
  }

  private startDnsTcp(): void {
    this.protocol = 'dns';
    const { limits, anomalies } = this.ctx;
    this.dnsTcp = {
      client: new DnsTcpFramer(limits, anomalies, (m) => this.onDnsMessage(m, 'tcp')),
      server: new DnsTcpFramer(limits, anomalies, (m) => this.onDnsMessage(m, 'tcp')),
    };
  }

  // --- observations -------------------------------------------------------------------

  private base(dir: Dir): ObservationBase {
    const f = this.flow;
    const fromClient = dir === Dir.ToServer;
    return {
      file: this.ctx.file,
      frame: this.curFrame,
      ts: formatTimestamp(this.curSec, this.curNsec),
      src: fromClient ? f.client : f.server,
      sport: fromClient ? f.clientPort : f.serverPort,
      dst: fromClient ? f.server : f.client,
      dport: fromClient ? f.serverPort : f.clientPort,
      stream: f.id,
    };
  }

  private onClientHandshake(type: number, body: Uint8Array, cut: boolean): void {
    if (type !== HANDSHAKE_CLIENT_HELLO) return;
    // a cut-short hello is known to be short: its missing tail is not news worth an anomaly
    const ch = parseClientHello(body, 0, body.length, cut ? IGNORE_ANOMALIES : this.ctx.anomalies);
    if (ch) this.ctx.emit(this.tlsObservation(ch, cut));
  }

  private tlsObservation(ch: ClientHello, cut: boolean): TlsObservation {
    return {
      type: 'tls',
      ...this.base(Dir.ToServer),
      sni: ch.serverNames[0] ?? null,
      server_names: ch.serverNames,
      alpn: ch.alpn,
      versions: offeredVersions(ch),
      ja4: cut ? null : ja4(ch, 't'),
      ja3: cut ? null : ja3(ch).md5,
      ech: ch.ech,
      cut,
    };
  }

  private onServerHandshake(type: number, body: Uint8Array): void {
    const tls = this.tls!;
    if (type === HANDSHAKE_SERVER_HELLO) {
      const sh = parseServerHello(body, 0, body.length, this.ctx.anomalies);
      if (!sh) return;
      if (sh.helloRetryRequest) {
        tls.client.expectCompatChangeCipherSpec();
        return;
      }
      tls.version = tlsVersionName(sh.version);
      this.ctx.emit({ type: 'tls_server', ...this.base(Dir.ToClient), version: tls.version, cipher_suite: sh.cipherSuite, alpn: sh.alpn });
    } else if (type === HANDSHAKE_CERTIFICATE) {
      const names = parseCertificateNames(body, 0, body.length, this.ctx.anomalies);
      if (names.length === 0) return;
      this.ctx.emit({ type: 'tls_certificate', ...this.base(Dir.ToClient), names });
    }
  }

  private onHttpRequest(req: HttpRequest): void {
    const http = this.http!;
    http.responses.expectResponseTo(req.method);
    http.pendingFrames.push(this.curFrame);
    const obs: HttpObservation = {
      type: 'http',
      ...this.base(Dir.ToServer),
      method: req.method,
      host: req.host,
      uri: req.uri,
      version: req.version,
      user_agent: req.userAgent,
      content_type: req.contentType,
      content_encoding: req.contentEncoding,
      body_bytes: req.bodyWireBytes,
      request_index: http.index++,
      incomplete: req.incomplete,
    };
    this.ctx.emit(obs, { http: req });
  }

  private onDnsMessage(msg: DnsMessage, transport: 'udp' | 'tcp'): void {
    const fromClient = this.curDir === Dir.ToServer;
    if (MULTICAST_DNS_PORTS.has(this.flow.serverPort) || MULTICAST_DNS_PORTS.has(this.flow.clientPort)) return;
    if (!msg.isResponse) {
      if (msg.questions.length === 0) return;
      this.dnsPending ??= new Map();
      if (this.dnsPending.size >= this.ctx.limits.maxDnsRecords) return; // a query flood: keep the first ones
      this.dnsPending.set(msg.id, { frame: this.curFrame, tsSec: this.curSec, tsNsec: this.curNsec, fromClient, msg });
      return;
    }
    this.dnsPending?.delete(msg.id);
    this.emitDns(msg, transport, this.curFrame, this.curSec, this.curNsec, fromClient, false);
  }

  private emitDns(msg: DnsMessage, transport: 'udp' | 'tcp', frame: number, sec: number, nsec: number, fromClient: boolean, unanswered: boolean): void {
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
    const savedFrame = this.curFrame, savedSec = this.curSec, savedNsec = this.curNsec;
    this.curFrame = frame;
    this.curSec = sec;
    this.curNsec = nsec;
    const obs: DnsObservation = {
      type: 'dns',
      ...this.base(fromClient ? Dir.ToServer : Dir.ToClient),
      transport,
      id: msg.id,
      qname: q ? q.name : '',
      qtype: q ? q.typeName : '',
      rcode: unanswered ? null : msg.rcodeName,
      answers,
      cnames,
      svcb,
    };
    this.curFrame = savedFrame;
    this.curSec = savedSec;
    this.curNsec = savedNsec;
    this.ctx.emit(obs, unanswered ? undefined : { dns: msg });
  }
}
