import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InspectedRequest, type HttpRequestLike } from '../../../src/inspect/request.js';

/** test/unit/leaks → repository root is three levels up; shared is beside it. */
export const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..', '../shared');

export function sharedText(rel: string): string {
  return readFileSync(path.join(SHARED, rel), 'utf8');
}

export function sharedJson<T = any>(rel: string): T {
  return JSON.parse(sharedText(rel)) as T;
}

/** Parses one raw HTTP/1.1 request (as stored in research/sensorsdata-wire/*.http). */
export function parseRawRequest(raw: string): InspectedRequest {
  const sep = raw.indexOf('\r\n\r\n') >= 0 ? '\r\n' : '\n';
  const headEnd = raw.indexOf(sep + sep);
  const head = raw.slice(0, headEnd < 0 ? raw.length : headEnd).split(sep);
  const body = headEnd < 0 ? '' : raw.slice(headEnd + sep.length * 2).replace(/\s+$/, '');
  const [method, uri] = head[0].split(' ');
  const headers = head
    .slice(1)
    .filter(Boolean)
    .map((l) => ({ name: l.slice(0, l.indexOf(':')), value: l.slice(l.indexOf(':') + 1).trim() }));
  const get = (n: string) => headers.find((h) => h.name.toLowerCase() === n)?.value ?? null;
  return new InspectedRequest({ method, uri, headers, host: get('host'), body: new Uint8Array(Buffer.from(body, 'utf8')), contentType: get('content-type') });
}

export function request(partial: Partial<HttpRequestLike> & { body?: Uint8Array | string }): InspectedRequest {
  const body =
    partial.body === undefined ? new Uint8Array(0) : typeof partial.body === 'string' ? new Uint8Array(Buffer.from(partial.body, 'utf8')) : partial.body;
  return new InspectedRequest({
    method: partial.method ?? 'GET',
    host: partial.host ?? null,
    uri: partial.uri ?? '/',
    headers: partial.headers ?? [],
    body,
    contentType: partial.contentType ?? null,
    bodyDecoded: partial.bodyDecoded,
  });
}
