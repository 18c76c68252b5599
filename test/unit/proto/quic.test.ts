import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/limits.js';
import { ja4 } from '../../../src/proto/ja4.js';
import { QUIC_V1, QUIC_V2, QuicInitialTracker, looksLikeQuicInitial, type QuicClientHello } from '../../../src/proto/quic.js';
import { deriveInitialKeys, type InitialKeys } from '../../../src/proto/quic-crypto.js';
import { readSegments, type TestSegment } from './tls-test-capture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = (name: string): string => path.resolve(ROOT, '../shared/corpus/files', name);
const hex = (s: string | string[]): Buffer => Buffer.from(Array.isArray(s) ? s.join('') : s, 'hex');

/** RFC 9001 Appendix A.2: the client's protected Initial (1200 bytes), DCID 8394c8f03e515708 */
const RFC9001_CLIENT_INITIAL = hex([
  'c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c',
  '0bab7df5976d27cd449f63300099f3991c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c',
  '8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df621230c83711b39343fa028cea7f7fb5ff89',
  'eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208',
  '4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e',
  '610ac8b7ec3faf6ad760b7bad1db4ba3485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db',
  '059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c7b4378e846d29f37ed7b4ea9ec5d82e7',
  '961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556',
  'be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7',
  'fe942b330407abf82a4ed7c1b311663ac69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00',
  'f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632291d6a418211cc2962e20fe47feb3edf',
  '330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd',
  '14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff2',
  '8f5b766953334113211996d20011a198e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd',
  'c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73203a4a13e96f5432ec0fd4a1ee65accd',
  'd5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e',
  'fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a07',
  '1b851e6c239052172f296bfb5e72404790a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2',
  '162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f440591f355e12d439ff150aab7613499d',
  'bd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e',
  '8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723',
  'c8c0aea8078cdfcb3868263ff8f0940054da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab',
  '760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9f96f3ca9ec1dde434da7d2d392b905dd',
  'f3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064',
  '7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934',
]);

/** RFC 9369 Appendix A.2: the same ClientHello in a QUIC v2 Initial */
const RFC9369_CLIENT_INITIAL = hex([
  'd76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485',
  'dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04',
  '9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d',
  '250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a',
  '12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500',
  'cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68',
  '18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33',
  '12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3',
  'd396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd',
  '6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520',
  'bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045',
  '636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f',
  'ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12',
  '16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5',
  '4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4',
  'fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b',
  '8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7',
  '14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9',
  '9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91',
  'abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd',
  '80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db',
  '848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18',
  'd703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15',
  'c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc',
  '7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61',
  'f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710',
  '10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b',
  '3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e',
  '06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce',
  '8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1',
  '34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1',
  'e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd',
  '5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3',
  '8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89',
  'd5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53',
  '6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19',
  '9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b',
  'a18b2faa745b6fe189cf772a9f84cbfc',
]);

/** RFC 9001 A.2: the ClientHello (241 bytes) inside both Initials above */
const RFC_CLIENT_HELLO = hex([
  '010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c0000041301',
  '1302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d0017001800100007',
  '000504616c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559fedba753de171fa71f50f1',
  'ce15d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00020101001c000240',
  '01003900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e51',
  '570806048000ffff',
]);
const RFC_DCID = hex('8394c8f03e515708');

/**
 * Test-only sealing, the inverse of openInitial: long header (token empty, 2-byte length),
 * AES-128-GCM, then header protection. Proven by rebuilding the RFC packets byte for byte.
 */
