/**
 * The TLS decryptor on real captures with their keys (../shared/keyed): every request tshark
 * decrypted is found in the decrypted bytes, connections without keys end `no_key`, a wrong
 * key ends `failed`, and what this build cannot decrypt is written down below.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED } from '../../helpers/paths.js';
import { decryptCapture, type DecryptedConnection } from '../../helpers/tls-decrypt.js';

const CLIENTS = path.join(SHARED, 'keyed/clients');
const CORPUS = path.join(SHARED, 'keyed/corpus');

/** HTTP/1.x request lines in decrypted client bytes: "METHOD URI" (a request may follow a body without a line end) */
function http1Requests(conns: DecryptedConnection[]): string[] {
  const out: string[] = [];
  for (const c of conns) {
    for (const m of c.clientData.toString('latin1').matchAll(/([A-Z]{3,7}) (\/\S*) HTTP\/1\.[01]\r?\n/g)) out.push(`${m[1]} ${m[2]}`);
  }
  return out.sort();
}

/** tshark's decrypted HTTP/1.x requests (oracle F.http.tsv: frame src dst dport method host uri) */
function oracleHttp1(dir: string, file: string): string[] {
  const rows = readFileSync(path.join(dir, 'oracle', `${file}.http.tsv`), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  return rows
    .map((l) => l.split('\t'))
    .filter((c) => !c[6]!.startsWith('/') || !c[4]!.startsWith(':'))
    .map((c) => `${c[4]} ${c[6]}`)
    .sort();
}

const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

describe('TLS decryption of the keyed client captures', () => {
  it('tls_h1_curl_openssl: all 12 connections, every suite of its README, and the 13 requests tshark decrypted', () => {
    const { connections, store } = decryptCapture(path.join(CLIENTS, 'tls_h1_curl_openssl.pcap'), [path.join(CLIENTS, 'tls_h1_curl_openssl.keys')]);
    expect(connections.map((c) => c.outcome)).toEqual(Array(12).fill('decrypted'));
    for (const c of connections) expect(c.records.filter((r) => r.status === 'failed' || r.status === 'no_key')).toEqual([]);
    const suites = new Set(connections.map((c) => c.decryptor.cipherSuite));
    // ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305, ECDHE-RSA-AES256-SHA384 (CBC, EtM), AES128-SHA (RSA, CBC),
    // ECDHE-RSA-AES256-GCM-SHA384 (resumption), TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256
    expect([...suites].sort((a, b) => a - b)).toEqual([0x002f, 0x1302, 0x1303, 0xc028, 0xc02f, 0xc030, 0xcca8]);
    expect(http1Requests(connections)).toEqual(oracleHttp1(CLIENTS, 'tls_h1_curl_openssl.pcap'));
    expect(store.sources()[0]).toMatchObject({ sessions: 12, matched: 12 });
  });

  it('follows a TLS 1.3 KeyUpdate: the request after it decrypts under the next generation of secrets', () => {
    const { connections } = decryptCapture(path.join(CLIENTS, 'tls_h1_curl_openssl.pcap'), [path.join(CLIENTS, 'tls_h1_curl_openssl.keys')]);
    const updated = connections.find((c) => c.clientData.toString('latin1').includes('POST /track/v4/batch?seq=2'));
    expect(updated).toBeDefined();
    // KeyUpdate is a handshake message after the application data started, in both directions
    const recs = updated!.records;
    const firstApp = recs.findIndex((r) => r.contentType === 23);
    expect(recs.slice(firstApp).filter((r) => r.contentType === 22 && r.status === 'decrypted').length).toBeGreaterThanOrEqual(2);
  });

  it('partial_keys: the 3 connections whose keys were withheld end no_key, the 3 others decrypt', () => {
    const { connections } = decryptCapture(path.join(CLIENTS, 'partial_keys.pcap'), [path.join(CLIENTS, 'partial_keys.keys')]);
    expect(connections.map((c) => c.outcome).sort()).toEqual(['decrypted', 'decrypted', 'decrypted', 'no_key', 'no_key', 'no_key']);
    for (const c of connections.filter((x) => x.outcome === 'no_key')) {
      expect(c.clientData.length).toBe(0);
      expect(c.records.some((r) => r.status === 'decrypted')).toBe(false);
    }
    const h1 = http1Requests(connections);
    const want = oracleHttp1(CLIENTS, 'partial_keys.pcap');
    // tshark's list has the HTTP/2 request too (:method POST): only HTTP/1.x is compared here
    for (const r of h1) expect(want).toContain(r);
    expect(connections.filter((c) => c.clientData.toString('latin1').startsWith(H2_PREFACE))).toHaveLength(1);
  });

  it('chromium_h2_dsb: keys only in the pcapng Decryption Secrets Block; every connection decrypts, HTTP/2 by ALPN', () => {
    const { connections, store } = decryptCapture(path.join(CLIENTS, 'chromium_h2_dsb.pcapng'));
    expect(connections.map((c) => c.outcome)).toEqual(Array(8).fill('decrypted'));
    expect(connections.every((c) => c.decryptor.alpn === 'h2')).toBe(true);
    // Chromium's preconnect connections finish the handshake and send nothing more
    const used = connections.filter((c) => c.clientData.length > 0);
    expect(used.length).toBe(6);
    expect(used.every((c) => c.clientData.toString('latin1').startsWith(H2_PREFACE))).toBe(true);
    const [embedded] = store.sources();
    expect(embedded!.name).toBe('embedded in the capture');
    // a whole browser key log: more sessions than the capture holds
    expect(embedded!.sessions).toBeGreaterThanOrEqual(8);
    expect(embedded!.matched).toBe(8);
  });

  it('without the keys every protected record is no_key and nothing is invented', () => {
    const { connections } = decryptCapture(path.join(CLIENTS, 'tls_h1_curl_openssl.pcap'));
    expect(connections.map((c) => c.outcome)).toEqual(Array(12).fill('no_key'));
    expect(connections.every((c) => c.clientData.length === 0 && c.serverData.length === 0)).toBe(true);
  });

  it('with a wrong key the tag does not verify: failed, and nothing is invented', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wrongkey-'));
    const wrong = path.join(dir, 'wrong.keys');
    // every secret's last hex digit changed
    writeFileSync(
      wrong,
      readFileSync(path.join(CLIENTS, 'tls_h1_curl_openssl.keys'), 'utf8').replace(
        /^([A-Z_0-9]+ [0-9a-f]{64} [0-9a-fA-F]*)([0-9a-fA-F])$/gm,
        (_m, a: string, d: string) => a + (d === '0' ? '1' : '0'),
      ),
    );
    const { connections } = decryptCapture(path.join(CLIENTS, 'tls_h1_curl_openssl.pcap'), [wrong]);
    expect(connections.map((c) => c.outcome)).toEqual(Array(12).fill('failed'));
    expect(connections.every((c) => c.clientData.length === 0)).toBe(true);
  });
});

