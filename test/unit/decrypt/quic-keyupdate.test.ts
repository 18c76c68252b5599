/**
 * What the real captures do not exercise, on packets the test-support writer protects: QUIC
 * v2 long headers, a ChaCha20 suite found without a ServerHello, two 1-RTT key updates with a
 * packet reordered across the first, short headers whose DCID changes length after a
 * NEW_CONNECTION_ID, and a damaged packet.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { TLS13_CIPHER_SUITES } from '../../../src/decrypt/hkdf.js';
import type { TlsSecrets } from '../../../src/decrypt/key-store.js';
import { QuicConnectionDecryptor, type QuicDir } from '../../../src/decrypt/quic.js';
import { QuicPacketKeys } from '../../../src/decrypt/quic-keys.js';
import { resolveLimits } from '../../../src/limits.js';
import { QUIC_V2 } from '../../../src/proto/quic-crypto.js';
import { cryptoFrame, longPacket, newConnectionIdFrame, shortPacket, streamFrame } from '../../../test-support/quic-packets.js';

const CHACHA = TLS13_CIPHER_SUITES.get(0x1303)!;
const HANDSHAKE_V2 = 3;

describe('QUIC decryption: v2, ChaCha20, key updates, connection IDs', () => {
  const secrets: TlsSecrets = {
    clientHandshakeTrafficSecret: randomBytes(32),
    serverHandshakeTrafficSecret: randomBytes(32),
    clientTrafficSecret0: randomBytes(32),
    serverTrafficSecret0: randomBytes(32),
    source: 'test',
  };
  const k = (s: Buffer | undefined): QuicPacketKeys => QuicPacketKeys.fromSecret(CHACHA, QUIC_V2, s!);
  const clientCid = Buffer.from('c1c1c1c1', 'hex');
  const serverCid0 = Buffer.from('5050505050505050', 'hex');
  const serverCid1 = Buffer.from('5151515151', 'hex');
  const app0 = k(secrets.clientTrafficSecret0),
    app1 = app0.next(),
    app2 = app1.next();

  const datagrams: Array<[QuicDir, Buffer]> = [
    [
      1,
      longPacket({
        version: QUIC_V2,
        type: HANDSHAKE_V2,
        dcid: clientCid,
        scid: serverCid0,
        keys: k(secrets.serverHandshakeTrafficSecret),
        packetNumber: 0,
        payload: cryptoFrame(0, Buffer.alloc(40, 1)),
      }),
    ],
    [
      0,
      longPacket({
        version: QUIC_V2,
        type: HANDSHAKE_V2,
        dcid: serverCid0,
        scid: clientCid,
        keys: k(secrets.clientHandshakeTrafficSecret),
        packetNumber: 0,
        payload: cryptoFrame(0, Buffer.alloc(36, 2)),
      }),
    ],
    [1, shortPacket({ keyPhase: 0, dcid: clientCid, keys: k(secrets.serverTrafficSecret0), packetNumber: 0, payload: newConnectionIdFrame(1, serverCid1) })],
    [0, shortPacket({ keyPhase: 0, dcid: serverCid0, keys: app0, packetNumber: 0, payload: streamFrame(0, 0, Buffer.from('hello ')) })],
    // pn 2 (after the key update) overtakes pn 1, and rides on the new, shorter CID
    [0, shortPacket({ keyPhase: 1, dcid: serverCid1, keys: app1, packetNumber: 2, payload: streamFrame(0, 12, Buffer.from('again'), true) })],
    [0, shortPacket({ keyPhase: 0, dcid: serverCid0, keys: app0, packetNumber: 1, payload: streamFrame(0, 6, Buffer.from('world ')) })],
    // a jump of 300 needs 2 packet-number bytes (1 byte reaches 128 past the largest, RFC 9000 §17.1)
    [
      0,
      shortPacket({
        keyPhase: 0,
        dcid: serverCid1,
        keys: app2,
        packetNumber: 300,
        pnLength: 2,
        payload: streamFrame(4, 0, Buffer.from('second update'), true),
      }),
    ],
  ];

  const run = (packets: Array<[QuicDir, Buffer]>) => {
    const log = new AnomalyLog();
    const got = new Map<number, string>();
    let fins = 0;
    const d = new QuicConnectionDecryptor(
      resolveLimits(),
      log,
      {
        onStreamData(dir, id, data, fin) {
          if (dir === 0) got.set(id, (got.get(id) ?? '') + Buffer.from(data).toString());
          if (fin) fins++;
        },
        onStreamAbort() {},
      },
      undefined,
    );
    d.setSecrets(secrets);
    for (const [dir, p] of packets) d.onDatagram(dir, p, 0, p.length);
    return { d, log, got, fins };
  };

  it('opens every packet, follows both key updates and the reordered one, joins the streams', () => {
    const { d, log, got, fins } = run(datagrams);
    expect(log.countsObject()).toEqual({});
    expect(d.version).toBe(QUIC_V2);
    expect(d.suite?.name).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(d.stats).toMatchObject({ decrypted: 7, failed: 0, noKey: 0, keyUpdates: 2 });
    expect(got.get(0)).toBe('hello world again');
    expect(got.get(4)).toBe('second update');
    expect(fins).toBe(2);
    expect(d.decryption()).toBe('decrypted');
  });

  it('a packet number too short for its distance decodes to another number and does not open', () => {
    const tooShort = [
      ...datagrams.slice(0, 6),
      [0, shortPacket({ keyPhase: 0, dcid: serverCid1, keys: app2, packetNumber: 300, pnLength: 1, payload: streamFrame(4, 0, Buffer.from('x'), true) })] as [
        QuicDir,
        Buffer,
      ],
    ];
    const { d, log } = run(tooShort);
    expect(d.stats.failed).toBe(1);
    expect(log.kept[0]?.detail).toBe('1-RTT packet 44');
  });

  it('a Stateless Reset (a datagram ending in a token from NEW_CONNECTION_ID) is recognised, not counted as failed', () => {
    const reset = Buffer.concat([Buffer.from([0x4f]), randomBytes(30), Buffer.alloc(16, 0xab)]);
    const { d, log } = run([...datagrams, [1, reset]]);
    expect(d.stats.statelessResets).toBe(1);
    expect(d.stats.failed).toBe(0);
    expect(log.total).toBe(0);
  });

  it('counts a damaged packet as failed with an anomaly and goes on', () => {
    const damaged = datagrams.map(([dir, p]) => [dir, Buffer.from(p)] as [QuicDir, Buffer]);
    damaged[3]![1][damaged[3]![1].length - 3]! ^= 0x40; // inside the tag of the "hello " packet
    const { d, log, got } = run(damaged);
    expect(d.stats.failed).toBe(1);
    expect(log.counts.get('quic_packet_auth_failed')).toBe(1);
    expect(got.get(0)).toBeUndefined(); // its bytes are missing: nothing after them is delivered
    expect(got.get(4)).toBe('second update');
  });
});

describe('QUIC 0-RTT', () => {
  it('opens a client 0-RTT packet with the early traffic secret and hands on its stream', () => {
    const secrets: TlsSecrets = { clientEarlyTrafficSecret: randomBytes(32), clientTrafficSecret0: randomBytes(32), source: 'test' };
    const gcm = TLS13_CIPHER_SUITES.get(0x1301)!;
    const early = QuicPacketKeys.fromSecret(gcm, 1, secrets.clientEarlyTrafficSecret!);
    const zeroRtt = longPacket({
      version: 1,
      type: 1,
      dcid: Buffer.alloc(8, 7),
      scid: Buffer.alloc(0),
      keys: early,
      packetNumber: 1,
      payload: streamFrame(0, 0, Buffer.from('GET /early'), true),
    });
    const log = new AnomalyLog();
    let got = '';
    const d = new QuicConnectionDecryptor(
      resolveLimits(),
      log,
      {
        onStreamData(_dir, _id, data) {
          got += Buffer.from(data).toString();
        },
        onStreamAbort() {},
      },
      undefined,
    );
    d.setSecrets(secrets);
    d.onDatagram(0, zeroRtt, 0, zeroRtt.length);
    expect(log.total).toBe(0);
    expect(got).toBe('GET /early');
    expect(d.stats.decrypted).toBe(1);
  });
});
