import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../../../src/limits.js';
import { ja3, ja4 } from '../../../src/proto/ja4.js';
import {
  MALFORMED,
  NEED_MORE,
  isGrease,
  looksLikeTlsClientHello,
  offeredVersions,
  parseCertificateNames,
  parseClientHello,
  parseServerHello,
  parseSsl2ClientHello,
  tlsRecordLength,
  tlsVersionName,
  type ClientHello,
  type ServerHello,
} from '../../../src/proto/tls.js';
import { SSL2_CLIENT_HELLO, TlsStreamReader } from '../../../src/proto/tls-stream.js';
import { concat, readSegments, tcpChunks } from './tls-test-capture.js';
import { buildAppDataRecord, buildClientHelloRecord } from '../../../test-support/synth/tls.js';

// test/unit/proto → repository root is three levels up; ../shared sits beside it
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SHARED = path.resolve(ROOT, '../shared');
const capture = (name: string): string => path.join(SHARED, 'captures', name);
const corpus = (name: string): string => path.join(SHARED, 'corpus', 'files', name);

interface Seen {
  clientHellos: ClientHello[];
  serverHellos: ServerHello[];
  certNames: string[][];
  log: AnomalyLog;
  reader: TlsStreamReader;
}

/** runs one direction's bytes, chunk by chunk, through a TlsStreamReader and the parsers */
function run(chunks: Uint8Array[], limits: Limits = { ...DEFAULT_LIMITS }): Seen {
  const log = new AnomalyLog();
  const seen: Seen = { clientHellos: [], serverHellos: [], certNames: [], log, reader: undefined! };
  seen.reader = new TlsStreamReader({ ...limits }, log, (type, body, _cut, serverHello) => {
    if (type === 1) {
      const ch = parseClientHello(body, 0, body.length, log);
      if (ch) seen.clientHellos.push(ch);
    }
    if (type === 2) {
      // the reader parsed it (anomalies went to its log): the same as parsing the body again
      expect(serverHello).toEqual(parseServerHello(body, 0, body.length, new AnomalyLog()));
      if (serverHello) seen.serverHellos.push(serverHello);
    }
    if (type === 11) seen.certNames.push(parseCertificateNames(body, 0, body.length, log));
    if (type === SSL2_CLIENT_HELLO) {
      const ch = parseSsl2ClientHello(body, 0, body.length, log);
      if (ch) seen.clientHellos.push(ch);
    }
  });
  for (const c of chunks) seen.reader.push(c);
  return seen;
}

const port = (hostPort: string): number => Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));

interface TruthFlow {
  id: number;
  client: string;
  server: string;
  note?: string;
  tls: {
    sni: string | null;
    sni_length: number;
    version: string;
    alpn_negotiated: string | null;
    resumed: boolean;
    client_hello: {
      tcp_segments: number;
      handshake_length: number;
      alpn_offered: string | null;
      supported_versions: string | null;
      extension_types: number[];
      ja3: string;
      grease: boolean;
      ech_grease_or_real: boolean;
      pre_shared_key: boolean;
      session_ticket: boolean;
    };
  } | null;
}

