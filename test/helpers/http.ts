import type { ResponseStartHook } from '../../src/proto/http1.js';

/** A response-start hook answering the requests in order, as HTTP/1.1 does when nothing is lost; `methods` grows as requests are seen. */
export function answersInOrder(methods: string[]): ResponseStartHook {
  return (_at, interim) => (interim ? null : (methods.shift() ?? null));
}
