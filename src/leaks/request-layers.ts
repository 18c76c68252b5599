/**
 * The decoded layers of a request's query string and body, peeled once per request: the leak
 * detectors and the payload signatures both read them (peeling is the costly part of both).
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import type { HttpRequestLike } from '../signatures/db.js';
import { header } from '../proto/http1.js';
import { peel, type PeelLayer } from './peel.js';

export interface RequestLayers {
  query: PeelLayer[];
  body: PeelLayer[];
}

const peeled = new WeakMap<HttpRequestLike, RequestLayers>();

/** The query string of a request-target, without a fragment; '' when there is none. */
export function queryOf(uri: string): string {
  const q = uri.indexOf('?');
  if (q < 0 || q + 1 >= uri.length) return '';
  const hash = uri.indexOf('#', q);
  return uri.slice(q + 1, hash < 0 ? undefined : hash);
}

export function requestLayers(req: HttpRequestLike, limits: Limits, ctx?: AnomalySink): RequestLayers {
  let layers = peeled.get(req);
  if (layers) return layers;
  const query = queryOf(req.uri);
  let body: PeelLayer[] = [];
  if (req.body.byteLength > 0) {
    const encoding = header(req.headers, 'content-encoding');
    body = req.bodyDecoded && encoding
      ? peel(req.body, limits, ctx, { chain: `body → ${encoding.trim().toLowerCase()}`, contentType: req.contentType })
      : peel(req.body, limits, ctx, { chain: 'body', contentType: req.contentType, contentEncoding: encoding });
  }
  layers = { query: query ? peel(query, limits, ctx, { chain: 'uri query' }) : [], body };
  peeled.set(req, layers);
  return layers;
}