function sealInitial(
  version: number,
  dcid: Uint8Array,
  scid: Uint8Array,
  pn: number,
  pnLen: number,
  frames: Uint8Array,
  minPayload = 0,
  keysDcid: Uint8Array = dcid,
): Buffer {
  const keys = deriveInitialKeys(version, keysDcid)!;
  const payload = Buffer.concat([frames, Buffer.alloc(Math.max(0, minPayload - frames.length))]); // PADDING
  const typeBits = version === QUIC_V2 ? 0x10 : 0x00;
  const length = pnLen + payload.length + 16;
  const pnBytes = Buffer.alloc(pnLen);
  pnBytes.writeUIntBE(pn, 0, pnLen);
  const header = Buffer.concat([
    Uint8Array.of(0xc0 | typeBits | (pnLen - 1)),
    Buffer.from([version >>> 24, (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff]),
    Uint8Array.of(dcid.length),
    dcid,
    Uint8Array.of(scid.length),
    scid,
    Uint8Array.of(0),
    Uint8Array.of(0x40 | (length >> 8), length & 0xff),
    pnBytes,
  ]);
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i]! ^= (pn >>> (8 * i)) & 0xff;
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(header);
  const packet = Buffer.concat([header, gcm.update(payload), gcm.final(), gcm.getAuthTag()]);
  const pnOffset = header.length - pnLen;
  const mask = createCipheriv('aes-128-ecb', keys.hp, null).update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < pnLen; i++) packet[pnOffset + i]! ^= mask[1 + i]!;
  return packet;
}

function crypto(offset: number, data: Uint8Array): Buffer {
  // CRYPTO frame with 2-byte varint offset and length
  return Buffer.concat([Uint8Array.of(0x06, 0x40 | (offset >> 8), offset & 0xff, 0x40 | (data.length >> 8), data.length & 0xff), data]);
}

function tracker(overrides: Partial<Limits> = {}): { t: QuicInitialTracker; log: AnomalyLog } {
  const log = new AnomalyLog();
  return { t: new QuicInitialTracker({ ...DEFAULT_LIMITS, ...overrides }, log), log };
}

const keyHex = (k: InitialKeys): string[] => [k.key.toString('hex'), k.iv.toString('hex'), k.hp.toString('hex')];

describe('Initial keys (RFC 9001 A.1, RFC 9369 A.1)', () => {
  it('QUIC v1', () => {
    expect(keyHex(deriveInitialKeys(QUIC_V1, RFC_DCID)!)).toEqual([
      '1f369613dd76d5467730efcbe3b1a22d',
      'fa044b2f42a3fd3b46fb255c',
      '9f50449e04a0e810283a1e9933adedd2',
    ]);
    expect(keyHex(deriveInitialKeys(QUIC_V1, RFC_DCID, 'server')!)).toEqual([
      'cf3a5331653c364c88f0f379b6067e37',
      '0ac1493ca1905853b0bba03e',
      'c206b8d9b9f0f37644430b490eeaa314',
    ]);
  });
  it('QUIC v2', () => {
    expect(keyHex(deriveInitialKeys(QUIC_V2, RFC_DCID)!)).toEqual([
      '8b1a0bc121284290a29e0971b5cd045d',
      '91f73e2351d8fa91660e909f',
      '45b95e15235d6f45a6b19cbcb0294ba9',
    ]);
    expect(keyHex(deriveInitialKeys(QUIC_V2, RFC_DCID, 'server')!)).toEqual([
      '82db637861d55e1d011f19ea71d5d2a7',
      'dd13c276499c0249d3310652',
      'edf6d05c83121201b436e16877593c3a',
    ]);
  });
  it('unknown versions have no keys', () => {
    expect(deriveInitialKeys(0x12345678, RFC_DCID)).toBeUndefined();
    expect(deriveInitialKeys(0xff00001d, RFC_DCID)).toBeDefined(); // draft-29
  });
});