for (const file of ['tls_browser', 'tls_curl_openssl']) {
  const truth = JSON.parse(readFileSync(capture(`${file}.truth.json`), 'utf8')) as { flows: TruthFlow[] };
  const segs = readSegments(capture(`${file}.pcap`));
  const flows = truth.flows.filter((f) => f.tls !== null && f.tls.client_hello !== null);

  describe(`ClientHellos of ${file}.pcap against its truth file`, () => {
    it('has the expected number of TLS flows', () => {
      expect(flows.length).toBe(file === 'tls_browser' ? 23 : 26);
    });

    it.each(flows.map((f) => [f.id, f] as const))('flow %i', (_id, f) => {
      const chunks = tcpChunks(segs, port(f.client), port(f.server));
      const seen = run(chunks.map((c) => c.bytes));
      const want = f.tls!.client_hello;
      expect(seen.clientHellos).toHaveLength(1);
      const ch = seen.clientHellos[0]!;
      expect(ja3(ch).md5).toBe(want.ja3);
      expect(ch.extensions).toEqual(want.extension_types);
      expect(ch.serverNames).toEqual(f.tls!.sni_length > 0 ? [f.tls!.sni] : []);
      expect(ch.serverNames[0]?.length ?? 0).toBe(f.tls!.sni_length);
      expect(ch.alpn.join(',')).toBe(want.alpn_offered ?? '');
      expect(ch.supportedVersions.map((v) => `0x${v.toString(16).padStart(4, '0')}`).join(',')).toBe(want.supported_versions ?? '');
      expect(ch.grease).toBe(want.grease);
      expect(ch.ech).toBe(want.ech_grease_or_real);
      expect(ch.preSharedKey).toBe(want.pre_shared_key);
      expect(ch.sessionTicket).toBe(want.session_ticket);
      expect(seen.log.total).toBe(0);
      // the client stream goes quiet (encrypted) after its hello: CCS or application data
      expect(seen.reader.encrypted).toBe(true);
    });

    it.each(flows.map((f) => [f.id, f] as const))('flow %i: server hello and version', (_id, f) => {
      const seen = run(tcpChunks(segs, port(f.server), port(f.client)).map((c) => c.bytes));
      expect(seen.serverHellos).toHaveLength(1);
      const sh = seen.serverHellos[0]!;
      expect(`TLSv${tlsVersionName(sh.version)}`).toBe(f.tls!.version);
      // TLS 1.3 moves the chosen ALPN into the encrypted EncryptedExtensions
      expect(sh.alpn).toBe(f.tls!.version === 'TLSv1.2' ? f.tls!.alpn_negotiated : null);
      expect(sh.helloRetryRequest).toBe(false);
      expect(seen.reader.encrypted).toBe(true);
      expect(seen.log.total).toBe(0);
      // TLS 1.2 sends its certificate in the clear: the test CA issued it for the SNI
      if (f.tls!.version === 'TLSv1.2' && !f.tls!.resumed) {
        expect(seen.certNames).toHaveLength(1);
        if (f.tls!.sni) expect(seen.certNames[0]).toContain(f.tls!.sni);
      } else {
        expect(seen.certNames).toHaveLength(0);
      }
    });
  });
}

describe('ClientHello split over TCP segments and TLS records', () => {
  // tls_browser.pcap flow 1 (client 127.0.0.1:52696): Chromium 1910-byte ClientHello with an
  // X25519MLKEM768 key share, sent in two TCP segments (truth: tcp_segments 2)
  const segs = readSegments(capture('tls_browser.pcap'));
  const chunks = tcpChunks(segs, 52696, 18443);
  const stream = concat(chunks);
  const recLen = tlsRecordLength(stream, 0, stream.length);
  const record = stream.subarray(0, recLen);
  const reference = run([record]).clientHellos[0]!;

  it('the reference hello is the one the truth file describes', () => {
    expect(chunks[0]!.bytes.length).toBeLessThan(recLen); // really split by TCP
    expect(recLen).toBe(5 + 4 + 1910);
    expect(reference.serverNames).toEqual(['example.com']);
    expect(reference.keyShareGroups).toEqual([reference.keyShareGroups[0], 0x11ec, 0x001d]);
    expect(isGrease(reference.keyShareGroups[0]!)).toBe(true);
    expect(ja3(reference).md5).toBe('2d99f1a59e18b199b3761b56ab5d8b37');
  });

  it('gives the same hello for every two-piece split of the record', () => {
    for (let cut = 0; cut <= record.length; cut++) {
      const seen = run([record.subarray(0, cut), record.subarray(cut)]);
      expect(seen.clientHellos, `cut ${cut}`).toEqual([reference]);
      expect(seen.log.total).toBe(0);
    }
  });

  it('gives the same hello fed one byte at a time', () => {
    const bytes = Array.from(record, (_, i) => record.subarray(i, i + 1));
    expect(run(bytes).clientHellos).toEqual([reference]);
  });

  it('joins a handshake message fragmented over many records, each record split too', () => {
    const hs = record.subarray(5);
    for (const size of [1, 7, 100, 1000]) {
      const pieces: Uint8Array[] = [];
      for (let p = 0; p < hs.length; p += size) {
        const frag = hs.subarray(p, Math.min(hs.length, p + size));
        pieces.push(Uint8Array.of(22, 3, 1, frag.length >> 8, frag.length & 0xff), frag);
      }
      const joined = Buffer.concat(pieces);
      const seen = run([joined.subarray(0, 3), joined.subarray(3, 1500), joined.subarray(1500)]);
      expect(seen.clientHellos, `records of ${size}`).toEqual([reference]);
    }
  });

  it('reports a record interleaved into a handshake message', () => {
    const hs = record.subarray(5);
    const half = hs.subarray(0, 500);
    const seen = run([Uint8Array.of(22, 3, 1, half.length >> 8, half.length & 0xff), half, Uint8Array.of(20, 3, 3, 0, 1, 1)]);
    expect(seen.clientHellos).toHaveLength(0);
    expect(seen.log.counts.get('tls_handshake_interleaved')).toBe(1);
  });
});

