import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { TLS13_CIPHER_SUITES } from '../../../src/decrypt/hkdf.js';
import { QuicConnectionDecryptor, decodePacketNumber } from '../../../src/decrypt/quic.js';
import { OrderedStream } from '../../../src/decrypt/quic-frames.js';
import { QuicPacketKeys } from '../../../src/decrypt/quic-keys.js';
import { resolveLimits } from '../../../src/limits.js';
import { readSegments } from '../../helpers/capture.js';
import { readTestDsbKeyLog, readTestKeyLog } from '../../helpers/keylog.js';
import { SHARED } from '../../helpers/paths.js';
import { decryptCaptureQuic } from '../../helpers/quic.js';

const H3 = `${SHARED}/keyed/clients/h3_chromium_caddy`;
const CORPUS = `${SHARED}/keyed/corpus/files`;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('QUIC packet protection (RFC 9001 A.5: ChaCha20-Poly1305 short header)', () => {
  const suite = TLS13_CIPHER_SUITES.get(0x1303)!;
  const keys = QuicPacketKeys.fromSecret(suite, 1, hex('9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b'));

  it('derives key, iv, hp and the next generation', () => {
    expect(keys.key.toString('hex')).toBe('c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8');
    expect(keys.iv.toString('hex')).toBe('e0459b3474bdd0e44a41c144');
    expect(keys.hp.toString('hex')).toBe('25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4');
    const next = keys.next();
    expect(next.secret.toString('hex')).toBe('1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9');
    expect(next.hp).toBe(keys.hp); // header protection survives key updates
  });

  it('removes header protection with ChaCha20, recovers the packet number and opens a PING', () => {
    const packet = hex('4cfe4189655e5cd55c41f69080575d7999c25a5bfb');
    const mask = keys.mask(packet, 1 + 4);
    expect(mask.toString('hex')).toBe('aefefe7d03');
    const first = packet[0]! ^ (mask[0]! & 0x1f);
    expect(first).toBe(0x42);
    const truncated = ((packet[1]! ^ mask[1]!) << 16) | ((packet[2]! ^ mask[2]!) << 8) | (packet[3]! ^ mask[3]!);
    const pn = decodePacketNumber(654360563, truncated, 24);
    expect(pn).toBe(654360564);
    const plain = keys.open(packet, 4, packet.length, hex('4200bff4'), pn);
    expect(plain?.toString('hex')).toBe('01');
    expect(keys.open(packet, 4, packet.length, hex('4200bff5'), pn)).toBeUndefined(); // AAD must match
  });

  it('decodes packet numbers as RFC 9000 A.3 does', () => {
    expect(decodePacketNumber(0xa82f30ea, 0x9b32, 16)).toBe(0xa82f9b32);
    expect(decodePacketNumber(-1, 0, 8)).toBe(0);
    expect(decodePacketNumber(255, 2, 8)).toBe(258);
    expect(decodePacketNumber(300, 250, 8)).toBe(250);
  });
});

describe('OrderedStream', () => {
  it('delivers in order, holds later pieces, trims retransmissions and ends at the final size', () => {
    const st = new OrderedStream();
    const got: string[] = [];
    const deliver = (d: Uint8Array, fin: boolean): void => {
      got.push(Buffer.from(d).toString() + (fin ? '|' : ''));
    };
    expect(st.add(6, Buffer.from('world'), true, 100, 8, deliver)).toBe(true);
    expect(got).toEqual([]);
    st.add(0, Buffer.from('hello'), false, 100, 8, deliver);
    expect(got).toEqual(['hello']);
    st.add(3, Buffer.from('lo '), false, 100, 8, deliver);
    expect(got).toEqual(['hello', ' ', 'world|']);
    st.add(0, Buffer.from('hello world'), true, 100, 8, deliver);
    expect(got).toHaveLength(3);
  });

  it('refuses pieces past the reordering caps (bytes, and pieces: scattered 1-byte frames cost no quadratic work)', () => {
    const st = new OrderedStream();
    expect(st.add(10, Buffer.alloc(8), false, 16, 8, () => {})).toBe(true);
    expect(st.add(30, Buffer.alloc(9), false, 16, 8, () => {})).toBe(false);
    expect(st.buffered).toBe(8);
    const many = new OrderedStream();
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) if (many.add(2 + ((i * 7919) % 100_000) * 2, Buffer.alloc(1), false, 1 << 20, 2048, () => {})) accepted++;
    expect(accepted).toBe(2048);
  });
});

