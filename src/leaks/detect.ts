/**
 * Leak detection over one plaintext HTTP request: peels the query string, the headers and the
 * body (peel.ts), classifies every key/value it reaches (kinds.ts), pulls search terms out of
 * leaked URLs (search.ts) and looks for the analyst's own identifiers (identifiers.ts). Each
 * finding keeps its decode chain, e.g. `body form:data_list → base64 → gzip → json $[0].properties.$url`.
 */
import { normaliseHost } from '../hostname.js';
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { parseForm } from '../inspect/codec.js';
import { identifierForms, type Identifier, type IdentifierForm } from './identifiers.js';
import { classify, classifyShortKey, classifyUserAgent, headerKey, isSessionTokenKey, looksLikeUrl, type Classified, type LeakKind } from './kinds.js';
import { fieldChain, jsonPath, peel, type PeelLayer } from '../inspect/peel.js';
import { searchEngineParams, searchTermsInUrl } from './search.js';
import type { InspectedRequest } from '../inspect/request.js';

export type { LeakKind } from './kinds.js';
export { LEAK_KINDS } from './kinds.js';
export { parseIdentifierSpec, type Identifier } from './identifiers.js';

export interface LeakFinding {
  kind: LeakKind;
  value: string;
  chain: string;
  /** the key or header the value was under (null for shape-only finds) */
  key: string | null;
  /** how an identifier was carried when not as is: 'md5', 'sha1', 'sha256', 'upper', 'lower', … */
  form?: string;
  /** set when the finding is probable, not certain: why it was made (a value's shape under a key that does not name it) */
  probable?: string;
}

/** Headers whose values are protocol plumbing, not data an app chose to send. */
const PLUMBING_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'accept',
  'accept-encoding',
  'accept-language',
  'accept-charset',
  'cache-control',
  'pragma',
  'expect',
  'te',
  'upgrade',
  'origin',
  'if-modified-since',
  'if-none-match',
  'range',
  'keep-alive',
  'proxy-connection',
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-dest',
  'sec-fetch-user',
  'upgrade-insecure-requests',
  'dnt',
  'priority',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
]);

class Collector {
  readonly findings: LeakFinding[] = [];
  private readonly seen = new Map<string, LeakFinding>();
  private readonly forms: IdentifierForm[];
  /** vendorOf's answer, once asked */
  private vendor: string | null | undefined;

  constructor(
    private readonly limits: Limits,
    identifiers: Identifier[] | undefined,
    /** search-engine parameters of the request's own host: its own search box is not a leak */
    private readonly firstPartySearch: readonly string[] | null,
    /** the tracking vendor a signature pack names the request's server as (asked only when a rule needs it) */
    private readonly vendorOf: (() => string | null) | undefined,
  ) {
    this.forms = identifiers?.length ? identifierForms(identifiers) : [];
  }

  /**
   * One finding per kind, value and place: a value both a detector and an analyst's identifier
   * recognise (or two forms of one identifier) is reported once, with the form it was found in.
   */
  add(kind: LeakKind, value: string, chain: string, key: string | null, form?: string, probable?: string): void {
    const id = `${kind}\u0000${value}\u0000${chain}`;
    const seen = this.seen.get(id);
    if (seen) {
      if (form && form !== 'plain' && !seen.form) seen.form = form;
      if (!probable) delete seen.probable; // a certain finding of the same value in the same place
      return;
    }
    const f: LeakFinding = { kind, value, chain, key };
    if (form) f.form = form;
    if (probable) f.probable = probable;
    this.seen.set(id, f);
    this.findings.push(f);
  }

  /** One key/value reached at `chain`. */
  value(key: string | null, raw: string, chain: string, topLevelQuery = false): void {
    let found: Classified[] = classify(key, raw);
    if (topLevelQuery && this.firstPartySearch && key !== null) {
      const k = key.toLowerCase();
      if (this.firstPartySearch.includes(k)) found = found.filter((c) => c.kind !== 'search_query');
    }
    for (const c of found) this.add(c.kind, c.value, chain, key, c.form);
    if (found.length === 0 && key !== null && this.vendorOf) this.shortKey(key, raw, chain);
    if (looksLikeUrl(raw)) for (const term of searchTermsInUrl(raw.trim(), this.limits.maxValuesPerPayload)) this.add('search_query', term, chain, key);
    if (this.forms.length) this.identifiers(raw, chain, key);
  }

