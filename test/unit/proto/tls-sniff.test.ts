/**
 * Recognising a ClientHello from its first bytes however the client split them: zapret and
 * GoodbyeDPI send the first 1-4 bytes in a TCP segment of their own, and some clients split the
 * ClientHello over several TLS records. Bytes from a real ClientHello (shared tls_curl_openssl).
 */
import { describe, expect, it } from 'vitest';
import { NEED_MORE, sniffTlsClientHello, parseClientHello } from '../../../src/proto/tls.js';
import { TlsStreamReader } from '../../../src/proto/tls-stream.js';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits } from '../../../src/limits.js';
import { readSegments } from '../../helpers/capture.js';
import { sharedCapture } from '../../helpers/paths.js';

const segs = readSegments(sharedCapture('tls_curl_openssl.pcap'));
const hello = segs.find((s) => s.proto === 6 && s.payload.length > 5 && s.payload[0] === 22 && s.payload[5] === 1)!.payload;
const recordLen = 5 + ((hello[3]! << 8) | hello[4]!);
const record = hello.subarray(0, recordLen);

/** The same handshake message re-framed into records of at most `size` payload bytes. */
function reframe(size: number): Uint8Array {
  const hs = record.subarray(5);
  const parts: number[] = [];
  for (let i = 0; i < hs.length; i += size) {
    const piece = hs.subarray(i, i + size);
    parts.push(22, 3, 1, piece.length >> 8, piece.length & 0xff, ...piece);
  }
  return Uint8Array.from(parts);
}

function sniPushed(stream: Uint8Array, cuts: number[]): string[] {
  const names: string[] = [];
  const reader = new TlsStreamReader(resolveLimits(), new AnomalyLog(), (type, body) => {
    if (type === 1) names.push(...(parseClientHello(body, 0, body.length, new AnomalyLog())?.serverNames ?? []));
  });
  let at = 0;
  for (const c of [...cuts, stream.length]) {
    reader.push(stream.subarray(at, c));
    at = c;
  }
  return names;
}

describe('sniffTlsClientHello', () => {
  it.each([1, 2, 3, 4, 5])('waits on a first segment of %i bytes, then says yes', (n) => {
    expect(sniffTlsClientHello(hello, 0, n)).toBe(NEED_MORE);
    expect(sniffTlsClientHello(hello, 0, hello.length)).toBe(1);
  });

  it.each([
    ['an HTTP request', 'GET / HTTP/1.1\r\n'],
    ['SSH', 'SSH-2.0-OpenSSH_9.2\r\n'],
    ['a TLS alert record', '\x15\x03\x03\x00\x02\x02\x28'],
    ['a handshake record that is not a ClientHello', '\x16\x03\x03\x00\x04\x02\x00\x00\x00'],
    ['a bad record version', '\x16\x05'],
    ['an empty handshake record', '\x16\x03\x01\x00\x00'],
  ])('says no at once to %s', (_what, text) => {
    const b = Uint8Array.from(text, (c) => c.charCodeAt(0));
    expect(sniffTlsClientHello(b, 0, b.length)).toBe(0);
  });

  it('decides on the first record even when the ClientHello is split over records of 1 byte', () => {
    const split = reframe(1);
    expect(sniffTlsClientHello(split, 0, 6)).toBe(1);
  });
});

describe('a ClientHello split over records and segments', () => {
  const sni = sniPushed(record, []);
  it('the unsplit hello has its server name', () => {
    expect(sni).toHaveLength(1);
    expect(sni[0]).toMatch(/xiaomi|miui|sensorsdata|example/);
  });

  it.each([1, 7, 100, 512])('records of %i bytes, first segment 1-4 bytes: same server names', (size) => {
    const stream = reframe(size);
    for (const first of [1, 2, 3, 4]) expect(sniPushed(stream, [first, first + 3])).toEqual(sni);
  });
});
