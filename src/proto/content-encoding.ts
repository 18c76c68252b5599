/**
 * HTTP Content-Encoding decoding (RFC 9110 §8.4): gzip / x-gzip, deflate (zlib-wrapped, or raw
 * as some servers and clients send it), br, identity; several codings listed are undone in
 * reverse order. Output is capped: node:zlib's `maxOutputLength` stops a decompression bomb at
 * the cap without ever holding more than the cap in memory.
 */
import zlib from 'node:zlib';

export interface DecodedContent {
  /** decoded bytes (at most maxBytes); the input unchanged when nothing could be decoded */
  bytes: Uint8Array;
  /** why decoding failed or stopped early ('truncated input', 'unsupported coding: x', zlib's message) */
  error: string | null;
  /** decoding produced more than maxBytes: `bytes` is the first part only */
  capped: boolean;
}

type Inflate = (buf: Uint8Array, opts: zlib.ZlibOptions & zlib.BrotliOptions) => Buffer;

const ZLIB_PARTIAL = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_PARTIAL = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };

function inflaterFor(coding: string, input: Uint8Array): { fn: Inflate; partial: object } | null {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return { fn: zlib.gunzipSync as Inflate, partial: ZLIB_PARTIAL };
    case 'deflate':
      // "deflate" means zlib-wrapped (RFC 1950), but raw deflate is common in the wild: a zlib
      // header has compression method 8 and a header checksum divisible by 31.
      return input.length >= 2 && (input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0
        ? { fn: zlib.inflateSync as Inflate, partial: ZLIB_PARTIAL }
        : { fn: zlib.inflateRawSync as Inflate, partial: ZLIB_PARTIAL };
    case 'br':
      return { fn: zlib.brotliDecompressSync as Inflate, partial: BROTLI_PARTIAL };
    default:
      return null;
  }
}

function isTooLarge(e: unknown): boolean {
  return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Decodes with `fn`, tolerating cut-short input; over the cap, returns the longest prefix that fits. */
function inflateOne(input: Uint8Array, fn: Inflate, partial: object, maxBytes: number): DecodedContent {
  try {
    return { bytes: fn(input, { maxOutputLength: Math.max(1, maxBytes) }), error: null, capped: false };
  } catch (e) {
    if (isTooLarge(e)) return inflatePrefix(input, fn, partial, maxBytes);
    // A body cut short (capture ended, body cap) still decodes up to where it stops.
    try {
      const bytes = fn(input, { ...partial, maxOutputLength: Math.max(1, maxBytes) });
      return bytes.length > 0 ? { bytes, error: 'truncated input', capped: false } : { bytes: input, error: message(e), capped: false };
    } catch (e2) {
      if (isTooLarge(e2)) return inflatePrefix(input, fn, partial, maxBytes);
      return { bytes: input, error: message(e), capped: false };
    }
  }
}

/**
 * The sync API gives no output once the cap is exceeded, so bisect on the input length for the
 * longest input prefix whose (partial) output still fits. Each attempt is itself capped, so a
 * bomb costs O(log n) bounded decompressions and never more than maxBytes of memory.
 */
function inflatePrefix(input: Uint8Array, fn: Inflate, partial: object, maxBytes: number): DecodedContent {
  let lo = 0,
    hi = input.length; // invariant: prefix lo fits (or is 0), prefix hi does not
  let best: Buffer = Buffer.alloc(0);
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    try {
      best = fn(input.subarray(0, mid), { ...partial, maxOutputLength: Math.max(1, maxBytes) });
      lo = mid;
    } catch (e) {
      if (isTooLarge(e)) hi = mid;
      else lo = mid; // an undecodable prefix (mid-header): keep the last good output, move on
    }
  }
  return { bytes: best, error: null, capped: true };
}

/**
 * Undoes `encoding` (a Content-Encoding header value) on `body`, producing at most `maxBytes`.
 * Unknown codings leave the bytes as they are with an error; never throws on bad data.
 */
export function decodeContent(body: Uint8Array, encoding: string, maxBytes: number): DecodedContent {
  const codings = encoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  let bytes = body;
  let capped = false;
  // codings are listed in the order they were applied: undo the last first
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!;
    const inflater = inflaterFor(coding, bytes);
    if (!inflater) return { bytes, error: `unsupported coding: ${coding}`, capped };
    const r = inflateOne(bytes, inflater.fn, inflater.partial, maxBytes);
    if (r.capped) capped = true;
    if (r.error !== null) return { bytes: r.bytes, error: r.error, capped };
    bytes = r.bytes;
  }
  return { bytes, error: null, capped };
}
