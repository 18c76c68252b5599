/**
 * The `dns` records of an HTTPDNS exchange (proto/httpdns.ts), whichever HTTP carried it:
 * one per name the query asked, with the addresses its answer gave. The HTTP/1.x, HTTP/2 and
 * HTTP/3 analyzers keep the answer's body (at most HTTPDNS_MAX_ANSWER_BYTES) for requests
 * that are HTTPDNS queries, and report through this.
 */
import type { DnsObservation, ObservationBase } from '../engine/observations.js';
import { Dir } from '../flow/dir.js';
import { decodeContent } from '../proto/content-encoding.js';
import { header, type HttpHeader } from '../proto/http1-framing.js';
import { parseHttpDnsAnswer, parseHttpDnsQuery, type HttpDnsQuery } from '../proto/httpdns.js';
import type { AnalyzerContext, PacketTime } from './analyzer.js';

/** Bytes of an HTTPDNS answer read (they are a few hundred; a longer body is not one). */
export const HTTPDNS_MAX_ANSWER_BYTES = 16 * 1024;

/** What of the response the records need: null when no answer came. */
export interface HttpDnsAnswerMessage {
  status: number;
  headers: readonly HttpHeader[];
  body?: Uint8Array;
}

/**
 * The records of `query` answered by `res`. `base` is the response's (or, unanswered, the
 * request's) common fields. A compressed answer (okhttp asks for gzip by itself) is decoded first.
 */
export function httpDnsRecords(base: ObservationBase, query: HttpDnsQuery, res: HttpDnsAnswerMessage | null): DnsObservation[] {
  let answers: ReturnType<typeof parseHttpDnsAnswer> = [];
  if (res?.body && res.status === 200) {
    let body = res.body;
    const encoding = header(res.headers, 'content-encoding');
    if (encoding !== null) body = decodeContent(body, encoding, HTTPDNS_MAX_ANSWER_BYTES).bytes;
    answers = parseHttpDnsAnswer(query, new TextDecoder().decode(body));
  }
  const names = query.names.length ? query.names : [''];
  return names.map((name) => {
    const a = answers.find((x) => x.name === name);
    return {
      type: 'dns',
      ...base,
      transport: 'httpdns',
      id: 0,
      qname: name,
      qtype: 'A',
      rcode: res === null ? null : res.status === 200 ? 'NOERROR' : `HTTP ${res.status}`,
      answers: a ? a.addresses : [],
      cnames: [],
      svcb: [],
    };
  });
}

/** Reports the records of `query` (answered by `res`, or not) at `at`: the answer's side, or the request's when none came. */
export function reportHttpDns(ctx: AnalyzerContext, at: PacketTime, query: HttpDnsQuery, res: HttpDnsAnswerMessage | null): void {
  for (const obs of httpDnsRecords(ctx.base(res === null ? Dir.ToServer : Dir.ToClient, at), query, res)) ctx.emit(obs);
}

/**
 * The HTTPDNS queries of a connection that answers by stream (HTTP/2, HTTP/3), each kept until
 * its stream's response ends. `at` is the analyzer's time of the bytes being parsed.
 */
export class HttpDnsByStream {
  private readonly queries = new Map<number, HttpDnsQuery>();

  constructor(
    private readonly ctx: AnalyzerContext,
    private readonly at: PacketTime,
  ) {}

  /** A request on `streamId`: true when it is an HTTPDNS query (its answer's body is then to be kept, at most HTTPDNS_MAX_ANSWER_BYTES). */
  request(streamId: number, method: string, uri: string): boolean {
    const query = parseHttpDnsQuery(method, uri);
    if (query === null) return false;
    this.queries.set(streamId, query);
    return true;
  }

  /** The response on `streamId` ended: its records, when the request was a query. */
  response(streamId: number, res: HttpDnsAnswerMessage): void {
    const query = this.queries.get(streamId);
    if (query === undefined) return;
    this.queries.delete(streamId);
    reportHttpDns(this.ctx, this.at, query, res);
  }

  /** The stream is no longer followed (the analyzer's own bound): its query is forgotten. */
  forget(streamId: number): void {
    this.queries.delete(streamId);
  }

  /** The connection ended: queries that got no answer are reported with rcode null, as DNS queries are. */
  end(): void {
    for (const query of this.queries.values()) reportHttpDns(this.ctx, this.at, query, null);
    this.queries.clear();
  }
}
