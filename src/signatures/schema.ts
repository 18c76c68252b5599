/**
 * The signature pack format (JSON files in `signatures/`, and user packs) and its validator.
 * Packs are data: a hand-written validator checks every field and names the JSON path of each
 * problem, so a broken user pack fails with a message the user can act on.
 */

/**
 * What a signature matches. Host constraints (`host`, `suffix`, `regex`) say which names it
 * labels; request constraints (the rest) look inside plaintext HTTP requests. A signature with
 * both matches a request only when the request's host satisfies the host constraint too.
 */
export interface SignatureMatchSpec {
  /** exact host names (lowercase, no trailing dot) */
  host?: string[];
  /** domain suffixes: the name itself and every name below it */
  suffix?: string[];
  /** regular expression on the whole host name (lowercase, no port) */
  regex?: string;
  /** regular expression on `http://<host><request-target>` (rows written for full URLs) */
  url?: string;
  /** regular expression on the request-target (`/sa?project=x`) */
  path?: string;
  /** regular expression on the form text of the request: its query string and its body */
  body?: string;
  /** regular expression on decoded payload text (after base64/gzip/JSON peeling) */
  payload?: string;
  /** regular expression on the User-Agent header value */
  userAgent?: string;
  /** regular expression on each header line `Name: value` */
  header?: string;
  /** regular expression on the Cookie header value */
  cookie?: string;
  /** regular expression on the Host header as sent (with its port) */
  hostHeader?: string;
}

export const CONFIDENCES = ['confident', 'imprecise'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface Signature {
  id: string;
  vendor: string;
  product: string;
  category: string;
  match: SignatureMatchSpec;
  /** false for labels that name a vendor but are too broad to raise an alert on their own */
  alert: boolean;
  confidence: Confidence;
  description: string;
  references: string[];
  /** YYYY-MM-DD */
  added: string;
}

export interface SignaturePack {
  name: string;
  version: string;
  description: string;
  signatures: Signature[];
}

const HOST_FIELDS = ['host', 'suffix'] as const;
const REGEX_FIELDS = ['regex', 'url', 'path', 'body', 'payload', 'userAgent', 'header', 'cookie', 'hostHeader'] as const;
export const REQUEST_FIELDS = ['url', 'path', 'body', 'payload', 'userAgent', 'header', 'cookie', 'hostHeader'] as const;
const MATCH_FIELDS = new Set<string>([...HOST_FIELDS, ...REGEX_FIELDS]);
const SIGNATURE_FIELDS = new Set(['id', 'vendor', 'product', 'category', 'match', 'alert', 'confidence', 'description', 'references', 'added']);
const PACK_FIELDS = new Set(['name', 'version', 'description', 'signatures']);

/** A DNS name as it appears in packs: lowercase letters, digits, hyphens, underscores, dots. */
const DOMAIN_RE = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

/**
 * Checks a parsed JSON value against the pack schema. Returns the pack (a fresh copy holding only
 * known fields) when there are no errors; every error names `source` and the JSON path.
 */
export function validatePack(json: unknown, source: string): { pack?: SignaturePack; errors: string[] } {
  const errors: string[] = [];
  const err = (path: string, msg: string) => errors.push(`${source}: ${path}: ${msg}`);
  if (!isRecord(json)) {
    err('$', 'expected an object with name, version, description and signatures');
    return { errors };
  }
  for (const k of Object.keys(json)) if (!PACK_FIELDS.has(k)) err(`$.${k}`, 'unknown field');
  for (const k of ['name', 'version', 'description'] as const) {
    if (k === 'description' ? typeof json[k] !== 'string' : !nonEmptyString(json[k])) err(`$.${k}`, 'expected a non-empty string');
  }
  if (!Array.isArray(json.signatures)) {
    err('$.signatures', 'expected an array');
    return { errors };
  }
  const ids = new Set<string>();
  const signatures: Signature[] = [];
  json.signatures.forEach((raw, i) => {
    const at = `$.signatures[${i}]`;
    if (!isRecord(raw)) return err(at, 'expected an object');
    for (const k of Object.keys(raw)) if (!SIGNATURE_FIELDS.has(k)) err(`${at}.${k}`, 'unknown field');
    for (const k of ['id', 'vendor', 'product', 'category', 'description'] as const) {
      if (k === 'description' ? typeof raw[k] !== 'string' : !nonEmptyString(raw[k])) err(`${at}.${k}`, 'expected a non-empty string');
    }
    if (nonEmptyString(raw.id)) {
      if (ids.has(raw.id)) err(`${at}.id`, `duplicate id "${raw.id}"`);
      ids.add(raw.id);
    }
    if (typeof raw.alert !== 'boolean') err(`${at}.alert`, 'expected true or false');
    if (!CONFIDENCES.includes(raw.confidence as Confidence)) err(`${at}.confidence`, `expected one of ${CONFIDENCES.join(', ')}`);
    if (!Array.isArray(raw.references) || !raw.references.every((r) => typeof r === 'string')) err(`${at}.references`, 'expected an array of strings');
    if (typeof raw.added !== 'string' || !DATE_RE.test(raw.added)) err(`${at}.added`, 'expected a date YYYY-MM-DD');
    const match = validateMatch(raw.match, `${at}.match`, err);
    if (match) {
      signatures.push({
        id: raw.id as string,
        vendor: raw.vendor as string,
        product: raw.product as string,
        category: raw.category as string,
        match,
        alert: raw.alert as boolean,
        confidence: raw.confidence as Confidence,
        description: raw.description as string,
        references: [...((raw.references as string[] | undefined) ?? [])],
        added: raw.added as string,
      });
    }
  });
  if (errors.length) return { errors };
  return {
    pack: { name: json.name as string, version: json.version as string, description: json.description as string, signatures },
    errors,
  };
}

function validateMatch(raw: unknown, at: string, err: (path: string, msg: string) => void): SignatureMatchSpec | undefined {
  if (!isRecord(raw)) {
    err(at, 'expected an object');
    return undefined;
  }
  const out: SignatureMatchSpec = {};
  let fields = 0;
  for (const [k, v] of Object.entries(raw)) {
    if (!MATCH_FIELDS.has(k)) {
      err(`${at}.${k}`, `unknown match field; known: ${[...MATCH_FIELDS].join(', ')}`);
      continue;
    }
    fields++;
    if (k === 'host' || k === 'suffix') {
      if (!Array.isArray(v) || v.length === 0) {
        err(`${at}.${k}`, 'expected a non-empty array of domain names');
        continue;
      }
      const names: string[] = [];
      v.forEach((name, j) => {
        if (typeof name !== 'string' || !DOMAIN_RE.test(name)) err(`${at}.${k}[${j}]`, `expected a lowercase domain name, got ${JSON.stringify(name)}`);
        else names.push(name);
      });
      out[k] = names;
    } else {
      if (typeof v !== 'string' || v.length === 0) {
        err(`${at}.${k}`, 'expected a regular expression string');
        continue;
      }
      try {
        new RegExp(v);
      } catch (e) {
        err(`${at}.${k}`, `invalid regular expression: ${(e as Error).message}`);
        continue;
      }
      out[k as (typeof REGEX_FIELDS)[number]] = v;
    }
  }
  if (fields === 0) err(at, 'expected at least one of host, suffix, regex, url, path, body, payload, userAgent, header, cookie, hostHeader');
  return out;
}
