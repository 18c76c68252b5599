/**
 * The request under inspection: an HTTP request's facts and its decoded layers (query string
 * and body, peeled layer by layer: url-encoding, form, base64, gzip/zlib, JSON), consumed by
 * both signature matching (signatures/) and leak detection (leaks/). The layers are peeled
 * once, on first use, and kept on the request itself: whoever holds the request holds them.
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { header, type HttpHeader, type HttpRequest } from '../proto/http1.js';
import { peel, type PeelLayer } from './peel.js';

/** An HTTP request as inspection reads it (a parsed request, or one built by hand in a test). */
export interface HttpRequestLike {
  /** the HTTP layer already undid the body's Content-Encoding (the body is the decoded bytes) */
  bodyDecoded?: boolean;
  method: string;
  /** Host header as sent (may carry a port), or null */
  host: string | null;
  /** request-target */
  uri: string;
  headers: HttpHeader[];
  body: Uint8Array;
  contentType: string | null;
}

export interface RequestLayers {
  query: PeelLayer[];
  body: PeelLayer[];
}

/** The query string of a request-target, without a fragment; '' when there is none. */
export function queryOf(uri: string): string {
  const q = uri.indexOf('?');
  if (q < 0 || q + 1 >= uri.length) return '';
  const hash = uri.indexOf('#', q);
  return uri.slice(q + 1, hash < 0 ? undefined : hash);
}

export class InspectedRequest implements HttpRequestLike {
  readonly bodyDecoded: boolean;
  readonly method: string;
  readonly host: string | null;
  readonly uri: string;
  readonly headers: HttpHeader[];
  readonly body: Uint8Array;
  readonly contentType: string | null;
  private peeled: RequestLayers | null = null;

  constructor(req: HttpRequestLike) {
    this.bodyDecoded = req.bodyDecoded ?? false;
    this.method = req.method;
    this.host = req.host;
    this.uri = req.uri;
    this.headers = req.headers;
    this.body = req.body;
    this.contentType = req.contentType;
  }

  /** A request the HTTP parser read: its body counts as decoded when its Content-Encoding was undone. */
  static fromHttp(req: HttpRequest): InspectedRequest {
    return new InspectedRequest({
      method: req.method,
      host: req.host,
      uri: req.uri,
      headers: req.headers,
      body: req.body,
      contentType: req.contentType,
      bodyDecoded: req.contentEncoding !== null && req.bodyDecodeError === null,
    });
  }

  /** The decoded layers of the query string and the body (peeled on the first call; `limits` and `ctx` of that call). */
  layers(limits: Limits, ctx?: AnomalySink): RequestLayers {
    return (this.peeled ??= peelRequest(this, limits, ctx));
  }
}

function peelRequest(req: HttpRequestLike, limits: Limits, ctx: AnomalySink | undefined): RequestLayers {
  const query = queryOf(req.uri);
  let body: PeelLayer[] = [];
  if (req.body.byteLength > 0) {
    const encoding = header(req.headers, 'content-encoding');
    body =
      req.bodyDecoded && encoding
        ? peel(req.body, limits, ctx, { chain: `body → ${encoding.trim().toLowerCase()}`, contentType: req.contentType })
        : peel(req.body, limits, ctx, { chain: 'body', contentType: req.contentType, contentEncoding: encoding });
  }
  return { query: query ? peel(query, limits, ctx, { chain: 'uri query' }) : [], body };
}
