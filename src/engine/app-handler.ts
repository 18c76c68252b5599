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
  tlsVersionName,
  type ClientHello,
  type ServerHello,
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

/** An HTTP request whose response has not begun yet. */
interface PendingRequest {
  frame: number;
  method: string;
  /** offset the server's stream had reached when the request was complete: its response starts there or later */
  at: number;
}

/**
 * HTTP on one connection, and how its responses are paired with its requests (request_frame).
 *
 * HTTP/1.1 answers requests in order, so responses take the pending requests in order. Packet
 * loss breaks that only where a hole may have held the start of a message (anything but a hole
 * inside a body of known length): how many requests or responses it held is unknown.
 * - A hole in the responses: they answered an unknown number of the pending requests. Pairing
 *   is unsure from the next response on.
 * - A hole in the requests: the requests before it are still answered in order; after them,
 *   responses may answer requests that were lost. Pairing is unsure from there on.
 * - A response when no request is pending (the request was missed): unsure from there on.
 * While unsure, a response gets request_frame null unless it lines up: the client sent exactly
 * one request since the server last sent anything (interim 1xx responses aside), after the
 * loss, and this response begins right there. A client that waits for each response before
 * its next request (keep-alive without pipelining, as browsers do) lines up at its next
 * request. A client seen pipelining never lines up: which of its requests the lost messages
 * were is not knowable. Once lined up, pairing is in order again.
 */
interface HttpState {
  requests: HttpRequestParser;
  responses: HttpResponseParser;
  index: number;
  /** requests whose response has not begun, in order (while unsure, only the last two are kept) */
  pending: PendingRequest[];
  /** responses still paired with `pending` in order before pairing becomes unsure: Infinity when no loss lies ahead, 0 when unsure */
  inOrder: number;
  /** while unsure: a request complete before the server's stream reached this offset does not line up (it may precede the loss) */
  lineUpFrom: number;
  /** offset of the first interim (1xx) response since the last final one, -1 when none */
  interimAt: number;
  /** a response began while two requests or more were pending: the client pipelines */
  pipelined: boolean;
  /** request_frame of the response in progress */
  answers: number | null;
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
  private http?: HttpState;
  private dnsTcp?: { client: DnsTcpFramer; server: DnsTcpFramer };
  private dnsPending?: Map<number, PendingDnsQuery>;
  private quicHelloSeen = false;
  /** the client's first bytes were lost: only HTTP can be recognised, at a later start line */
  private clientStartLost = false;
  /** the server sent bytes (unparsed) after the client's first bytes were lost */
  private serverSentAfterLoss = false;

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
      else if (this.clientStartLost) this.serverSentAfterLoss = true;
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
        else if (this.clientStartLost) this.serverSentAfterLoss = true;
        break;
      case 'http':
        // HTTP keeps its place in a body of known length, or finds the next start line
        this.curFrame = frame;
        this.curDir = dir;
        if (!(dir === Dir.ToServer ? this.http!.requests : this.http!.responses).gap(missedBytes)) this.httpStartsLost(dir);
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
    const total = flow.payloadToServer + flow.payloadToClient;
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
      server: new TlsStreamReader(limits, anomalies, (type, body, cut, sh) => { if (!cut) this.onServerHandshake(type, body, sh); }),
      version: null,
    };
  }

  /** `afterLoss`: the stream's start was lost, both directions begin at their next start line */
  private startHttp(afterLoss = false): void {
    this.protocol = 'http';
    const { limits, anomalies } = this.ctx;
    const state: HttpState = {
      requests: new HttpRequestParser(limits, anomalies, (req) => this.onHttpRequest(req)),
      responses: new HttpResponseParser(
        limits,
        anomalies,
        (res) => this.ctx.emit({
          type: 'http_response',
          ...this.base(Dir.ToClient),
          status: res.status,
          reason: res.reason,
          request_frame: state.answers,
          body_bytes: res.bodyWireBytes,
          incomplete: res.incomplete,
        }),
        (at, interim) => this.httpResponseStarts(at, interim),
      ),
      index: 0,
      pending: [],
      inOrder: Infinity,
      lineUpFrom: 0,
      interimAt: -1,
      pipelined: false,
      answers: null,
    };
    this.http = state;
    if (afterLoss) {
      state.requests.skipToStartLine();
      state.responses.skipToStartLine();
      // requests before the first one found were lost (a hole in the requests, HttpState); the
      // server's bytes since were not parsed, but if it sent any, it answered something
      state.inOrder = 0;
      state.lineUpFrom = this.serverSentAfterLoss ? 0 : 1;
    }
  }

  /** A hole in `dir` may have held the start of messages (how many is unknown): see HttpState. */
  private httpStartsLost(dir: Dir): void {
    const http = this.http!;
    if (dir === Dir.ToClient) {
      http.inOrder = 0;
      http.lineUpFrom = Math.max(http.lineUpFrom, http.responses.offset);
      http.interimAt = -1;
    } else {
      // the requests before the hole (a request it cut is still to be reported) keep their answers
      http.inOrder = Math.min(http.inOrder, http.pending.length + (http.requests.inMessage ? 1 : 0));
      // and only a request sent after the server answered something since can line up
      http.lineUpFrom = Math.max(http.lineUpFrom, http.responses.offset + 1);
    }
  }

  /** A response begins at offset `at` of the server's stream: which request it answers (HttpState); returns its method. */
  private httpResponseStarts(at: number, interim: boolean): string | null {
    const http = this.http!;
    if (interim) {
      if (http.interimAt < 0) http.interimAt = at;
      return null;
    }
    const from = http.interimAt >= 0 ? http.interimAt : at;
    http.interimAt = -1;
    const pending = http.pending;
    let req: PendingRequest | undefined;
    if (http.inOrder > 0) {
      if (pending.length > 1) http.pipelined = true;
      req = pending.shift();
      if (req !== undefined) {
        http.inOrder--;
      } else {
        // a response to a request not seen: it was lost, or not complete yet (an early response)
        http.inOrder = 0;
        http.lineUpFrom = Math.max(http.lineUpFrom, at + 1);
      }
    } else {
      const n = pending.length;
      const last = n > 0 ? pending[n - 1]! : undefined;
      if (last !== undefined && !http.pipelined && last.at >= http.lineUpFrom && last.at >= from && last.at <= at && (n === 1 || pending[n - 2]!.at < from)) {
        req = last;
        pending.length = 0;
        http.inOrder = Infinity;
        http.lineUpFrom = 0;
      }
    }
    http.answers = req === undefined ? null : req.frame;
    return req === undefined ? null : req.method;
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

  /** `sh`: the ServerHello the reader parsed (undefined when it did not parse) */
  private onServerHandshake(type: number, body: Uint8Array, sh: ServerHello | undefined): void {
    const tls = this.tls!;
    if (type === HANDSHAKE_SERVER_HELLO) {
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
    http.pending.push({ frame: this.curFrame, method: req.method, at: http.responses.offset });
    // while unsure only the last two requests matter (HttpState)
    if (http.inOrder === 0 && http.pending.length > 2) http.pending.splice(0, http.pending.length - 2);
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
    // a resolver's flow lingers for the UDP timeout: an emptied map is not kept for it
    if (this.dnsPending?.delete(msg.id) && this.dnsPending.size === 0) this.dnsPending = undefined;
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
