/**
 * The `http` observation of one request, the same for HTTP/1.x, HTTP/2 and HTTP/3: the three
 * analyzers differ in framing and pairing, not in what a request record says. Field order is
 * the records' order in NDJSON output (the stream's fields follow for HTTP/2 and HTTP/3).
 */
import type { HttpRequest } from '../proto/http1.js';
import type { HttpObservation, ObservationBase } from '../engine/observations.js';

/** `stream` (HTTP/2 and HTTP/3 only): the version and the stream the request travelled on */
export function httpRequestRecord(
  base: ObservationBase,
  req: HttpRequest,
  requestIndex: number,
  stream?: { httpVersion: string; streamId: number },
): HttpObservation {
  const obs: HttpObservation = {
    type: 'http',
    ...base,
    method: req.method,
    host: req.host,
    uri: req.uri,
    version: req.version,
    user_agent: req.userAgent,
    content_type: req.contentType,
    content_encoding: req.contentEncoding,
    body_bytes: req.bodyWireBytes,
    request_index: requestIndex,
    incomplete: req.incomplete,
  };
  if (stream !== undefined) {
    obs.http_version = stream.httpVersion;
    obs.stream_id = stream.streamId;
  }
  return obs;
}