describe("ClientHellos from other projects' captures", () => {
  it('huge 11.4 KB hello over 12 segments, no SNI (nDPI tls_with_huge_ch)', () => {
    const segs = readSegments(corpus('nDPI__tls_with_huge_ch.pcapng'));
    const first = segs.find((s) => s.proto === 6 && s.payload.length > 0 && looksLikeTlsClientHello(s.payload, 0, s.payload.length))!;
    const chunks = tcpChunks(segs, first.sport, first.dport);
    expect(chunks.length).toBeGreaterThanOrEqual(8);
    const seen = run(chunks.map((c) => c.bytes));
    expect(seen.clientHellos).toHaveLength(1);
    const ch = seen.clientHellos[0]!;
    expect(ch.serverNames).toEqual([]);
    expect(ch.extensions).not.toContain(0);
    expect(ch.extensions).toContain(21); // the padding that makes it huge
    expect(ja4(ch, 't')).toMatch(/^t13i\d{4}/);
  });

  it.each([
    // file, oracle SNI (corpus/oracle/<file>.tls.tsv), ECH, best offered version
    ['zeek__tls13-ech.pcap', 'cloudflare-ech.com', true, '1.3'],
    ['nDPI__tls_ech.pcapng', 'performance.radar.cloudflare.com', true, '1.3'],
    ['zeek__chrome-1250-tls-x25519-kyber.pcap', 'lh3.google.com', true, '1.3'],
    ['nDPI__tls_2_reasms.pcapng', 'i.instagram.com', false, '1.3'],
    ['zeek__tls-fragmented-handshake.pcap', '104.236.167.107', false, '1.2'],
  ] as const)('%s: SNI %s', (file, sni, ech, version) => {
    const segs = readSegments(corpus(file));
    const first = segs.find((s) => s.proto === 6 && s.payload.length > 5 && looksLikeTlsClientHello(s.payload, 0, s.payload.length))!;
    const seen = run(tcpChunks(segs, first.sport, first.dport).map((c) => c.bytes));
    const ch = seen.clientHellos[0]!;
    expect(ch.serverNames).toEqual([sni]);
    expect(ch.ech).toBe(ech);
    if (ech) expect(ch.echType).toBe('outer');
    expect(offeredVersions(ch)[0]).toBe(version);
    expect(seen.log.total).toBe(0);
  });

  it('X25519Kyber768 key share (0x6399) from Chrome 125 (zeek chrome-1250)', () => {
    const segs = readSegments(corpus('zeek__chrome-1250-tls-x25519-kyber.pcap'));
    const first = segs.find((s) => s.proto === 6 && s.payload.length > 5 && looksLikeTlsClientHello(s.payload, 0, s.payload.length))!;
    const ch = run(tcpChunks(segs, first.sport, first.dport).map((c) => c.bytes)).clientHellos[0]!;
    expect(ch.keyShareGroups.filter((g) => !isGrease(g))).toEqual([0x6399, 0x001d]);
    expect(ch.alpn).toEqual(['h2', 'http/1.1']);
  });

  describe('a 356 KB Certificate message fragmented over 22 records (zeek tls-fragmented-handshake)', () => {
    // tshark: frames 25..410 carry 21 records of 16384 bytes and one of 11953, all one message
    const segs = readSegments(corpus('zeek__tls-fragmented-handshake.pcap'));
    const first = segs.find((s) => s.proto === 6 && s.payload.length > 5 && looksLikeTlsClientHello(s.payload, 0, s.payload.length))!;
    const server = tcpChunks(segs, first.dport, first.sport).map((c) => c.bytes);

    it('is over maxCertificateBytes by default: limit_reached, the stream stops', () => {
      const seen = run(server);
      expect(seen.serverHellos.map((s) => tlsVersionName(s.version))).toEqual(['1.2']);
      expect(seen.certNames).toHaveLength(0);
      expect(seen.log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxCertificateBytes']]);
      expect(seen.reader.failed).toBe(true);
    });

    it('is joined and read with a larger cap', () => {
      const seen = run(server, resolveLimits({ maxCertificateBytes: 512 * 1024 }));
      // Zeek's test certificate: CN "Bro" and 10 000 SANs n.alt.helloIamADomain.example
      expect(seen.certNames).toHaveLength(1);
      const names = seen.certNames[0]!;
      expect(names).toHaveLength(10_001);
      expect(names.slice(0, 2)).toEqual(['Bro', '1.alt.helloIamADomain.example']);
      expect(names[10_000]).toBe('10000.alt.helloIamADomain.example');
      expect(seen.log.total).toBe(0);
      expect(seen.reader.failed).toBe(false); // the capture ends before the server's CCS
    });
  });

  it('SSLv2-format ClientHello (zeek ssl-v2)', () => {
    const segs = readSegments(corpus('zeek__ssl-v2.pcap'));
    const first = segs.find((s) => s.proto === 6 && s.payload.length > 5 && looksLikeTlsClientHello(s.payload, 0, s.payload.length))!;
    expect(first.payload[0]! & 0x80).toBe(0x80);
    const seen = run(tcpChunks(segs, first.sport, first.dport).map((c) => c.bytes));
    expect(seen.clientHellos).toHaveLength(1);
    const ch = seen.clientHellos[0]!;
    expect(ch.sslv2).toBe(true);
    expect(ch.serverNames).toEqual([]);
    // tshark -r zeek__ssl-v2.pcap -Y ssl -T fields -e tls.handshake.cipherspec (frame 4)
    expect(ch.cipherSuites).toEqual([0x0700c0, 0x050080, 0x030080, 0x010080, 0x060040, 0x040080, 0x020080]);
    expect(offeredVersions(ch)).toEqual(['2.0']);
    expect(seen.reader.done).toBe(true);
    expect(seen.log.total).toBe(0);
    // the same hello however the record is split, the 2-byte SSLv2 header included
    const record = concat(tcpChunks(segs, first.sport, first.dport));
    for (let cut = 0; cut <= 40; cut++) {
      expect(run([record.subarray(0, cut), record.subarray(cut)]).clientHellos, `cut ${cut}`).toEqual([ch]);
    }
  });
});

describe('record framing', () => {
  it.each([
    ['short header', [22, 3, 1, 0], NEED_MORE],
    ['handshake', [22, 3, 1, 0x02, 0x00], 5 + 512],
    ['application data, TLS 1.2 record version', [23, 3, 3, 0x40, 0x11], 5 + 0x4011],
    ['largest allowed', [23, 3, 3, 0x48, 0x00], 5 + 0x4800],
    ['one over the cap', [23, 3, 3, 0x48, 0x01], MALFORMED],
    ['unknown content type', [24, 3, 3, 0, 1], MALFORMED],
    ['HTTP text', [...Buffer.from('GET /')], MALFORMED],
    ['SSL major 2', [22, 2, 0, 0, 1], MALFORMED],
  ])('%s', (_name, bytes, want) => {
    const b = Uint8Array.from(bytes);
    expect(tlsRecordLength(b, 0, b.length)).toBe(want);
  });

  it('recognises client streams by content, not port', () => {
    const hello = Uint8Array.of(22, 3, 1, 0, 5, 1, 0, 0, 1, 0);
    expect(looksLikeTlsClientHello(hello, 0, hello.length)).toBe(true);
    expect(looksLikeTlsClientHello(hello, 0, 5)).toBe(false); // cannot see the type yet
    const serverHello = Uint8Array.of(22, 3, 3, 0, 5, 2, 0, 0, 1, 0);
    expect(looksLikeTlsClientHello(serverHello, 0, serverHello.length)).toBe(false);
    const http = Buffer.from('POST /sa?project=default HTTP/1.1\r\n');
    expect(looksLikeTlsClientHello(http, 0, http.length)).toBe(false);
  });

  it('a non-TLS stream fails once, with one anomaly, and ignores the rest', () => {
    const seen = run([Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), Buffer.from('more')]);
    expect(seen.reader.failed).toBe(true);
    expect(seen.reader.done).toBe(true);
    expect(seen.log.counts.get('tls_record_malformed')).toBe(1);
    expect(seen.log.kept[0]!.offset).toBe(0);
  });

  it('caps the handshake message size (maxTlsHandshakeBytes)', () => {
    const limits = resolveLimits({ maxTlsHandshakeBytes: 1000 });
    const hdr = Uint8Array.of(22, 3, 1, 0x10, 0x00, 1, 0, 0x0f, 0xfc); // ClientHello of 4092 bytes
    const seen = run([hdr, new Uint8Array(4092)], limits);
    expect(seen.reader.failed).toBe(true);
    expect(seen.log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxTlsHandshakeBytes']]);
  });
});

describe('malformed ClientHellos never throw', () => {
  const segs = readSegments(capture('tls_curl_openssl.pcap'));
  // flow 5 (127.0.0.1:47066): curl, TLS 1.3, 253-character SNI
  const record = concat(tcpChunks(segs, 47066, 18443));
  const body = record.subarray(9, 5 + tlsRecordLength(record, 0, record.length) - 5);

  it('253-character SNI survives whole', () => {
    const ch = parseClientHello(body, 0, body.length, new AnomalyLog())!;
    expect(ch.serverNames[0]).toHaveLength(253);
    expect(ch.serverNames[0]!.split('.').every((label) => label.length <= 63)).toBe(true);
  });

  const noExtensionsEnd = 2 + 32 + 1 + body[34]! + 2 + ((body[35 + body[34]!]! << 8) | body[36 + body[34]!]!) + 2;

  it('every truncation gives undefined or a partial hello, with an anomaly, never a throw', () => {
    for (let end = 0; end < body.length; end++) {
      const log = new AnomalyLog();
      const ch = parseClientHello(body, 0, end, log);
      if (end < 2 + 32 + 1) expect(ch).toBeUndefined();
      // a body that stops right after compression_methods is a valid hello without
      // extensions; every other cut leaves some length field overrunning
      if (end === noExtensionsEnd) expect(ch!.extensions).toEqual([]);
      else expect(log.total, `end ${end}`).toBeGreaterThan(0);
    }
  });

  it('random byte flips never throw, and a good hello parses after them', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const copy = Uint8Array.from(body);
      for (let k = 0; k < 4; k++) copy[rand(copy.length)] = rand(256);
      parseClientHello(copy, 0, copy.length, new AnomalyLog());
      parseServerHello(copy, 0, copy.length, new AnomalyLog());
      parseCertificateNames(copy, 0, copy.length, new AnomalyLog());
      const reader = new TlsStreamReader({ ...DEFAULT_LIMITS }, new AnomalyLog(), () => {});
      reader.push(Uint8Array.from([...record.subarray(0, 9), ...copy]));
    }
    expect(parseClientHello(body, 0, body.length, new AnomalyLog())!.serverNames[0]).toHaveLength(253);
  });

  it('stops at maxTlsExtensions', () => {
    const log = new AnomalyLog();
    const ch = parseClientHello(body, 0, body.length, log, { maxTlsExtensions: 3 })!;
    expect(ch.extensions).toHaveLength(3);
    expect(log.kept.map((a) => a.detail)).toEqual(['maxTlsExtensions']);
  });

  it('a hello without extensions is valid (pre-1.2 clients)', () => {
    // version 0x0301, random, empty session id, one suite, null compression
    const b = Uint8Array.from([3, 1, ...new Array(32).fill(7), 0, 0, 2, 0, 0x2f, 1, 0]);
    const log = new AnomalyLog();
    const ch = parseClientHello(b, 0, b.length, log)!;
    expect(ch.cipherSuites).toEqual([0x2f]);
    expect(offeredVersions(ch)).toEqual(['1.0']);
    expect(ja3(ch).text).toBe('769,47,,,');
    expect(log.total).toBe(0);
  });
});