describe('RFC client Initials', () => {
  it.each([
    ['1', QUIC_V1, RFC9001_CLIENT_INITIAL],
    ['2', QUIC_V2, RFC9369_CLIENT_INITIAL],
  ] as const)('QUIC v%s: decrypts and yields the ClientHello', (name, version, packet) => {
    expect(packet).toHaveLength(1200);
    expect(looksLikeQuicInitial(packet, 0, packet.length)).toBe(true);
    const { t, log } = tracker();
    const got = t.onClientDatagram(packet, 0, packet.length)!;
    expect(got.version).toBe(name);
    expect(got.dcid).toBe('8394c8f03e515708');
    expect(got.clientHello.serverNames).toEqual(['example.com']);
    expect(got.clientHello.alpn).toEqual(['alpn']); // the RFC sample's ALPN really is "alpn"
    expect(got.clientHello.cipherSuites).toEqual([0x1301, 0x1302]);
    expect(got.clientHello.keyShareGroups).toEqual([0x001d]);
    expect(ja4(got.clientHello, 'q')).toMatch(/^q13d0211an_/); // 2 suites, 11 extensions, ALPN "alpn"
    expect(log.total).toBe(0);
    // the same datagram again (a retransmission) reports nothing more
    expect(t.onClientDatagram(packet, 0, packet.length)).toBeUndefined();
    expect(log.total).toBe(0);
  });

  it('the test sealer reproduces RFC 9001 A.2 and RFC 9369 A.2 byte for byte', () => {
    const frame = Buffer.concat([Uint8Array.of(0x06, 0x00, 0x40, 0xf1), RFC_CLIENT_HELLO]); // offset 0 as one byte
    expect(sealInitial(QUIC_V1, RFC_DCID, new Uint8Array(0), 2, 4, frame, 1162).equals(RFC9001_CLIENT_INITIAL)).toBe(true);
    expect(sealInitial(QUIC_V2, RFC_DCID, new Uint8Array(0), 2, 4, frame, 1162).equals(RFC9369_CLIENT_INITIAL)).toBe(true);
  });

  it('a flipped ciphertext bit fails authentication: anomaly, no hello', () => {
    const bad = Buffer.from(RFC9001_CLIENT_INITIAL);
    bad[600]! ^= 0x01;
    const { t, log } = tracker();
    expect(t.onClientDatagram(bad, 0, bad.length)).toBeUndefined();
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['quic_decrypt_failed', 'dcid 8394c8f03e515708']]);
    // and the good packet still works afterwards
    expect(t.onClientDatagram(RFC9001_CLIENT_INITIAL, 0, 1200)?.clientHello.serverNames).toEqual(['example.com']);
  });

  it('every truncation of the packet is handled without a throw', () => {
    for (let end = 0; end < 1200; end++) {
      const { t, log } = tracker();
      expect(t.onClientDatagram(RFC9001_CLIENT_INITIAL, 0, end)).toBeUndefined();
      if (end >= 7) expect(log.total, `end ${end}`).toBe(1); // malformed header or failed decryption
    }
  });

  it('random datagrams never throw; random flips in a real Initial never throw', () => {
    let seed = 99;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const { t } = tracker();
    for (let i = 0; i < 3000; i++) {
      const junk = Uint8Array.from({ length: rand(1400) }, () => rand(256));
      if (i % 2 === 0 && junk.length > 6) {
        junk[0] = 0xc0 | rand(64);
        junk.set([0, 0, 0, 1], 1);
      }
      t.onClientDatagram(junk, 0, junk.length);
      const flipped = Buffer.from(RFC9001_CLIENT_INITIAL);
      flipped[rand(60)] = rand(256);
      t.onClientDatagram(flipped, 0, flipped.length);
    }
    expect(t.size).toBeLessThanOrEqual(DEFAULT_LIMITS.maxQuicPendingConnections);
  });
});

