import type { MipushHandshake } from '../proto/mipush.js';
import type { HttpRequest } from '../proto/http1.js';
import type { DnsMessage } from '../proto/dns.js';

/**
 * Observation records: what `leakscope events` prints, one per line, and what the host report
 * is built from. Field names are the command-line contract (DESIGN.md): snake_case, stable.
 */

/** Where and when an observation was made. `frame` is the 1-based frame that completed it. */
export interface ObservationBase {
  file: string;
  frame: number;
  ts: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** TCP stream / UDP flow id (0-based, in order of first packet, per protocol) */
  stream: number;
  /** the app that sent it, when a PCAPdroid capture names it (per-packet trailer or pcapng UID map) */
  app?: string;
}

export interface TlsObservation extends ObservationBase {
  type: 'tls';
  /** first server name; null when the ClientHello carries none */
  sni: string | null;
  /** every server name when there are several */
  server_names: string[];
  alpn: string[];
  /** offered versions, best first, GREASE removed */
  versions: string[];
  /** null when the ClientHello was not captured whole (a fingerprint of part of it would mislead) */
  ja4: string | null;
  /** JA3 MD5; null like ja4 */
  ja3: string | null;
  ech: boolean;
  /** the ClientHello's end was not captured: names and extensions are those that arrived */
  cut: boolean;
}

/** Answer side of a TLS handshake: the negotiated version, cipher suite and ALPN. */
export interface TlsServerObservation extends ObservationBase {
  type: 'tls_server';
  version: string;
  cipher_suite: number;
  alpn: string | null;
}

/** Names in the server's certificate (visible in TLS ≤ 1.2 only): subject CN, then SAN DNS names. */
export interface TlsCertificateObservation extends ObservationBase {
  type: 'tls_certificate';
  names: string[];
}

export interface QuicObservation extends ObservationBase {
  type: 'quic';
  sni: string | null;
  server_names: string[];
  version: string;
  alpn: string[];
  versions: string[];
  ja4: string;
  ech: boolean;
}

export interface HttpObservation extends ObservationBase {
  type: 'http';
  method: string;
  /** Host header as sent (may carry a port); null when absent */
  host: string | null;
  uri: string;
  version: string;
  user_agent: string | null;
  content_type: string | null;
  content_encoding: string | null;
  /** body bytes as they crossed the wire (after de-chunking, before decompression) */
  body_bytes: number;
  /** index of the request on its connection, 0-based */
  request_index: number;
  /** some of the request's bytes were not captured (a hole in the stream, or it ended inside the request) */
  incomplete: boolean;
  /** HTTP version as '1.1', '2', '3' when it travelled decrypted or over HTTP/2 or HTTP/3; absent for plaintext HTTP/1 (see `version`) */
  http_version?: string;
  /** the HTTP/2 or HTTP/3 stream it travelled on */
  stream_id?: number;
  /** what it was decrypted from ('tls', 'quic'); absent when it crossed the wire in clear */
  carrier?: string;
  /** decrypted traffic: the TLS version that protected it ("1.2", "1.3") */
  tls_version?: string;
}

export interface HttpResponseObservation extends ObservationBase {
  type: 'http_response';
  status: number;
  reason: string;
  /** frame of the request this answers (its `http` observation's frame); null when not known: the request was not captured, or packet loss left the pairing unclear */
  request_frame: number | null;
  body_bytes: number;
  /** some of its bytes were not captured: a hole in the stream, or the capture ended inside it */
  incomplete: boolean;
  /** as for `http` */
  http_version?: string;
  stream_id?: number;
  carrier?: string;
}

export interface DnsObservation extends ObservationBase {
  type: 'dns';
  /** `httpdns`: a lookup made over HTTP (Alibaba's /ACCOUNT/d?host=, Tencent's /d?dn=; proto/httpdns.ts), id 0 */
  transport: 'udp' | 'tcp' | 'httpdns';
  id: number;
  qname: string;
  qtype: string;
  /** null for a query that got no response in the capture */
  rcode: string | null;
  /** A/AAAA addresses anywhere in the response (answer, authority and additional sections), as tshark's dns.a/dns.aaaa */
  answers: string[];
  /** CNAME targets of the answer section, in order */
  cnames: string[];
  /** HTTPS/SVCB target names and hints, as text */
  svcb: string[];
}

/**
 * A problem found in the input (Zeek's weird.log): one per anomaly the capture's log keeps
 * (limits.maxAnomaliesKept; the counts in the report headers stay exact beyond it). Where it
 * belongs to a flow, `stream` and `proto` name it and the addresses are its client's and
 * server's; otherwise they are null.
 */
export interface AnomalyObservation {
  type: 'anomaly';
  file: string;
  /** the frame it was found in; 0 when it is about the file itself or the capture's end */
  frame: number;
  /** the frame's capture time, null when not known */
  ts: string | null;
  src: string | null;
  sport: number | null;
  dst: string | null;
  dport: number | null;
  stream: number | null;
  proto: 'tcp' | 'udp' | null;
  /** the code (docs/anomaly-codes.md) */
  code: string;
  /** byte offset: in the capture file for capture anomalies, else within the frame or stream */
  offset: number;
  detail: string | null;
}

/**
 * A MiPush handshake (analyzers/mipush.ts): what the client's first message names. `form`:
 * the binary blob (`CONN`) or the older XMPP-like stream open; absent fields are null.
 */
export interface PushObservation extends ObservationBase, Omit<MipushHandshake, 'chid' | 'resource'> {
  type: 'push';
  protocol: 'mipush';
}

export type Observation =
  | TlsObservation
  | PushObservation
  | TlsServerObservation
  | TlsCertificateObservation
  | QuicObservation
  | HttpObservation
  | HttpResponseObservation
  | DnsObservation
  | AnomalyObservation;

export type ObservationType = Observation['type'];
export const OBSERVATION_TYPES: readonly ObservationType[] = [
  'tls',
  'tls_server',
  'tls_certificate',
  'quic',
  'http',
  'http_response',
  'dns',
  'push',
  'anomaly',
];

/** Parsed material behind an observation, for the report stage; valid only during the callback. */
export interface ObservationDetail {
  http?: HttpRequest;
  dns?: DnsMessage;
}
