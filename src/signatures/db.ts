/**
 * The signature database: vendor endpoint packs indexed for matching.
 *
 * Host matching is by DNS labels: one Map lookup for exact names, then a walk up the labels
 * for suffixes (`a.b.tracking.miui.com` → `b.tracking.miui.com` → … → `com`). Host regexes
 * are filed under the literal suffix they end in (anchors.ts) and run only when the walk
 * reaches it. Request signatures (path, body, User-Agent, … shapes) are few and run per
 * plaintext HTTP request.
 */
import { normaliseHost } from '../hostname.js';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import type { InspectedRequest } from '../inspect/request.js';
import { hostRegexAnchors } from './anchors.js';
import { validatePack, REQUEST_FIELDS, type Signature, type SignatureMatchSpec, type SignaturePack } from './schema.js';

export { validatePack, type Signature, type SignatureMatchSpec, type SignaturePack } from './schema.js';
export { importBlocklist } from './blocklist.js';

export interface SignatureHit {
  signature: Signature;
  on: 'host' | 'path' | 'body' | 'user_agent' | 'cookie' | 'shape';
  /** the name or request part that matched */
  value: string;
  /**
   * Whether the hit says the server is the vendor's: its name, or a request in the shape of
   * the vendor's collector. A hit on what the client carries regardless of the server (an
   * SDK's cookie, which a first-party site sets and gets back) says only which SDK the
   * client runs: false.
   */
  endpoint: boolean;
}

interface CompiledSignature {
  signature: Signature;
  /** insertion order: ties in ordering keep pack order */
  order: number;
  hostRegex: RegExp | null;
  /** a request signature that names hosts (host, suffix or regex) applies only to them */
  hostGated: boolean;
  request: { field: (typeof REQUEST_FIELDS)[number]; re: RegExp }[];
}

/** Request parts a client sends to any server (an SDK's cookie): on their own they do not make a server the vendor's. */
const CLIENT_SIDE_FIELDS: ReadonlySet<string> = new Set(['cookie']);

/** Bytes of a body scanned by body regexes (form bodies of SDKs are far smaller). */
const MAX_BODY_SCAN = 256 * 1024;
const MAX_HIT_VALUE = 200;

function clip(s: string): string {
  return s.length > MAX_HIT_VALUE ? `${s.slice(0, MAX_HIT_VALUE)}…` : s;
}

function hitOn(field: (typeof REQUEST_FIELDS)[number]): SignatureHit['on'] {
  switch (field) {
    case 'url':
    case 'path':
      return 'path';
    case 'body':
    case 'payload':
      return 'body';
    case 'userAgent':
      return 'user_agent';
    case 'cookie':
      return 'cookie';
    default:
      return 'shape';
  }
}

function hasRequestFields(m: SignatureMatchSpec): boolean {
  return REQUEST_FIELDS.some((f) => m[f] !== undefined);
}

let bundledDb: SignatureDb | undefined;
let bundledPackList: SignaturePack[] | undefined;

/** The packs shipped in `signatures/`, parsed and validated once per process. */
export function bundledPacks(): readonly SignaturePack[] {
  if (!bundledPackList) {
    const dir = bundledPackDir();
    bundledPackList = BUNDLED_PACK_FILES.map((f) => loadPackFile(path.join(dir, f)));
  }
  return bundledPackList;
}

