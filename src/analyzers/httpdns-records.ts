/**
 * The `dns` records of an HTTPDNS exchange (proto/httpdns.ts), whichever HTTP carried it:
 * one per name the query asked, with the addresses its answer gave. The HTTP/1.x, HTTP/2 and
 * HTTP/3 analyzers keep the answer's body (at most HTTPDNS_MAX_ANSWER_BYTES) for requests
 * that are HTTPDNS queries, and report through this.
 */
import type { DnsObservation, ObservationBase } from '../engine/observations.js';
import { decodeContent } from '../proto/content-encoding.js';
import { parseHttpDnsAnswer, type HttpDnsQuery } from '../proto/httpdns.js';

/** Bytes of an HTTPDNS answer read (they are a few hundred; a longer body is not one). */
export const HTTPDNS_MAX_ANSWER_BYTES = 16 * 1024;

/** What of the response the records need: null when no answer came. */
export interface HttpDnsAnswerMessage {
  status: number;
  headers: readonly { name: string; value: string }[];
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
    const encoding = res.headers.find((h) => h.name.toLowerCase() === 'content-encoding')?.value;
    if (encoding !== undefined) body = decodeContent(body, encoding, HTTPDNS_MAX_ANSWER_BYTES).bytes;
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