describe('CRYPTO reassembly', () => {
  const dcid = hex('0011223344556677'),
    scid = hex('a1a2a3a4');
  const ch = RFC_CLIENT_HELLO;

  it('a ClientHello split over two Initials, second packet first', () => {
    const p1 = sealInitial(QUIC_V1, dcid, scid, 0, 1, crypto(0, ch.subarray(0, 100)), 1100);
    const p2 = sealInitial(QUIC_V1, dcid, scid, 1, 1, crypto(100, ch.subarray(100)), 1100);
    const { t, log } = tracker();
    expect(t.onClientDatagram(p2, 0, p2.length)).toBeUndefined();
    const got = t.onClientDatagram(p1, 0, p1.length)!;
    expect(got.clientHello.serverNames).toEqual(['example.com']);
    expect(got.dcid).toBe('0011223344556677');
    expect(log.total).toBe(0);
  });

  it('shuffled, overlapping CRYPTO frames and PING/ACK frames in one packet', () => {
    const frames = Buffer.concat([
      Uint8Array.of(0x01), // PING
      crypto(150, ch.subarray(150)),
      crypto(40, ch.subarray(40, 160)),
      Uint8Array.of(0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00), // ACK: largest 0, delay 0, 1 range (gap 0, len 0)
      crypto(0, ch.subarray(0, 50)),
    ]);
    const p = sealInitial(QUIC_V1, dcid, scid, 0, 2, frames, 1100);
    const { t, log } = tracker();
    expect(t.onClientDatagram(p, 0, p.length)?.clientHello.serverNames).toEqual(['example.com']);
    expect(log.total).toBe(0);
  });

  it('coalesced Initials in one datagram', () => {
    const a = sealInitial(QUIC_V1, dcid, scid, 0, 1, crypto(120, ch.subarray(120)));
    const b = sealInitial(QUIC_V1, dcid, scid, 1, 1, crypto(0, ch.subarray(0, 120)), 900);
    const d = Buffer.concat([a, b]);
    const { t, log } = tracker();
    expect(t.onClientDatagram(d, 0, d.length)?.clientHello.cipherSuites).toEqual([0x1301, 0x1302]);
    expect(log.total).toBe(0);
  });

  it("a later Initial addressed to the server's CID is opened with the original keys (found by SCID)", () => {
    const p1 = sealInitial(QUIC_V1, dcid, scid, 0, 1, crypto(0, ch.subarray(0, 100)), 1100);
    const serverCid = hex('5e5e5e5e5e5e5e5e');
    const p2 = sealInitial(QUIC_V1, serverCid, scid, 1, 1, crypto(100, ch.subarray(100)), 1100, dcid);
    const { t, log } = tracker();
    t.onClientDatagram(p1, 0, p1.length);
    expect(t.onClientDatagram(p2, 0, p2.length)?.dcid).toBe('0011223344556677');
    expect(log.total).toBe(0);
  });

  it('conflicting bytes for one offset: anomaly, the first copy is kept', () => {
    const forged = Buffer.from(ch.subarray(0, 100));
    forged[60] ^= 0xff;
    const p1 = sealInitial(QUIC_V1, dcid, scid, 0, 1, crypto(0, ch.subarray(0, 100)), 1100);
    const p2 = sealInitial(QUIC_V1, dcid, scid, 1, 1, Buffer.concat([crypto(0, forged), crypto(100, ch.subarray(100))]), 1100);
    const { t, log } = tracker();
    t.onClientDatagram(p1, 0, p1.length);
    expect(t.onClientDatagram(p2, 0, p2.length)?.clientHello.serverNames).toEqual(['example.com']);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['quic_crypto_conflict', 'offset 60']]);
  });

  it('a frame type not allowed in Initials (STREAM) is reported', () => {
    const p = sealInitial(QUIC_V1, dcid, scid, 0, 1, Buffer.concat([crypto(0, ch.subarray(0, 10)), Uint8Array.of(0x08, 0, 0)]), 1100);
    const { t, log } = tracker();
    expect(t.onClientDatagram(p, 0, p.length)).toBeUndefined();
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['quic_frame_malformed', 'frame type 0x8 in Initial']]);
  });

  it('CRYPTO beyond maxQuicCryptoBytes is dropped with limit_reached', () => {
    const p = sealInitial(QUIC_V1, dcid, scid, 0, 1, crypto(2000, ch.subarray(0, 50)), 1100);
    const { t, log } = tracker({ maxQuicCryptoBytes: 1024 });
    expect(t.onClientDatagram(p, 0, p.length)).toBeUndefined();
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxQuicCryptoBytes']]);
  });

  it('pending connections are capped (maxQuicPendingConnections): the oldest is dropped', () => {
    const { t, log } = tracker({ maxQuicPendingConnections: 2 });
    for (let i = 0; i < 3; i++) {
      const p = sealInitial(QUIC_V1, Uint8Array.of(i, 1, 2, 3, 4, 5, 6, 7), Uint8Array.of(i), 0, 1, crypto(0, ch.subarray(0, 100)), 1100);
      t.onClientDatagram(p, 0, p.length);
    }
    expect(t.size).toBe(2);
    expect(log.kept.map((a) => [a.code, a.detail])).toEqual([['limit_reached', 'maxQuicPendingConnections']]);
  });
});