describe('TLS decryption of the public keyed corpus (tshark 4.0.17 decrypted answers in oracle/)', () => {
  const file = (name: string): string => path.join(CORPUS, 'files', name);
  const keys = (name: string): string[] => [file(`${name}.keys`)];

  it.each([
    ['wireshark-wireshark__tls12-chacha20poly1305.pcap', true],
    ['zeek-zeek__tls12-decryption.pcap', true],
    ['zeek-zeek__tls-1.2-stream-keylog.pcap', true],
    ['Lekensteyn-wireshark-notes__http-chunked-ssl.pcapng', true],
    ['wireshark-wireshark__tls12-dsb.pcapng', false],
    ['DERIVED-secdev-scapy__tls_nss_example-2dsb.pcapng', false],
  ])('%s: every HTTP/1.x request tshark decrypted', (name, keyFile) => {
    const { connections } = decryptCapture(file(name), keyFile ? keys(name) : []);
    const want = oracleHttp1(CORPUS, name);
    expect(want.length).toBeGreaterThan(0);
    expect(http1Requests(connections)).toEqual(want);
  });

  it('tls13-rfc8446: the 0-RTT request (CLIENT_EARLY_TRAFFIC_SECRET) between two 1-RTT ones', () => {
    const name = 'wireshark-wireshark__tls13-rfc8446.pcap';
    const { connections } = decryptCapture(file(name), keys(name));
    expect(http1Requests(connections)).toEqual(oracleHttp1(CORPUS, name));
    expect(http1Requests(connections)).toContain('GET /early');
  });

  it("a HelloRetryRequest (the project's own fixture): the second ClientHello keeps the random, and the request decrypts", () => {
    const dir = path.join(REPO_ROOT, 'fixtures', 'captures');
    const { connections } = decryptCapture(path.join(dir, 'tls13_hello_retry.pcapng'), [path.join(dir, 'tls13_hello_retry.keys')]);
    expect(connections).toHaveLength(1);
    const c = connections[0]!;
    expect(c.outcome).toBe('decrypted');
    expect(c.decryptor.version).toBe(0x0304);
    // two plaintext ClientHellos and two ServerHellos (the first a HelloRetryRequest) before anything protected
    expect(c.records.filter((r) => r.status === 'plaintext' && r.contentType === 22).length).toBe(4);
    expect(c.records.filter((r) => r.status === 'failed' || r.status === 'no_key')).toEqual([]);
    expect(c.clientData.toString()).toBe('GET /hello-retry HTTP/1.0\r\nHost: hrr.test\r\n\r\n');
    expect(c.serverData.toString('latin1')).toMatch(/^HTTP\/1\.0 200 ok/);
  });

  it("a TLS 1.2 renegotiation (the project's own fixture): the second handshake's keys, looked up by its new random, apply after its protected ChangeCipherSpec", () => {
    const dir = path.join(REPO_ROOT, 'fixtures', 'captures');
    const { connections } = decryptCapture(path.join(dir, 'tls12_renegotiation.pcapng'), [path.join(dir, 'tls12_renegotiation.keys')]);
    const c = connections[0]!;
    expect(c.outcome).toBe('decrypted');
    // the second ClientHello and ServerHello travel decrypted under the first keys
    expect(c.records.filter((r) => r.status === 'decrypted' && r.contentType === 20)).toHaveLength(2);
    expect(c.records.filter((r) => r.status === 'failed' || r.status === 'no_key')).toEqual([]);
    expect(c.clientData.toString()).toBe('GET /after-renegotiation HTTP/1.0\r\n\r\n');
  });

  it('dhe1: TLS 1.0 CBC with the implicit IV and the MD5/SHA-1 PRF', () => {
    const name = 'wireshark-wireshark__dhe1.pcapng';
    const { connections } = decryptCapture(file(name), keys(name));
    expect(connections[0]!.decryptor.version).toBe(0x0301);
    // the request lacks its closing blank line, so tshark shows it only without desegmentation
    expect(connections[0]!.clientData.toString('latin1')).toBe('GET /test HTTP/1.0\n');
  });

  it('illustrated TLS 1.2 (AES-CBC, HMAC-SHA1) and TLS 1.3 (AES-256-GCM): "ping" and "pong"', () => {
    for (const name of ['syncsynchalt-illustrated-tls12__capture.pcap', 'syncsynchalt-illustrated-tls13__capture.pcap']) {
      const { connections } = decryptCapture(file(name), keys(name));
      expect(connections[0]!.clientData.toString()).toBe('ping');
      expect(connections[0]!.serverData.toString()).toBe('pong');
    }
  });

  it('HTTP/2 captures decrypt to the connection preface (h2-16, h2, keys in DSBs or key logs)', () => {
    for (const [name, k] of [
      ['Lekensteyn-wireshark-notes__http2-16-ssl.pcapng', true],
      ['wireshark-wireshark__http2-brotli.pcapng', false],
      ['wireshark-wireshark__http2-data-reassembly.pcap', true],
      ['wireshark-wireshark__http2_follow_multistream.pcapng', false],
    ] as const) {
      const { connections } = decryptCapture(file(name), k ? keys(name) : []);
      const opened = connections.filter((c) => c.outcome === 'decrypted');
      expect(opened.length, name).toBe(1);
      expect(opened[0]!.clientData.toString('latin1').startsWith(H2_PREFACE), name).toBe(true);
    }
  });

  it('all_dump: all 73 OpenSSL 1.0.1e suites (TLS compression, SSLv2 hellos, export, RC4, DES, SEED, IDEA, RC2, Camellia)', () => {
    const name = 'Lekensteyn-wireshark-notes__all_dump.pcapng';
    const { connections } = decryptCapture(file(name), keys(name));
    expect(connections).toHaveLength(73);
    expect(connections.filter((c) => c.outcome !== 'decrypted').map((c) => c.decryptor.cipherSuite)).toEqual([]);
    expect(new Set(connections.map((c) => c.decryptor.cipherSuite)).size).toBe(73);
    expect(http1Requests(connections)).toEqual(Array(73).fill('GET /'));
  });
});
