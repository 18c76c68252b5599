/**
 * Mutation fuzzing of the header decoders and the HTTP/2 parser on their own (the pipeline fuzzer,
 * bench/fuzz.mjs, reaches them only through decryption): real decrypted HTTP/2 connections
 * (h2_node_curl_sdk.pcap, via tshark) and the RFC 7541 blocks, with bytes flipped, inserted,
 * removed and lengths corrupted. Properties: nothing throws, output stays bounded by the limits,
 * and a decoder that saw damage still reads a good connection afterwards from a fresh instance.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../src/anomaly.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { HpackDecoder, type HpackField } from '../../src/proto/hpack.js';
import { huffmanDecode, huffmanMaxDecodedLength } from '../../src/proto/huffman.js';
import { Http2Connection } from '../../src/proto/http2.js';
import { tsharkHttp2Streams } from '../../test-support/tshark-http2.js';
import { SHARED } from '../helpers/paths.js';

/** xorshift32: iteration i always gets the same mutation */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function mutate(src: Uint8Array, seed: number): Uint8Array {
  const r = rng(seed);
  const b = Array.from(src);
  const edits = 1 + r(8);
  for (let e = 0; e < edits && b.length > 0; e++) {
    const at = r(b.length);
    switch (r(6)) {
      case 0:
        b[at] = r(256);
        break;
      case 1:
        b[at] = b[at]! ^ (1 << r(8));
        break;
      case 2:
        b.splice(at, 0, ...Array.from({ length: 1 + r(16) }, () => r(256)));
        break;
      case 3:
        b.splice(at, 1 + r(32));
        break;
      case 4:
        b[at] = 0xff;
        break; // long integers, huge lengths
      default:
        b.length = at;
        break; // cut short
    }
  }
  return Uint8Array.from(b);
}

const DIR = path.join(SHARED, 'keyed', 'clients');

describe('fuzz: HTTP/2 and HPACK on mutated real connections', () => {
  const conns = tsharkHttp2Streams(path.join(DIR, 'h2_node_curl_sdk.pcap'), path.join(DIR, 'h2_node_curl_sdk.keys'), [19443]);

  it('4,000 mutated connections: no throw, bounded output', () => {
    let requests = 0;
    for (let i = 0; i < 4000; i++) {
      const conn = conns[i % conns.length]!;
      const client = mutate(conn.client, i * 2 + 1);
      const server = mutate(conn.server, i * 2 + 2);
      const log = new AnomalyLog(100);
      let out = 0;
      const h2 = new Http2Connection(DEFAULT_LIMITS, log, {
        request: (r) => {
          out++;
          requests++;
          expect(r.headers.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxHttpHeaders);
        },
        response: () => {
          out++;
        },
      });
      const step = 1 + (i % 97);
      for (let o = 0; o < Math.max(client.length, server.length); o += step) {
        if (o < client.length) h2.pushClient(client, o, Math.min(o + step, client.length));
        if (o < server.length) h2.pushServer(server, o, Math.min(o + step, server.length));
      }
      h2.end();
      // a request or response needs at least a 9-byte frame header
      expect(out).toBeLessThanOrEqual((client.length + server.length) / 9);
    }
    // mutation leaves many connections readable: the fuzzer is reaching past the preface
    expect(requests).toBeGreaterThan(1000);
  });

  it('20,000 mutated and random header blocks: decodeBlock never throws', () => {
    const blocks = [
      '828684418cf1e3c2e5f23a6ba0ab90f4ff',
      '8286 84be 5886 a8eb 1064 9cbf',
      '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
    ].map((h) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex')));
    const d = () => new HpackDecoder(DEFAULT_LIMITS, new AnomalyLog(10));
    let dec = d();
    for (let i = 0; i < 20_000; i++) {
      const r = rng(i + 99);
      const b = i % 4 === 0 ? Uint8Array.from({ length: r(64) }, () => r(256)) : mutate(blocks[i % blocks.length]!, i + 7);
      if (dec.failed) dec = d();
      const out: HpackField[] = [];
      dec.decodeBlock(b, 0, b.length, out);
      expect(out.length).toBeLessThanOrEqual(b.length);
      expect(dec.dynamicBytes).toBeLessThanOrEqual(DEFAULT_LIMITS.maxHpackTableBytes);
      const dst = new Uint8Array(huffmanMaxDecodedLength(b.length));
      expect(huffmanDecode(b, 0, b.length, dst, 0)).toBeLessThanOrEqual(dst.length);
    }
  });
});
