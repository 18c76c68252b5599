import type { AnomalySink } from '../../src/anomaly.js';
import type { Limits } from '../../src/limits.js';
import { HttpResponseParser, type HttpResponse } from '../../src/proto/http1.js';

/**
 * A response parser whose responses answer the requests in order, as HTTP/1.1 does when nothing
 * is lost (`methods` grows as requests are seen); `answer`, when given, decides instead.
 */
export function responseParser(
  limits: Limits,
  log: AnomalySink,
  onResponse: (res: HttpResponse) => void,
  methods: string[],
  answer?: (at: number, interim: boolean) => string | null,
): HttpResponseParser {
  const parser: HttpResponseParser = new HttpResponseParser(limits, log, {
    responseStarts: (at, interim) => parser.answering(answer ? answer(at, interim) : interim ? null : (methods.shift() ?? null)),
    response: onResponse,
  });
  return parser;
}
