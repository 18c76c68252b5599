/**
 * HTTP/2 writing for tests and the benchmark generator: frames (RFC 9113 §4.1) and an HPACK
 * encoder that needs no state — fields found whole in the static table are indexed, every other
 * field is a literal without indexing with a literal name, and no string is Huffman-coded
 * (RFC 7541 §6.1, §6.2.2). Any decoder reads that; it is not how browsers compress.
 */
import { HPACK_STATIC_TABLE } from '../src/proto/hpack.js';
import { HTTP2_PREFACE } from '../src/proto/http2.js';

export { HTTP2_PREFACE };

export const H2 = {
  DATA: 0,
  HEADERS: 1,
  PRIORITY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PUSH_PROMISE: 5,
  PING: 6,
  GOAWAY: 7,
  WINDOW_UPDATE: 8,
  CONTINUATION: 9,
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY_FLAG: 0x20,
} as const;

export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = payload.length >>> 16;
  out[1] = (payload.length >>> 8) & 0xff;
  out[2] = payload.length & 0xff;
  out[3] = type;
  out[4] = flags;
  out[5] = (streamId >>> 24) & 0x7f;
  out[6] = (streamId >>> 16) & 0xff;
  out[7] = (streamId >>> 8) & 0xff;
  out[8] = streamId & 0xff;
  out.set(payload, 9);
  return out;
}

export function settings(values: [number, number][] = []): Uint8Array {
  const p = new Uint8Array(values.length * 6);
  values.forEach(([id, v], i) => {
    p[i * 6] = id >>> 8;
    p[i * 6 + 1] = id & 0xff;
    p[i * 6 + 2] = v >>> 24;
    p[i * 6 + 3] = (v >>> 16) & 0xff;
    p[i * 6 + 4] = (v >>> 8) & 0xff;
    p[i * 6 + 5] = v & 0xff;
  });
  return frame(H2.SETTINGS, 0, 0, p);
}

/** An HPACK integer with an n-bit prefix, the prefix's other bits being `high` (RFC 7541 §5.1). */
function integer(out: number[], value: number, n: number, high: number): void {
  const max = (1 << n) - 1;
  if (value < max) {
    out.push(high | value);
    return;
  }
  out.push(high | max);
  value -= max;
  while (value >= 128) {
    out.push((value % 128) + 128);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function literal(out: number[], s: string): void {
  const b = Buffer.from(s, 'utf8');
  integer(out, b.length, 7, 0);
  for (const c of b) out.push(c);
}

const STATIC_INDEX = new Map(HPACK_STATIC_TABLE.map(([n, v], i) => [`${n}\0${v}`, i + 1]));

/** A header block for `fields` (see the module comment for how it is encoded). */
export function hpackBlock(fields: [string, string][]): Uint8Array {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const index = STATIC_INDEX.get(`${name}\0${value}`);
    if (index !== undefined) {
      integer(out, index, 7, 0x80);
      continue;
    }
    out.push(0x00);
    literal(out, name);
    literal(out, value);
  }
  return Uint8Array.from(out);
}

/** HEADERS (+ CONTINUATION frames when the block is longer than maxFrame) for one stream */
export function headers(streamId: number, fields: [string, string][], endStream: boolean, maxFrame = 16384): Uint8Array[] {
  const block = hpackBlock(fields);
  const frames: Uint8Array[] = [];
  for (let o = 0; o === 0 || o < block.length; o += maxFrame) {
    const part = block.subarray(o, Math.min(o + maxFrame, block.length));
    const last = o + maxFrame >= block.length;
    const flags = (last ? H2.END_HEADERS : 0) | (o === 0 && endStream ? H2.END_STREAM : 0);
    frames.push(frame(o === 0 ? H2.HEADERS : H2.CONTINUATION, flags, streamId, part));
  }
  return frames;
}

/** DATA frames of at most maxFrame bytes carrying `body`; the last ends the stream when asked */
export function data(streamId: number, body: Uint8Array, endStream: boolean, maxFrame = 16384): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let o = 0; o === 0 || o < body.length; o += maxFrame) {
    const last = o + maxFrame >= body.length;
    frames.push(frame(H2.DATA, last && endStream ? H2.END_STREAM : 0, streamId, body.subarray(o, Math.min(o + maxFrame, body.length))));
  }
  return frames;
}