/** The `signatures/` folder shipped with the package (found from this module, in src/ or dist/src/). */
export function bundledPackDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'signatures');
    if (existsSync(path.join(candidate, 'xiaomi.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('bundled signature packs not found (expected a signatures/ folder at the package root)');
}

export const BUNDLED_PACK_FILES = ['xiaomi.json', 'sensorsdata.json'] as const;

export class SignatureDb {
  readonly version: string;
  readonly packs: { name: string; version: string; count: number }[];
  private readonly signatures: Signature[] = [];
  private readonly exact = new Map<string, CompiledSignature[]>();
  private readonly suffix = new Map<string, CompiledSignature[]>();
  private readonly regexByAnchor = new Map<string, CompiledSignature[]>();
  /** host regexes without a literal suffix: tried for every name */
  private readonly regexUngated: CompiledSignature[] = [];
  private readonly requestSignatures: CompiledSignature[] = [];
  private readonly hasPayloadSignatures: boolean;
  private readonly vendorPacks = new Map<string, Set<string>>();

  private constructor(packs: SignaturePack[]) {
    this.packs = packs.map((p) => ({ name: p.name, version: p.version, count: p.signatures.length }));
    this.version = packs.map((p) => `${p.name}@${p.version}`).join('+');
    let order = 0;
    let payload = false;
    for (const pack of packs) {
      for (const signature of pack.signatures) {
        this.signatures.push(signature);
        if (!this.vendorPacks.has(signature.vendor)) this.vendorPacks.set(signature.vendor, new Set());
        this.vendorPacks.get(signature.vendor)!.add(pack.name);
        const m = signature.match;
        const c: CompiledSignature = {
          signature,
          order: order++,
          hostRegex: m.regex ? new RegExp(m.regex) : null,
          hostGated: Boolean(m.host || m.suffix || m.regex),
          request: REQUEST_FIELDS.filter((f) => m[f] !== undefined).map((field) => ({ field, re: new RegExp(m[field]!) })),
        };
        if (m.payload) payload = true;
        if (hasRequestFields(m)) {
          this.requestSignatures.push(c);
          continue;
        }
        for (const h of m.host ?? []) push(this.exact, h, c);
        for (const s of m.suffix ?? []) push(this.suffix, s, c);
        if (m.regex) {
          const anchors = hostRegexAnchors(m.regex);
          if (anchors) for (const a of anchors) push(this.regexByAnchor, a, c);
          else this.regexUngated.push(c);
        }
      }
    }
    this.hasPayloadSignatures = payload;
  }

  /** The packs shipped in `signatures/` (parsed once per process). */
  static bundled(): SignatureDb {
    bundledDb ??= SignatureDb.fromPacks([...bundledPacks()]);
    return bundledDb;
  }

  /** A database over validated packs (see validatePack / loadPackFile); later packs add to earlier ones. */
  static fromPacks(packs: SignaturePack[]): SignatureDb {
    return new SignatureDb(packs);
  }

  all(): Signature[] {
    return [...this.signatures];
  }

  /** Every vendor the packs name, with the ids of the packs that name it (in pack order). */
  vendors(): { vendor: string; packs: string[] }[] {
    return [...this.vendorPacks].map(([vendor, packs]) => ({ vendor, packs: [...packs] }));
  }

  /**
   * Signatures naming this host (SNI, Host header, DNS name or CNAME target), most specific
   * first: exact and regex matches, then suffixes from longest to shortest; alerting before
   * non-alerting at equal specificity.
   */
  matchHost(name: string): SignatureHit[] {
    const host = normaliseHost(name);
    if (!host) return [];
    const found: { c: CompiledSignature; rank: number }[] = [];
    const seen = new Set<CompiledSignature>();
    const add = (c: CompiledSignature, rank: number) => {
      if (seen.has(c)) return;
      seen.add(c);
      found.push({ c, rank });
    };
    const labels = host.split('.').length;
    for (const c of this.exact.get(host) ?? []) add(c, labels * 2 + 1);
    let at = 0;
    let depth = labels;
    for (;;) {
      const tail = at === 0 ? host : host.slice(at);
      for (const c of this.regexByAnchor.get(tail) ?? []) if (c.hostRegex!.test(host)) add(c, labels * 2 + 1);
      for (const c of this.suffix.get(tail) ?? []) add(c, depth * 2);
      const dot = host.indexOf('.', at);
      if (dot < 0) break;
      at = dot + 1;
      depth--;
    }
    for (const c of this.regexUngated) if (c.hostRegex!.test(host)) add(c, labels * 2 + 1);
    found.sort((a, b) => b.rank - a.rank || Number(b.c.signature.alert) - Number(a.c.signature.alert) || a.c.order - b.c.order);
    return found.map(({ c }) => ({ signature: c.signature, on: 'host' as const, value: host, endpoint: true }));
  }

  /** True when the host constraint of a request signature (if any) holds for `host`. */
  private hostAllows(c: CompiledSignature, host: string | null): boolean {
    if (!c.hostGated) return true;
    if (!host) return false;
    const m = c.signature.match;
    if (m.host?.includes(host)) return true;
    if (m.suffix?.some((s) => host === s || host.endsWith(`.${s}`))) return true;
    return c.hostRegex !== null && c.hostRegex.test(host);
  }

  /**
   * Request-shape signatures a plaintext HTTP request matches (Sensors Data ingest paths and
   * bodies on any host, SDK User-Agents, vendor URL paths). Alerting hits first, then pack order.
   */
  matchHttp(req: InspectedRequest, limits: Limits = DEFAULT_LIMITS): SignatureHit[] {
    if (this.requestSignatures.length === 0) return [];
    const host = req.host ? normaliseHost(req.host) : null;
    // each field's texts are built once per request, and only if a signature tests them
    const texts = new RequestTexts(req, host, limits, this.hasPayloadSignatures);
    let hits: { c: CompiledSignature; hit: SignatureHit }[] | null = null;
    for (const c of this.requestSignatures) {
      if (!this.hostAllows(c, host)) continue;
      let first: SignatureHit | null = null;
      let all = true;
      for (let i = 0; i < c.request.length; i++) {
        const { field, re } = c.request[i];
        const matched = firstMatch(texts.of(field), re);
        if (matched === null) {
          all = false;
          break;
        }
        first ??= {
          signature: c.signature,
          on: hitOn(field),
          value: clip(matched),
          endpoint: c.hostGated || c.request.some((r) => !CLIENT_SIDE_FIELDS.has(r.field)),
        };
      }
      if (all && first) (hits ??= []).push({ c, hit: first });
    }
    if (hits === null) return [];
    hits.sort((a, b) => Number(b.c.signature.alert) - Number(a.c.signature.alert) || a.c.order - b.c.order);
    return hits.map((h) => h.hit);
  }
}

type RequestField = (typeof REQUEST_FIELDS)[number];

function firstMatch(texts: readonly string[], re: RegExp): string | null {
  for (let i = 0; i < texts.length; i++) if (re.test(texts[i])) return texts[i];
  return null;
}

const NO_TEXTS: readonly string[] = [];

/** The texts of one request that request signatures test, per field, each built on first use. */
class RequestTexts {
  private url?: readonly string[];
  private path?: readonly string[];
  private body?: readonly string[];
  private payload?: readonly string[];
  private userAgent?: readonly string[];
  private header?: readonly string[];
  private cookie?: readonly string[];
  private hostHeader?: readonly string[];

  constructor(
    private readonly req: InspectedRequest,
    private readonly host: string | null,
    private readonly limits: Limits,
    private readonly hasPayloadSignatures: boolean,
  ) {}

  of(field: RequestField): readonly string[] {
    const req = this.req;
    switch (field) {
      case 'url':
        return (this.url ??= this.host ? [`http://${this.host}${req.uri}`] : NO_TEXTS);
      case 'path':
        return (this.path ??= [req.uri]);
      case 'body':
        return (this.body ??= this.bodyTexts());
      case 'payload':
        return (this.payload ??= this.payloadTexts());
      case 'userAgent':
        return (this.userAgent ??= headerValues(req, 'user-agent'));
      case 'header':
        return (this.header ??= req.headers.map((h) => `${h.name}: ${h.value}`));
      case 'cookie':
        return (this.cookie ??= headerValues(req, 'cookie'));
      case 'hostHeader':
        return (this.hostHeader ??= req.host ? [req.host.trim().toLowerCase()] : NO_TEXTS);
    }
  }

  /** the query string and the body as latin1 (one char per byte: byte regexes stay byte regexes) */
  private bodyTexts(): readonly string[] {
    const req = this.req;
    const q = req.uri.indexOf('?');
    const out: string[] = [];
    if (q >= 0 && q + 1 < req.uri.length) out.push(req.uri.slice(q + 1));
    const n = Math.min(req.body.byteLength, MAX_BODY_SCAN);
    if (n > 0) out.push(Buffer.from(req.body.buffer, req.body.byteOffset, n).toString('latin1'));
    return out;
  }

  /** the JSON found at any depth of the query's and body's encodings */
  private payloadTexts(): readonly string[] {
    if (!this.hasPayloadSignatures) return NO_TEXTS;
    const { query, body } = this.req.layers(this.limits);
    const out: string[] = [];
    for (const layers of [query, body]) for (const l of layers) if (l.kind === 'json' && l.text !== undefined) out.push(l.text);
    return out;
  }
}

function headerValues(req: InspectedRequest, lowerName: string): readonly string[] {
  let out: string[] | null = null;
  for (const h of req.headers) if (h.name.toLowerCase() === lowerName) (out ??= []).push(h.value);
  return out ?? NO_TEXTS;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Reads and validates a pack file; throws an Error naming the file and the JSON path. */
export function loadPackFile(file: string): SignaturePack {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read signature pack ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const { pack, errors } = validatePack(json, file);
  if (!pack) throw new Error(`invalid signature pack:\n  ${errors.join('\n  ')}`);
  return pack;
}
