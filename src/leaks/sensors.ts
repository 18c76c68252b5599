/**
 * Sensors Data (神策) SDK uploads: the events exactly as the SDK sent them.
 *
 * Wire format (shared/research/endpoints.md §2.3–2.4): a form field `data` (one event) or
 * `data_list` (a JSON array) in the query string or the body, holding
 * base64(JSON) or base64(gzip(JSON)), URL-encoded; `gzip=1` says which, and `crc=<int>` or
 * `ext=crc%3D<int>` carries Java String.hashCode() of the base64 text. The Android SDK's
 * encrypted mode (`gzip=9`) sends URL-encoded JSON envelopes; those are returned as is.
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import type { HttpRequestLike } from '../inspect/request.js';
import { base64Candidate, isGzip, javaStringHash, parseForm, printableText } from '../inspect/codec.js';
import { peel } from '../inspect/peel.js';

export interface SensorsBatch {
  /** the events, JSON.parse output of what the SDK sent (an object becomes a one-event list) */
  events: unknown[];
  /** where and how: `uri query:data → base64 → json`, `body form:data_list → base64 → gzip → json` */
  chain: string;
}

const PAYLOAD_FIELDS = new Set(['data', 'data_list']);

function formOf(text: string, limits: Limits): [string, string][] {
  return parseForm(text, limits.maxValuesPerPayload) ?? [];
}

function decodeField(value: string, chain: string, limits: Limits, ctx: AnomalySink | undefined): SensorsBatch | null {
  const v = value.trim();
  let text: string | null = null;
  let at = chain;
  if (v.startsWith('[') || v.startsWith('{')) {
    text = v; // gzip=9 envelopes and plain JSON uploads
  } else {
    const bytes = base64Candidate(v);
    if (!bytes) return null;
    at += ' → base64';
    if (isGzip(bytes)) {
      // peel inflates within the limits and reports bombs; take its first text layer
      const layers = peel(bytes, limits, ctx, { chain: at });
      const json = layers.find((l) => l.kind === 'json');
      if (!json || json.text === undefined) return null;
      return { events: toEvents(json.json), chain: json.chain };
    }
    text = printableText(bytes);
  }
  if (text === null) return null;
  try {
    return { events: toEvents(JSON.parse(text)), chain: `${at} → json` };
  } catch {
    ctx?.anomaly('leak_json_malformed', 0, at);
    return null;
  }
}

function toEvents(json: unknown): unknown[] {
  return Array.isArray(json) ? json : [json];
}

/** Checks the crc the SDK sent against the base64 text it covers; a mismatch is an anomaly. */
function checkCrc(fields: [string, string][], payload: string, where: string, ctx: AnomalySink | undefined): void {
  let crc: string | undefined;
  for (const [k, v] of fields) {
    if (k === 'crc') crc = v;
    else if (k === 'ext' && v.startsWith('crc=')) crc = v.slice(4);
  }
  if (crc === undefined || !/^-?\d+$/.test(crc)) return;
  if (javaStringHash(payload.trim().replace(/ /g, '+')) !== Number(crc)) ctx?.anomaly('leak_sensors_crc_mismatch', 0, where);
}

/** Every Sensors batch in the request's query string and form body, in wire order. */
export function decodeSensorsRequest(req: HttpRequestLike, limits: Limits, ctx?: AnomalySink): SensorsBatch[] {
  const out: SensorsBatch[] = [];
  const scan = (fields: [string, string][], where: 'uri query' | 'body') => {
    for (const [k, v] of fields) {
      if (!PAYLOAD_FIELDS.has(k)) continue;
      const chain = where === 'uri query' ? `uri query:${k}` : `body form:${k}`;
      const batch = decodeField(v, chain, limits, ctx);
      if (!batch) continue;
      checkCrc(fields, v, chain, ctx);
      out.push(batch);
    }
  };
  const q = req.uri.indexOf('?');
  if (q >= 0) scan(formOf(req.uri.slice(q + 1), limits), 'uri query');
  if (req.body.byteLength > 0) {
    const text = printableText(req.body);
    if (text !== null) scan(formOf(text, limits), 'body');
  }
  return out;
}
