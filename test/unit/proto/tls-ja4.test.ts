import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { ja3, ja4 } from '../../../src/proto/ja4.js';
import { parseClientHello, tlsRecordLength, type ClientHello } from '../../../src/proto/tls.js';
import { concat, readSegments, tcpChunks } from './tls-test-capture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const capture = (name: string): string => path.resolve(ROOT, '../shared/captures', name);

function hello(over: Partial<ClientHello>): ClientHello {
  return {
    legacyVersion: 0x0303,
    cipherSuites: [],
    extensions: [],
    serverNames: [],
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    pskKeyExchangeModes: [],
    ech: false,
    echType: null,
    preSharedKey: false,
    sessionTicket: false,
    sessionIdLength: 0,
    grease: false,
    sslv2: false,
    ...over,
  };
}

/** the ClientHello of one client port of a shared capture (single record) */
function helloOf(file: string, clientPort: number): ClientHello {
  const stream = concat(tcpChunks(readSegments(capture(file)), clientPort, 18443));
  const len = tlsRecordLength(stream, 0, stream.length);
  return parseClientHello(stream, 9, len, new AnomalyLog())!;
}

describe('JA4', () => {
  it('reproduces the example of FoxIO technical_details/JA4.md', () => {
    const ch = hello({
      supportedVersions: [0x0304, 0x0303],
      cipherSuites: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
      extensions: [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015],
      signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
      alpn: ['h2', 'http/1.1'],
      serverNames: ['example.com'],
    });
    expect(ja4(ch, 't')).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(ja4(ch, 'q')).toBe('q13d1516h2_8daaf6152771_e5627efa2ab1');
    // without signature algorithms the list is hashed without the trailing underscore
    expect(ja4({ ...ch, signatureAlgorithms: [] }, 't')).toBe('t13d1516h2_8daaf6152771_6d807ffa2a79');
  });

  it('ignores GREASE in ciphers, extensions, versions and signature algorithms', () => {
    const base = hello({ supportedVersions: [0x0304], cipherSuites: [0x1301], extensions: [0x002b, 0x000d], signatureAlgorithms: [0x0403] });
    const greasy = hello({
      supportedVersions: [0x7a7a, 0x0304],
      cipherSuites: [0x0a0a, 0x1301],
      extensions: [0xfafa, 0x002b, 0x000d, 0x1a1a],
      signatureAlgorithms: [0x7a7a, 0x0403],
    });
    expect(ja4(greasy, 't')).toBe(ja4(base, 't'));
    expect(ja4(base, 't').slice(0, 10)).toBe('t13i010200');
  });

  it.each([
    [['http/1.1'], 'h1'],
    [['h2'], 'h2'],
    [['x'], 'xx'],
    [[], '00'],
    [[''], '00'],
    // non-alphanumeric first/last byte: first hex digit of the first byte, last of the last
    [['\xab'], 'ab'],
    [['\xab\xcd'], 'ad'],
    [['0\xab'], '3b'],
    [['01\xab\xcd'], '3d'],
    [['0\xab\xcd1'], '01'],
  ])('ALPN %j → %s', (alpn, chars) => {
    expect(ja4(hello({ alpn }), 't').slice(8, 10)).toBe(chars);
  });

  it('empty cipher and extension lists hash to twelve zeros; counts stop at 99', () => {
    expect(ja4(hello({}), 't')).toBe('t12i000000_000000000000_000000000000');
    const many = Array.from({ length: 120 }, (_, i) => i + 1);
    expect(ja4(hello({ cipherSuites: many }), 't').slice(4, 6)).toBe('99');
    expect(ja4(hello({ legacyVersion: 0x0300 }), 't').slice(1, 3)).toBe('s3');
    expect(ja4(hello({ legacyVersion: 0x1234 }), 't').slice(1, 3)).toBe('00');
  });

  // Checked by hand: tshark 4.0 has no JA4 field, so the lists were taken with
  //   tshark -r F -d tcp.port==18443,tls -Y 'tls.handshake.type==1 && tcp.srcport==P' -T fields
  //     -e tls.handshake.ciphersuite -e tls.handshake.extension.type -e tls.handshake.sig_hash_alg
  // GREASE dropped, sorted and hashed with `sha256sum | cut -c1-12`.
  it('tls_curl_openssl.pcap flow 1 (curl, TLS 1.2 only, 28 suites, 7 extensions)', () => {
    expect(ja4(helloOf('tls_curl_openssl.pcap', 47058), 't')).toBe('t12d2807h2_d943125447b4_a44c6288192a');
  });

  it('tls_browser.pcap flow 1 (Chromium: GREASE, ECH, 15 suites, 17 extensions)', () => {
    const ch = helloOf('tls_browser.pcap', 52696);
    expect(ja4(ch, 't')).toBe('t13d1517h2_8daaf6152771_cb7bf5808d99');
  });

  it('Chromium shuffles its extensions per connection: JA3 changes, JA4 does not', () => {
    const a = helloOf('tls_browser.pcap', 52696),
      b = helloOf('tls_browser.pcap', 52706);
    expect(a.extensions).not.toEqual(b.extensions);
    expect(ja3(a).md5).not.toBe(ja3(b).md5);
    expect(ja4(b, 't')).toBe(ja4(a, 't'));
  });
});