describe('versions', () => {
  it.each([
    [0x0304, '1.3'],
    [0x0303, '1.2'],
    [0x0302, '1.1'],
    [0x0301, '1.0'],
    [0x0300, 'ssl3'],
    [0x7f17, '1.3-draft23'],
    [0x1234, '0x1234'],
  ])('0x%s → %s', (v, name) => expect(tlsVersionName(v)).toBe(name));

  it('GREASE values are recognised and dropped from offered versions', () => {
    for (let i = 0; i < 16; i++) expect(isGrease((((i << 4) | 0xa) << 8) | ((i << 4) | 0xa))).toBe(true);
    expect(isGrease(0x0a1a)).toBe(false);
    expect(isGrease(0x0304)).toBe(false);
    const ch = { supportedVersions: [0xdada, 0x0304, 0x0303], legacyVersion: 0x0303 } as ClientHello;
    expect(offeredVersions(ch)).toEqual(['1.3', '1.2']);
  });

  it('HelloRetryRequest is not taken for an encrypted TLS 1.3 ServerHello', () => {
    // RFC 8446 HRR: special random, TLS 1.3 in supported_versions, key_share group x25519
    const random = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
    const body = Uint8Array.from([3, 3, ...random, 0, 0x13, 0x01, 0, 0, 12, 0, 43, 0, 2, 3, 4, 0, 51, 0, 2, 0, 0x1d]);
    const sh = parseServerHello(body, 0, body.length, new AnomalyLog())!;
    expect(sh).toEqual({ legacyVersion: 0x0303, version: 0x0304, cipherSuite: 0x1301, alpn: null, helloRetryRequest: true });
    const seen = run([Uint8Array.of(22, 3, 3, 0, body.length + 4, 2, 0, 0, body.length), body]);
    expect(seen.serverHellos).toHaveLength(1);
    expect(seen.reader.encrypted).toBe(false);
  });
});

