/**
 * Payload peeling: undoes the encodings telemetry SDKs stack on what they send (form fields,
 * URL-encoding, base64, gzip/zlib, JSON inside JSON strings) and returns every decoded layer
 * with the chain of steps that reached it, e.g.
 * `body form:data_list → base64 → gzip → json`. Bounded by limits.maxPeelDepth (steps),
 * limits.maxDecompressedBytes (bytes inflated per call), limits.maxJsonDepth and
 * limits.maxValuesPerPayload; each cap reports `limit_reached` once per call.
 */
import { brotliDecompressSync, constants as zc, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { AnomalySink } from '../anomaly.js';
import type { Limits, LimitName } from '../limits.js';
import { base64Candidate, isGzip, isZlib, parseForm, printableText } from './codec.js';

export interface PeelLayer {
  /** how this layer was reached: `uri query:data → base64 → json` */
  chain: string;
  kind: 'text' | 'json' | 'form' | 'binary';
  /** the layer's text (JSON source text for json layers, form text for form layers) */
  text?: string;
  /** the parsed value of a json layer (JSON.parse output: `__proto__` stays an own key) */
  json?: unknown;
  /** decoded [key, value] pairs of a form layer, in order */
  fields?: [string, string][];
  /** byte length of a binary layer (nothing further could be decoded) */
  bytes?: number;
}

export interface PeelOptions {
  /** name of the root (`body`, `uri query`, `header Cookie`); default `payload` */
  chain?: string;
  /** Content-Type of a body: multipart bodies are split into their parts */
  contentType?: string | null;
  /** Content-Encoding of a body: deflate and br have no magic number to detect */
  contentEncoding?: string | null;
}

/** Strings inside JSON shorter than this are never decoded further. */
const MIN_NESTED_CHARS = 12;

class Peeler {
  readonly layers: PeelLayer[] = [];
  private inflateBudget: number;
  private values = 0;
  private readonly reported = new Set<LimitName>();

  constructor(
    private readonly limits: Limits,
    private readonly ctx: AnomalySink | undefined,
  ) {
    this.inflateBudget = limits.maxDecompressedBytes;
  }

  private limit(name: LimitName): void {
    if (this.reported.has(name)) return;
    this.reported.add(name);
    this.ctx?.anomaly('limit_reached', 0, name);
  }

  /** Whether another decode step is allowed below `depth` steps. */
  private deeper(depth: number): boolean {
    if (depth < this.limits.maxPeelDepth) return true;
    this.limit('maxPeelDepth');
    return false;
  }

  private countValues(n: number): boolean {
    this.values += n;
    if (this.values <= this.limits.maxValuesPerPayload) return true;
    this.limit('maxValuesPerPayload');
    return false;
  }

  /** Inflates gzip/zlib/raw deflate/brotli within the remaining byte budget; null on failure. */
  inflate(b: Uint8Array, kind: 'gzip' | 'zlib' | 'deflate' | 'br', chain: string): Uint8Array | null {
    if (this.inflateBudget <= 0) {
      this.limit('maxDecompressedBytes');
      return null;
    }
    // sync flush: a body cut short by a capture or a body cap still yields what it holds
    const opts = { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: this.inflateBudget };
    try {
      let out: Buffer;
      if (kind === 'gzip') out = gunzipSync(b, opts);
      else if (kind === 'zlib') out = inflateSync(b, opts);
      else if (kind === 'deflate') out = isZlib(b) ? inflateSync(b, opts) : inflateRawSync(b, opts);
      else out = brotliDecompressSync(b, { maxOutputLength: this.inflateBudget });
      this.inflateBudget -= out.length;
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') this.limit('maxDecompressedBytes');
      else this.ctx?.anomaly('leak_decompress_failed', 0, `${chain} → ${kind}`);
      return null;
    }
  }

  bytes(b: Uint8Array, chain: string, depth: number): void {
    if (isGzip(b) || isZlib(b)) {
      const kind = isGzip(b) ? 'gzip' : 'zlib';
      if (!this.deeper(depth)) return;
      const out = this.inflate(b, kind, chain);
      if (out) this.bytes(out, `${chain} → ${kind}`, depth + 1);
      else this.layers.push({ chain, kind: 'binary', bytes: b.length });
      return;
    }
    const text = printableText(b);
    if (text === null) {
      this.layers.push({ chain, kind: 'binary', bytes: b.length });
      return;
    }
    this.text(text, chain, depth, true);
  }

  /**
   * A string at `chain`. `root` strings always become a layer (text when nothing else fits);
   * nested strings (JSON values, form fields) become layers only when they decode to something.
   */
  text(s: string, chain: string, depth: number, root: boolean): boolean {
    const t = s.trim();
    const c0 = t.charCodeAt(0);
    if (c0 === 0x7b /* { */ || c0 === 0x5b /* [ */) {
      let json: unknown;
      let parsed = false;
      try {
        json = JSON.parse(t);
        parsed = true;
      } catch {
        if (root) this.ctx?.anomaly('leak_json_malformed', 0, chain);
      }
      if (parsed) {
        const at = `${chain} → json`;
        this.layers.push({ chain: at, kind: 'json', text: t, json });
        this.walkJson(json, at, '$', depth, 0);
        return true;
      }
    }
    if (!/^https?:\/\//i.test(t)) {
      // base64 first: its `=` padding would otherwise read as a form field
      const decoded = base64Candidate(t);
      if (decoded && this.deeper(depth) && this.plausibleDecoded(decoded)) {
        this.bytes(decoded, `${chain} → base64`, depth + 1);
        return true;
      }
      const fields = t.indexOf('=') > 0 ? parseForm(t, this.limits.maxValuesPerPayload) : null;
      if (fields && this.countValues(fields.length)) {
        this.layers.push({ chain, kind: 'form', text: t, fields });
        for (const [k, v] of fields) if (v.length >= MIN_NESTED_CHARS && this.deeper(depth)) this.text(v, fieldChain(chain, k), depth + 1, false);
        return true;
      }
    }
    if (root) this.layers.push({ chain, kind: 'text', text: s });
    return false;
  }

  /** Base64 is taken only when it decodes to compressed data or readable text. */
  private plausibleDecoded(b: Uint8Array): boolean {
    if (isGzip(b) || isZlib(b)) return true;
    const text = printableText(b);
    if (text === null) return false;
    const c = text.trimStart().charCodeAt(0);
    if (c === 0x7b || c === 0x5b) return true;
    // other text: mostly letters, digits, punctuation and spaces (random bytes rarely are)
    let plain = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if ((ch >= 0x20 && ch < 0x7f) || ch >= 0x3000) plain++;
    }
    return plain >= text.length * 0.95 && text.length >= 6;
  }

  /** Visits string values of a parsed JSON value that may hold a further encoding. */
  private walkJson(v: unknown, chain: string, path: string, depth: number, level: number): void {
    if (level > this.limits.maxJsonDepth) {
      this.limit('maxJsonDepth');
      return;
    }
    if (typeof v === 'string') {
      if (!this.countValues(1)) return;
      if (v.length >= MIN_NESTED_CHARS && this.deeper(depth)) this.text(v, `${chain} ${path}`, depth + 1, false);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) this.walkJson(v[i], chain, `${path}[${i}]`, depth, level + 1);
      return;
    }
    if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) this.walkJson((v as Record<string, unknown>)[k], chain, jsonPath(path, k), depth, level + 1);
    }
  }

  multipart(body: Uint8Array, boundary: string, chain: string, depth: number): boolean {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
    const delimiter = `--${boundary}`;
    const parts = text.split(delimiter);
    if (parts.length < 3) return false;
    for (const part of parts.slice(1)) {
      if (part.startsWith('--')) break;
      const headEnd = part.indexOf('\r\n\r\n');
      if (headEnd < 0) continue;
      const head = part.slice(0, headEnd);
      const name = /name="([^"]*)"/i.exec(head)?.[1] ?? '?';
      let content = part.slice(headEnd + 4);
      if (content.endsWith('\r\n')) content = content.slice(0, -2);
      const bytes = new Uint8Array(Buffer.from(content, 'latin1'));
      this.bytes(bytes, `${chain} multipart:${name}`, depth + 1);
    }
    return true;
  }
}