describe('QUIC decryption of real captures', () => {
  it('h3_chromium_caddy: every packet of the 6 connections decrypts with the key log', () => {
    const truth = JSON.parse(readFileSync(`${H3}.truth.json`, 'utf8')) as {
      flows: Array<{ client: string; quic: { client_random: string }; requests: Array<{ stream_id: number }> }>;
    };
    const { flows, log } = decryptCaptureQuic(`${H3}.pcap`, readTestKeyLog(`${H3}.keys`));
    expect(flows).toHaveLength(6);
    expect(log.total).toBe(0);
    for (const t of truth.flows) {
      const f = flows.find((x) => x.client === t.client)!;
      expect(f.decryptor.clientRandom?.toString('hex')).toBe(t.quic.client_random);
      expect(f.decryptor.decryption()).toBe('decrypted');
      expect(f.decryptor.suite?.name).toBe('TLS_AES_128_GCM_SHA256');
      expect(f.decryptor.stats.failed).toBe(0);
      expect(f.decryptor.stats.noKey).toBe(0);
      // every request stream of the truth file arrived complete from the client
      for (const r of t.requests) {
        const st = f.streams.get(`0:${r.stream_id}`);
        expect(st?.fin, `${t.client} stream ${r.stream_id}`).toBe(true);
      }
    }
  });

  it('without keys: Initials open, everything else is no_key; with wrong keys: failed, with an anomaly', () => {
    const none = decryptCaptureQuic(`${H3}.pcap`, undefined);
    for (const f of none.flows) {
      expect(f.decryptor.decryption()).toBe('no_key');
      expect(f.decryptor.stats.decrypted).toBe(0);
      expect(f.decryptor.stats.initial).toBeGreaterThan(0);
      expect(f.streams.size).toBe(0);
    }
    const real = readTestKeyLog(`${H3}.keys`);
    const wrong = {
      lookup(random: Uint8Array) {
        const s = real.lookup(random);
        if (s === undefined) return undefined;
        const flip = (b?: Buffer): Buffer | undefined => (b === undefined ? b : createHash('sha256').update(b).digest());
        return {
          ...s,
          clientHandshakeTrafficSecret: flip(s.clientHandshakeTrafficSecret),
          serverHandshakeTrafficSecret: flip(s.serverHandshakeTrafficSecret),
          clientTrafficSecret0: flip(s.clientTrafficSecret0),
          serverTrafficSecret0: flip(s.serverTrafficSecret0),
        };
      },
    };
    const bad = decryptCaptureQuic(`${H3}.pcap`, wrong);
    for (const f of bad.flows) {
      expect(f.decryptor.decryption()).toBe('failed');
      expect(f.streams.size).toBe(0);
    }
    expect(bad.log.counts.get('quic_packet_auth_failed')).toBeGreaterThan(0);
  });

  it('illustrated-quic: QUIC v1 ping/pong over 1-RTT', () => {
    const { flows, log } = decryptCaptureQuic(
      `${CORPUS}/syncsynchalt-illustrated-quic__capture.pcap`,
      readTestKeyLog(`${CORPUS}/syncsynchalt-illustrated-quic__capture.pcap.keys`),
    );
    expect(log.total).toBe(0);
    expect(flows).toHaveLength(1);
    const f = flows[0]!;
    expect(f.decryptor.decryption()).toBe('decrypted');
    expect(Buffer.concat(f.streams.get('0:0')!.data).toString()).toBe('ping');
    expect(Buffer.concat(f.streams.get('1:0')!.data).toString()).toBe('pong');
  });

  it('quic_follow_multistream (draft-29, keys in a DSB): every packet decrypts', async () => {
    const file = `${CORPUS}/wireshark-wireshark__quic_follow_multistream.pcapng`;
    const { flows, log } = decryptCaptureQuic(file, await readTestDsbKeyLog(file));
    expect(log.counts.get('quic_packet_auth_failed') ?? 0).toBe(0);
    const opened = flows.filter((f) => f.decryptor.decryption() === 'decrypted');
    expect(opened).toHaveLength(1);
    const d = opened[0]!.decryptor;
    expect(d.stats.failed).toBe(0);
    expect(d.stats.noKey).toBe(0);
    // 22 HTTP/3 requests on client bidirectional streams 0, 4, … 84
    const requestStreams = [...opened[0]!.streams.keys()].filter((k) => k.startsWith('0:') && Number(k.slice(2)) % 4 === 0);
    expect(requestStreams).toHaveLength(22);
  });
});

describe('QUIC Initials without keys', () => {
  it('quic-fragmented-handshakes: the ClientHello of each of the 17 connections tshark lists (Initials after a Retry carry long tokens), nothing malformed', () => {
    const file = `${CORPUS}/wireshark-wireshark__quic-fragmented-handshakes.pcapng`;
    const oracle = readFileSync(`${SHARED}/keyed/corpus/oracle/wireshark-wireshark__quic-fragmented-handshakes.pcapng.tls.tsv`, 'utf8').trim().split('\n');
    const { flows, log } = decryptCaptureQuic(file, undefined);
    expect(log.total).toBe(0);
    const randoms = new Set(flows.map((f) => f.decryptor.clientRandom?.toString('hex')).filter((r) => r !== undefined));
    expect(randoms.size).toBe(oracle.length);
  });

  it('zeek quicv2-http3-443: QUIC v2 Initials of both sides open (client random, ServerHello suite)', () => {
    const { flows, log } = decryptCaptureQuic(`${CORPUS}/zeek-zeek__quicv2-http3-443.pcap`, undefined);
    expect(log.total).toBe(0);
    expect(flows).toHaveLength(1);
    const d = flows[0]!.decryptor;
    expect(d.version).toBe(0x6b3343cf);
    expect(d.clientRandom).toBeDefined();
    expect(d.suite?.name).toBe('TLS_AES_128_GCM_SHA256');
    expect(d.decryption()).toBe('no_key');
  });
});

describe('hostile input', () => {
  it('bit flips and truncations of every datagram end in counted outcomes or anomalies, never a throw', () => {
    const keys = readTestKeyLog(`${H3}.keys`);
    const segs = readSegments(`${H3}.pcap`).filter((s) => s.proto === 17);
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const log = new AnomalyLog();
      const d = new QuicConnectionDecryptor(resolveLimits(), log, { onStreamData() {}, onStreamAbort() {} }, keys);
      for (const s of segs) {
        const p = Buffer.from(s.payload);
        const kind = rand(3);
        if (kind === 0) p[rand(p.length)]! ^= 1 << rand(8);
        const end = kind === 1 ? rand(p.length + 1) : p.length;
        expect(() => d.onDatagram(s.dport === 19446 ? 0 : 1, p, 0, end)).not.toThrow();
      }
      d.finish();
      const st = d.stats;
      expect(st.decrypted + st.failed + st.noKey + st.initial).toBeGreaterThan(0);
    }
  });
});