/** UDP payloads sent by the side that spoke first on each 5-tuple (the client) */
function clientDatagrams(segs: TestSegment[]): TestSegment[] {
  const first = new Map<string, string>();
  return segs.filter((s) => {
    if (s.proto !== 17) return false;
    const a = `${s.src}|${s.sport}`,
      b = `${s.dst}|${s.dport}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (!first.has(key)) first.set(key, a);
    return first.get(key) === a;
  });
}

function hellosOf(file: string): { frame: number; hello: QuicClientHello }[] {
  const { t, log } = tracker();
  const out: { frame: number; hello: QuicClientHello }[] = [];
  for (const s of clientDatagrams(readSegments(corpus(file)))) {
    log.packet = s.frame;
    const h = t.onClientDatagram(s.payload, 0, s.payload.length);
    if (h) out.push({ frame: s.frame, hello: h });
  }
  return out;
}

describe('QUIC captures from other projects', () => {
  it.each([
    // file, SNIs per tshark (corpus/oracle/<file>.tls.tsv)
    ['zeek__quic-multiple-initial-fragmented-crypto.pcap', ['googleads.g.doubleclick.net']],
    ['zeek__chromium-115.0.5790.110-google-de-fragmented.pcap', ['www.google.de']],
    ['tcpdump__quic_handshake.pcap', ['localhost']],
  ] as const)('%s', (file, snis) => {
    const got = hellosOf(file);
    expect(got.map((g) => g.hello.clientHello.serverNames[0])).toEqual(snis);
    expect(got.every((g) => g.hello.version === '1')).toBe(true);
  });

  it('nDPI quic_frags_ch_in_multiple_packets: the SNI-less hello tshark 4.0 does not join', () => {
    const got = hellosOf('nDPI__quic_frags_ch_in_multiple_packets.pcapng');
    expect(got).toHaveLength(1);
    expect(got[0]!.hello.clientHello.serverNames).toEqual([]);
    expect(got[0]!.hello.clientHello.supportedVersions).toContain(0x0304);
  });
});

describe('QUIC interop runner traffic (nDPI quic_interop_V, 63 ClientHellos per tshark)', () => {
  // every client Initial here uses the reserved version 0x0a0a0a0a (the runner's version
  // negotiation test) protected with the draft-29 salt, which is how tshark opens them too
  const oracle = readFileSync(path.resolve(ROOT, '../shared/corpus/oracle/nDPI__quic_interop_V.pcapng.tls.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));

  it('finds the hello of every connection tshark found, in the same frame, with the same SNI', () => {
    const got = hellosOf('nDPI__quic_interop_V.pcapng').map((g) => [String(g.frame), g.hello.clientHello.serverNames[0] ?? '']);
    expect(oracle).toHaveLength(63);
    expect(got).toEqual(oracle.map((o) => [o[0], o[4]]));
    expect(new Set(hellosOf('nDPI__quic_interop_V.pcapng').map((g) => g.hello.version))).toEqual(new Set(['0x0a0a0a0a']));
  });
});