  /**
   * A value whose key is too short to name it (`d=9b2e4f7a1c6d3e85`): reported only at a vendor's
   * collector, and as probable (kinds.ts classifyShortKey says why it is ambiguous elsewhere).
   */
  private shortKey(key: string, raw: string, chain: string): void {
    const c = classifyShortKey(key, raw);
    if (c === null) return;
    if (this.vendor === undefined) this.vendor = this.vendorOf!();
    if (this.vendor === null) return;
    const why = `16 lowercase hex digits, an Android ID's shape, under the short key "${key}" of a request to a ${this.vendor} host; the key does not say which identifier it is (MIUI's OAID has the same shape)`;
    this.add(c.kind, c.value, chain, key, undefined, why);
  }

  private identifiers(raw: string, chain: string, key: string | null): void {
    let lower: string | undefined;
    for (const f of this.forms) {
      const hay = f.caseInsensitive ? (lower ??= raw.toLowerCase()) : raw;
      // the value as it was found (the re-cased or hashed text), not as the analyst typed it
      if (hay.includes(f.needle)) this.add(f.identifier.kind, f.needle, chain, key, f.form);
    }
  }

  layer(layer: PeelLayer, rootKey: string | null, topLevelQuery: boolean): void {
    switch (layer.kind) {
      case 'json':
        this.json(layer.json, layer.chain, '$', null, 0);
        break;
      case 'form':
        for (const [k, v] of layer.fields ?? []) this.value(k, v, fieldChain(layer.chain, k), topLevelQuery && layer.chain === 'uri query');
        break;
      case 'text':
        if (layer.text !== undefined) this.value(rootKey, layer.text, layer.chain);
        break;
      case 'binary':
        break;
    }
  }

  private json(v: unknown, chain: string, path: string, key: string | null, level: number): void {
    if (level > this.limits.maxJsonDepth) return;
    if (typeof v === 'string') this.value(key, v, `${chain} ${path}`);
    else if (typeof v === 'number' || typeof v === 'boolean') this.value(key, String(v), `${chain} ${path}`);
    else if (Array.isArray(v)) {
      // array elements are named by their array's key (`pages[0]` is a page)
      for (let i = 0; i < v.length; i++) this.json(v[i], chain, `${path}[${i}]`, key, level + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) this.json((v as Record<string, unknown>)[k], chain, jsonPath(path, k), k, level + 1);
    }
  }
}

/**
 * Personal data in one plaintext HTTP request: its query string, Referer, Cookie and custom
 * headers, User-Agent and body, at any depth of encoding peel.ts undoes.
 */
export function findLeaksInHttpRequest(
  req: InspectedRequest,
  opts: {
    limits: Limits;
    identifiers?: Identifier[];
    ctx?: AnomalySink;
    /** the tracking vendor whose host the request went to (by the signature packs), else null; without it short keys are not read */
    vendorOf?: () => string | null;
  },
): LeakFinding[] {
  const { limits, ctx } = opts;
  const host = req.host ? normaliseHost(req.host) : null;
  const c = new Collector(limits, opts.identifiers, host ? searchEngineParams(host) : null, opts.vendorOf);

  const layers = req.layers(limits, ctx);
  for (const layer of layers.query) c.layer(layer, null, true);

  for (const h of req.headers) {
    const name = h.name.toLowerCase();
    if (PLUMBING_HEADERS.has(name)) continue;
    const chain = `header ${h.name}`;
    if (name === 'user-agent') {
      for (const u of classifyUserAgent(h.value)) c.add(u.kind, u.value, chain, h.name);
      continue;
    }
    if (name === 'referer') {
      c.value('referrer', h.value, chain);
      continue;
    }
    if (name === 'cookie') {
      // `a=1; b=2` is a form with `; ` separators; each value is peeled like a form field
      const fields = parseForm(h.value.split(/;\s*/).join('&'), limits.maxValuesPerPayload);
      for (const [k, v] of fields ?? []) {
        if (!isSessionTokenKey(k)) for (const layer of peel(v, limits, ctx, { chain: `${chain}:${k}` })) c.layer(layer, k, false);
      }
      // a session token is a credential as sent, whatever its bytes decode to (a cookie value is
      // not form-encoded: its `+` and `/` are base64's, not spaces)
      for (const part of h.value.split(';')) {
        const eq = part.indexOf('=');
        const k = eq > 0 ? part.slice(0, eq).trim() : '';
        if (k && isSessionTokenKey(k)) c.value(k, part.slice(eq + 1).trim(), `${chain}:${k}`);
      }
      continue;
    }
    const key = headerKey(h.name);
    if (isSessionTokenKey(key)) c.value(key, h.value, chain);
    else for (const layer of peel(h.value, limits, ctx, { chain })) c.layer(layer, key, false);
  }

  for (const layer of layers.body) c.layer(layer, null, false);
  return c.findings;
}