describe('certificate names (x509.ts)', () => {
  // tls_curl_openssl.pcap flow 1: server 18443 → 127.0.0.1:47058, TLS 1.2 Certificate message
  const segs = readSegments(capture('tls_curl_openssl.pcap'));
  let certBody: Uint8Array = new Uint8Array(0);
  const reader = new TlsStreamReader({ ...DEFAULT_LIMITS }, new AnomalyLog(), (type, body) => {
    if (type === 11) certBody = body;
  });
  for (const c of tcpChunks(segs, 18443, 47058)) reader.push(c.bytes);

  it("reads the leaf's names", () => {
    const log = new AnomalyLog();
    const names = parseCertificateNames(certBody, 0, certBody.length, log);
    // tshark -d tcp.port==18443,tls -Y 'tls.handshake.type==11 && tcp.dstport==47058' -e x509sat.uTF8String
    // -e x509ce.dNSName: subject CN (the issuer CN is not ours), then 18 SAN dNSNames in order
    expect(names).toHaveLength(19);
    expect(names.slice(0, 4)).toEqual(['pcap-groundtruth server', 'tracking.intl.miui.com', 'data.mistat.intl.xiaomi.com', 'api.ad.xiaomi.com']);
    expect(names.slice(-4)).toEqual(['xn--yets76e.xn--fiqs8s', 'xn--lo0a64x.xn--yets76e.com', 'ipv6-only.example.com', 'localhost']);
    expect(names).not.toContain('pcap-groundtruth test CA');
    expect(log.total).toBe(0);
  });

  it('every truncation and byte flip gives names or an anomaly, never a throw', () => {
    const whole = parseCertificateNames(certBody, 0, certBody.length, new AnomalyLog());
    for (let end = 0; end < certBody.length; end++) {
      const log = new AnomalyLog();
      const names = parseCertificateNames(certBody, 0, end, log);
      expect(names.every((n) => whole.includes(n))).toBe(true);
      expect(log.total, `end ${end}`).toBeGreaterThan(0);
    }
    for (let i = 0; i < certBody.length; i += 3) {
      const copy = Uint8Array.from(certBody);
      copy[i] ^= 0x80;
      parseCertificateNames(copy, 0, copy.length, new AnomalyLog());
    }
  });

  it('an empty certificate list has no names and no anomaly', () => {
    const log = new AnomalyLog();
    expect(parseCertificateNames(Uint8Array.of(0, 0, 0), 0, 3, log)).toEqual([]);
    expect(log.total).toBe(0);
  });
});