/** The chain a form field is reported at: `uri query:q`, `body form:data`, `… → base64 → form:d`. */
export function fieldChain(layerChain: string, key: string): string {
  if (/(^| )query$/.test(layerChain)) return `${layerChain}:${key}`;
  if (!layerChain.includes(' → ') && !layerChain.includes(':')) return `${layerChain} form:${key}`;
  return `${layerChain} → form:${key}`;
}

/** `$.a.b`, `$["odd key"]`: the JSONPath of a child, readable and unambiguous. */
export function jsonPath(parent: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Every decoded layer of `input`, outermost first. Strings are taken as text; bytes are
 * inflated when they carry a gzip/zlib header (or the given Content-Encoding) and read as
 * UTF-8 when printable. Never throws on bad input.
 */
export function peel(input: Uint8Array | string, limits: Limits, ctx?: AnomalySink, opts: PeelOptions = {}): PeelLayer[] {
  const p = new Peeler(limits, ctx);
  const chain = opts.chain ?? 'payload';
  if (typeof input === 'string') {
    p.text(input, chain, 0, true);
    return p.layers;
  }
  let bytes = input;
  let at = chain;
  const encoding = opts.contentEncoding?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    const kind = encoding === 'gzip' || encoding === 'x-gzip' ? 'gzip' : encoding === 'deflate' ? 'deflate' : encoding === 'br' ? 'br' : null;
    if (kind) {
      const out = p.inflate(bytes, kind, chain);
      if (!out) {
        p.layers.push({ chain, kind: 'binary', bytes: bytes.length });
        return p.layers;
      }
      bytes = out;
      at = `${chain} → ${kind}`;
    }
  }
  const boundary = opts.contentType ? /^multipart\/[a-z-]+;.*boundary="?([^";]+)"?/i.exec(opts.contentType)?.[1] : undefined;
  if (boundary && p.multipart(bytes, boundary, at, 0)) return p.layers;
  p.bytes(bytes, at, 0);
  return p.layers;
}