describe('JA3', () => {
  it('is version,ciphers,extensions,groups,formats in decimal without GREASE', () => {
    const ch = hello({
      legacyVersion: 0x0303,
      cipherSuites: [0x2a2a, 0x1301, 0xc02b],
      extensions: [0x3a3a, 0, 10, 11],
      supportedGroups: [0x4a4a, 0x001d, 0x0017],
      ecPointFormats: [0],
    });
    const { text, md5 } = ja3(ch);
    expect(text).toBe('771,4865-49195,0-10-11,29-23,0');
    expect(md5).toMatch(/^[0-9a-f]{32}$/);
    expect(
      ja3(hello({ legacyVersion: 0x0303, cipherSuites: [0x1301, 0xc02b], extensions: [0, 10, 11], supportedGroups: [29, 23], ecPointFormats: [0] })).md5,
    ).toBe(md5);
  });
});

describe('JA4 and JA3 memoised on their input lists', () => {
  // the spec, written out plainly (FoxIO JA4.md; Salesforce JA3), as the reference
  const grease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
  const hex4 = (v: number): string => (v & 0xffff).toString(16).padStart(4, '0');
  const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
  const refJa4bc = (ch: ClientHello): string => {
    const ciphers = ch.cipherSuites
      .filter((v) => !grease(v))
      .map((v) => v & 0xffff)
      .sort((x, y) => x - y)
      .map(hex4)
      .join(',');
    const exts = ch.extensions
      .filter((v) => !grease(v) && v !== 0 && v !== 16)
      .sort((x, y) => x - y)
      .map(hex4)
      .join(',');
    const sigs = ch.signatureAlgorithms
      .filter((v) => !grease(v))
      .map(hex4)
      .join(',');
    return `${ciphers ? sha12(ciphers) : '000000000000'}_${exts ? sha12(sigs ? `${exts}_${sigs}` : exts) : '000000000000'}`;
  };
  const refJa3 = (ch: ClientHello): string =>
    [
      ch.legacyVersion,
      ch.cipherSuites.filter((v) => !grease(v)).join('-'),
      ch.extensions.filter((v) => !grease(v)).join('-'),
      ch.supportedGroups.filter((v) => !grease(v)).join('-'),
      ch.ecPointFormats.join('-'),
    ].join(',');

  it('gives what the spec gives for random lists, asked again and again, with GREASE, zeros, 0xffff and lists longer than a key slice', () => {
    let seed = 99;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const value = (): number => [0, 0xffff, 0x0a0a, 0xfafa, 16, 0x1301][rand(12)] ?? rand(0x10000);
    const list = (max: number): number[] => Array.from({ length: rand(max) }, value);
    const hellos: ClientHello[] = [];
    for (let i = 0; i < 300; i++) {
      hellos.push(
        hello({
          legacyVersion: [0x0303, 0x0301][rand(2)],
          cipherSuites: list(i === 7 ? 9000 : 40),
          extensions: list(25),
          signatureAlgorithms: list(12),
          supportedGroups: list(8),
          ecPointFormats: list(3).map((v) => v & 0xff),
          supportedVersions: [0x0304],
          alpn: ['h2'],
        }),
      );
    }
    // each hello twice, in two orders: the second time comes from the memo
    for (const ch of [...hellos, ...hellos.reverse()]) {
      expect(ja4(ch, 't').slice(11)).toBe(refJa4bc(ch));
      expect(ja3(ch).text).toBe(refJa3(ch));
      expect(ja3(ch).md5).toBe(createHash('md5').update(refJa3(ch)).digest('hex'));
    }
  });

  it('counts past 65,535 values (a handshake cap raised with --limit) still key the lists exactly', () => {
    const many = Array.from({ length: 70_000 }, (_, i) => 0x0100 + (i % 5000));
    for (const ch of [
      hello({ cipherSuites: many, extensions: [10, 11], signatureAlgorithms: many }),
      hello({ cipherSuites: many.slice(0, 4464), extensions: [10, 11] }),
    ]) {
      expect(ja4(ch, 't').slice(11)).toBe(refJa4bc(ch));
      expect(ja3(ch).text).toBe(refJa3(ch));
    }
  });

  it('an SSLv2 hello keeps its 24-bit cipher specs in JA3', () => {
    const ch = hello({ legacyVersion: 0x0002, cipherSuites: [0x010080, 0x0700c0, 0x00002f], sslv2: true });
    expect(ja3(ch).text).toBe('2,65664-458944-47,,,');
  });
});