describe('a capture gap in a TLS handshake', () => {
  it('hands on a ClientHello cut short by a gap, whose server name arrived, then stops the direction', () => {
    const record = buildClientHelloRecord({ serverName: 'tracking.intl.miui.com', tls13: true, postQuantum: true });
    const log = new AnomalyLog();
    const got: { cut: boolean; sni: string[] }[] = [];
    const reader = new TlsStreamReader({ ...DEFAULT_LIMITS }, log, (type, body, cut) => {
      if (type === 1) got.push({ cut, sni: parseClientHello(body, 0, body.length, new AnomalyLog())?.serverNames ?? [] });
    });
    reader.push(record.subarray(0, 1000));
    reader.gap(500);
    reader.push(record.subarray(1500)); // read no more: the record framing is lost
    expect(got).toEqual([{ cut: true, sni: ['tracking.intl.miui.com'] }]);
    expect([reader.failed, log.kept.map((a) => a.code)]).toEqual([true, ['tls_gap']]);
  });

  it('a gap after the handshake went encrypted changes nothing', () => {
    const log = new AnomalyLog();
    const reader = new TlsStreamReader({ ...DEFAULT_LIMITS }, log, () => {});
    reader.push(buildClientHelloRecord({ serverName: 'a.example' }));
    reader.push(buildAppDataRecord(100));
    reader.gap(1000);
    expect([reader.encrypted, reader.failed, log.total]).toEqual([true, false, 0]);
  });

  it('parseClientHello keeps the extensions that arrived whole when the hello is cut short', () => {
    const record = buildClientHelloRecord({ serverName: 'sa.api.intl.miui.com', alpn: ['h2'], postQuantum: true });
    const body = record.subarray(5 + 4, 5 + 4 + 600); // record and handshake headers off, then cut
    const log = new AnomalyLog();
    const ch = parseClientHello(body, 0, body.length, log);
    expect(ch?.serverNames).toEqual(['sa.api.intl.miui.com']);
    expect(log.kept.map((a) => [a.code, a.detail])).toContainEqual(['tls_client_hello_malformed', 'extensions']);
  });
});
