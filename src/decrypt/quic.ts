/**
 * Decryption of one QUIC v1/v2 connection (RFC 9000, RFC 9001, RFC 9369) from the secrets a
 * key log holds for it: Initial packets with the keys derived from the client's first
 * Destination Connection ID, Handshake, 0-RTT and 1-RTT packets with the TLS 1.3 secrets.
 *
 * Per datagram: coalesced long-header packets, then at most one short-header packet whose
 * Destination Connection ID length comes from the connection IDs each side handed out (long
 * header Source CIDs and NEW_CONNECTION_ID frames). Per packet: header protection removed,
 * the packet number recovered from the largest seen in its space (RFC 9000 A.3), the payload
 * opened; 1-RTT key phase flips try the next key generation, then the previous one (a packet
 * reordered across the update). CRYPTO data is joined per space and direction so the
 * ClientHello random (to find the secrets) and the ServerHello's cipher suite are read;
 * STREAM data is joined per stream and direction and handed on in order.
 *
 * Every packet ends in one of three outcomes: decrypted, no_key (no secret for its space),
 * failed (the authentication tag did not verify).
 */
import type { AnomalySink } from '../anomaly.js';
import type { Limits } from '../limits.js';
import { deriveInitialKeys, initialSalt, QUIC_V2 } from '../proto/quic-crypto.js';
import type { Tls13CipherSuite } from './hkdf.js';
import type { KeyLookup, TlsSecrets } from './key-store.js';
import { OrderedStream, readVarint, walkFrames, type FrameSink, type VarInt } from './quic-frames.js';
import { HP_SAMPLE_LENGTH, INITIAL_SUITE, QuicPacketKeys, candidateSuites, quicSuite, removeHeaderProtection, type UnprotectedHeader } from './quic-keys.js';

export { decodePacketNumber } from './quic-keys.js';

/** 0: client → server, 1: server → client */
export type QuicDir = 0 | 1;
export const CLIENT_TO_SERVER: QuicDir = 0;
export const SERVER_TO_CLIENT: QuicDir = 1;

/** packet-number spaces (RFC 9000 §12.3) */
const SPACE_INITIAL = 0,
  SPACE_HANDSHAKE = 1,
  SPACE_APP = 2;
type Space = 0 | 1 | 2;

export type QuicDecryption = 'decrypted' | 'no_key' | 'failed';

/** What the decryptor hands on: stream bytes in order per stream and direction. */
export interface QuicStreamSink {
  onStreamData(dir: QuicDir, streamId: number, data: Uint8Array, fin: boolean): void;
  /** bytes of the stream were lost (not captured, or past the reordering cap): no more data follows */
  onStreamAbort(dir: QuicDir, streamId: number): void;
}

/** per-direction state */
interface Side {
  largestPn: [number, number, number];
  crypto: [OrderedStream, OrderedStream, OrderedStream];
  /** the first handshake message of Initial CRYPTO, joined until it is complete */
  hello: Uint8Array | null;
  helloFill: number;
  helloLength: number;
  helloDone: boolean;
  initial: QuicPacketKeys | null;
  handshake: QuicPacketKeys | null;
  early: QuicPacketKeys | null;
  /** 1-RTT keys of the current key phase, the next and the previous generation */
  app: QuicPacketKeys | null;
  appNext: QuicPacketKeys | null;
  appPrev: QuicPacketKeys | null;
  phase: number;
  /** connection IDs this side's packets carry as Destination CID (issued by the peer), newest last */
  cids: Uint8Array[];
  streams: Map<number, OrderedStream>;
}

function newSide(): Side {
  return {
    largestPn: [-1, -1, -1],
    crypto: [new OrderedStream(), new OrderedStream(), new OrderedStream()],
    hello: null,
    helloFill: 0,
    helloLength: -1,
    helloDone: false,
    initial: null,
    handshake: null,
    early: null,
    app: null,
    appNext: null,
    appPrev: null,
    phase: 0,
    cids: [],
    streams: new Map(),
  };
}

/** Counts per outcome; bytes are plaintext payload bytes of packets opened with logged secrets. */
export interface QuicDecryptStats {
  decrypted: number;
  noKey: number;
  failed: number;
  /** Initial packets opened (keys anyone can derive) */
  initial: number;
  decryptedBytes: number;
  /** 1-RTT key updates followed */
  keyUpdates: number;
  /** Stateless Resets recognised by their token (they do not decrypt, and are not meant to) */
  statelessResets: number;
  /** datagram bytes of every packet that opened (Initials included): what was inspected */
  openedWireBytes: number;
}

const MAX_CID_LENGTH = 20;

export class QuicConnectionDecryptor {
  readonly stats: QuicDecryptStats = {
    decrypted: 0,
    noKey: 0,
    failed: 0,
    initial: 0,
    decryptedBytes: 0,
    keyUpdates: 0,
    openedWireBytes: 0,
    statelessResets: 0,
  };
  version = 0;
  /** the ClientHello random read from the client's Initial CRYPTO data */
  clientRandom: Buffer | undefined;
  /** the cipher suite the ServerHello chose (undefined until it is read) */
  suite: Tls13CipherSuite | undefined;
  secrets: TlsSecrets | undefined;
  private secretsLookedUp = false;
  private originalDcid: Uint8Array | null = null;
  /** the version each side's Initial keys were derived for */
  private readonly initialVersion: [number, number] = [0, 0];
  private readonly sides: [Side, Side] = [newSide(), newSide()];
  private readonly vi: VarInt = { value: 0, size: 0 };
  /** scratch for the unprotected header; grows for long Initial tokens */
  private header = new Uint8Array(64);
  private readonly unprotected: UnprotectedHeader = { first: 0, packetNumber: 0, payloadStart: 0, aad: this.header };
  // the packet being walked (frame sink callbacks read these instead of taking closures)
  private curDir: QuicDir = 0;
  private curSpace: Space = 0;
  private curAt = 0;
  private readonly sink: FrameSink;
  /** set when the last guessKeys() had a secret but no suite opened the packet with it */
  private guessFailed = false;
  /** stateless reset tokens from NEW_CONNECTION_ID frames (hex), bounded by maxQuicConnectionIds */
  private readonly resetTokens = new Set<string>();
  /** keys of each suite a secret may belong to, while the suite is unknown */
  private readonly candidates = new Map<string, QuicPacketKeys[]>();

  constructor(
    private readonly limits: Limits,
    private readonly anomalies: AnomalySink,
    private readonly out: QuicStreamSink,
    private readonly keys: KeyLookup | undefined,
  ) {
    this.sink = {
      onCrypto: (offset, data) => this.onCrypto(offset, data),
      onStream: (id, offset, data, fin) => this.onStream(id, offset, data, fin),
      onResetStream: (id) => this.abortStream(this.curDir, id),
      onNewConnectionId: (cid, token) => {
        this.addCid(this.curDir === 0 ? 1 : 0, cid);
        // the issuer may end the connection with a Stateless Reset carrying this token
        if (this.resetTokens.size < this.limits.maxQuicConnectionIds) this.resetTokens.add(Buffer.from(token).toString('hex'));
      },
    };
  }

  /** Secrets given directly (tests, or a caller that already looked them up). */
  setSecrets(secrets: TlsSecrets | undefined): void {
    this.secrets = secrets;
    this.secretsLookedUp = true;
    this.buildKeys();
  }

  /** The connection's outcome: null before any protected packet beyond Initial was seen. */
  decryption(): QuicDecryption | null {
    const s = this.stats;
    if (s.decrypted > 0) return 'decrypted';
    if (s.failed > 0) return 'failed';
    if (s.noKey > 0) return 'no_key';
    return null;
  }

  /** One UDP payload [off, end) in direction `dir`; `at` is its offset in the frame (for anomalies). */
  onDatagram(dir: QuicDir, b: Uint8Array, off: number, end: number, at = 0): void {
    let p = off;
    while (end - p > 0) {
      const first = b[p]!;
      if ((first & 0x80) !== 0) {
        const next = this.onLongHeader(dir, b, p, end, at + p - off);
        if (next < 0) return;
        p = next;
        continue;
      }
      if (first === 0 && isAllZero(b, p, end)) return; // padding after coalesced packets
      this.onShortHeader(dir, b, p, end, at + p - off);
      return;
    }
  }

  /** returns the end of the packet, or -1 when the rest of the datagram cannot be read */
  private onLongHeader(dir: QuicDir, b: Uint8Array, start: number, end: number, at: number): number {
    const vi = this.vi;
    if (end - start < 7) return this.malformed(at, 'long header');
    const version = u32(b, start + 1);
    if (version === 0) return -1; // Version Negotiation
    if (initialSalt(version) === undefined) return -1; // a version whose packets we cannot read
    // the server's version is the connection's (compatible version negotiation, RFC 9368, may
    // move a v1 client to v2); until it speaks, the client's
    if (this.version === 0 || (dir === SERVER_TO_CLIENT && version !== this.version)) this.version = version;
    const dcidLen = b[start + 5]!;
    const dcidOff = start + 6;
    if (dcidLen > MAX_CID_LENGTH || end - dcidOff < dcidLen + 1) return this.malformed(at, 'dcid');
    const scidLen = b[dcidOff + dcidLen]!;
    const scidOff = dcidOff + dcidLen + 1;
    if (scidLen > MAX_CID_LENGTH || end - scidOff < scidLen) return this.malformed(at, 'scid');
    const rawType = (b[start]! >> 4) & 0x03;
    // v2 rotates the type codes (RFC 9369 §3.2): Initial 1, 0-RTT 2, Handshake 3, Retry 0
    const type = version === QUIC_V2 ? (rawType + 3) & 0x03 : rawType;
    // the sender's Source CID is what the peer's short headers will carry
    this.addCid(dir === 0 ? 1 : 0, b.subarray(scidOff, scidOff + scidLen));
    if (type === 3) {
      // Retry: the client's next Initials use new keys
      if (dir === SERVER_TO_CLIENT) this.deriveInitial(version, b.subarray(scidOff, scidOff + scidLen), true);
      return -1;
    }
    let p = scidOff + scidLen;
    if (type === 0) {
      if (!readVarint(b, p, end, vi) || end - p - vi.size < vi.value) return this.malformed(at, 'token');
      p += vi.size + vi.value;
    }
    if (!readVarint(b, p, end, vi)) return this.malformed(at, 'length');
    p += vi.size;
    if (vi.value > end - p || vi.value < 1) return this.malformed(at, 'length');
    const packetEnd = p + vi.value;
    if (type === 0 && this.originalDcid === null && dir === CLIENT_TO_SERVER) {
      this.deriveInitial(version, b.subarray(dcidOff, dcidOff + dcidLen), true);
    } else if (type === 0 && this.originalDcid !== null && version !== this.initialVersion[dir]) {
      // a client retrying with another version after Version Negotiation, or a server answering
      // in another compatible version: Initial keys of that version, from the same DCID
      this.deriveInitial(version, dir === CLIENT_TO_SERVER ? b.subarray(dcidOff, dcidOff + dcidLen) : this.originalDcid, dir === CLIENT_TO_SERVER);
    }
    const side = this.sides[dir];
    const space: Space = type === 0 ? SPACE_INITIAL : type === 2 ? SPACE_HANDSHAKE : SPACE_APP;
    let keys: QuicPacketKeys | null;
    if (type === 0) keys = side.initial;
    else if (type === 2) keys = side.handshake;
    else keys = dir === CLIENT_TO_SERVER ? side.early : null; // 0-RTT comes only from clients
    if (keys === null && type !== 0) keys = this.guessKeys(dir, type === 2 ? 'handshake' : 'early', b, start, p, packetEnd, true);
    if (keys === null) {
      if (type !== 0) this.countUnopened(at, type === 2 ? 'Handshake' : '0-RTT');
      return packetEnd;
    }
    this.openPacket(dir, space, keys, b, start, p, packetEnd, true, at);
    return packetEnd;
  }

  private onShortHeader(dir: QuicDir, b: Uint8Array, start: number, end: number, at: number): void {
    const side = this.sides[dir];
    const dcidLen = this.shortDcidLength(side, b, start + 1, end);
    const pnOffset = start + 1 + dcidLen;
    if (pnOffset + 4 + HP_SAMPLE_LENGTH > end) {
      this.malformed(at, 'short header');
      return;
    }
    let keys = side.app;
    if (keys === null) keys = this.guessKeys(dir, 'app', b, start, pnOffset, end, false);
    if (keys === null) {
      this.countUnopened(at, '1-RTT');
      return;
    }
    this.openPacket(dir, SPACE_APP, keys, b, start, pnOffset, end, false, at);
  }

  /** the DCID length of a short header: the known CID it starts with, else the newest one's length */
  private shortDcidLength(side: Side, b: Uint8Array, off: number, end: number): number {
    const cids = side.cids;
    for (let i = cids.length - 1; i >= 0; i--) {
      const c = cids[i]!;
      if (c.length > 0 && end - off >= c.length && startsWith(b, off, c)) return c.length;
    }
    return cids.length > 0 ? cids[cids.length - 1]!.length : 0;
  }

  /**
   * Removes header protection, recovers the packet number, opens the payload and walks its
   * frames. For 1-RTT packets whose key phase differs from the current one, tries the next
   * key generation (and keeps it when it opens), then the previous one.
   */
  private openPacket(
    dir: QuicDir,
    space: Space,
    keys: QuicPacketKeys,
    b: Uint8Array,
    start: number,
    pnOffset: number,
    end: number,
    long: boolean,
    at: number,
  ): void {
    const side = this.sides[dir];
    const h = this.unprotected;
    this.headerRoom(pnOffset - start + 4);
    if (!removeHeaderProtection(keys, b, start, pnOffset, end, long, side.largestPn[space], this.header, h)) {
      this.malformed(at, 'packet too short');
      return;
    }
    const pn = h.packetNumber,
      from = h.payloadStart,
      aad = h.aad;
    let plain: Buffer | undefined;
    if (!long) {
      const phase = (h.first >> 2) & 1;
      if (phase === side.phase || side.app === null) {
        plain = keys.open(b, from, end, aad, pn);
      } else {
        side.appNext ??= side.app.next();
        plain = side.appNext.open(b, from, end, aad, pn);
        if (plain !== undefined) {
          side.appPrev = side.app;
          side.app = side.appNext;
          side.appNext = null;
          side.phase = phase;
          this.stats.keyUpdates++;
        } else if (side.appPrev !== null) {
          plain = side.appPrev.open(b, from, end, aad, pn);
        }
      }
    } else {
      plain = keys.open(b, from, end, aad, pn);
    }
    if (plain === undefined) {
      if (!long && this.isStatelessReset(b, end)) {
        this.stats.statelessResets++;
        return;
      }
      if (space !== SPACE_INITIAL) {
        this.stats.failed++;
        this.anomalies.anomaly('quic_packet_auth_failed', at, `${space === SPACE_HANDSHAKE ? 'Handshake' : long ? '0-RTT' : '1-RTT'} packet ${pn}`);
      }
      return;
    }
    if (pn > side.largestPn[space]) side.largestPn[space] = pn;
    this.stats.openedWireBytes += end - start;
    if (space === SPACE_INITIAL) this.stats.initial++;
    else {
      this.stats.decrypted++;
      this.stats.decryptedBytes += plain.length;
    }
    this.curDir = dir;
    this.curSpace = space;
    this.curAt = at;
    const bad = walkFrames(plain, this.sink, this.vi);
    if (bad !== undefined) this.anomalies.anomaly('quic_frame_malformed', at, bad);
  }

  /**
   * Keys for a packet that arrived before the cipher suite was known (no ServerHello seen, or
   * 0-RTT ahead of it): each suite the secret's length allows is tried on this packet, and
   * the one that opens it is kept for the connection.
   */
  private guessKeys(
    dir: QuicDir,
    which: 'handshake' | 'early' | 'app',
    b: Uint8Array,
    start: number,
    pnOffset: number,
    end: number,
    long: boolean,
  ): QuicPacketKeys | null {
    this.lookupSecrets();
    const s = this.secrets;
    if (s === undefined || this.suite !== undefined) return null;
    const secret =
      which === 'early'
        ? s.clientEarlyTrafficSecret
        : which === 'handshake'
          ? dir === 0
            ? s.clientHandshakeTrafficSecret
            : s.serverHandshakeTrafficSecret
          : dir === 0
            ? s.clientTrafficSecret0
            : s.serverTrafficSecret0;
    if (secret === undefined) return null;
    if (pnOffset + 4 + HP_SAMPLE_LENGTH > end) return null;
    this.guessFailed = true;
    // derived once per secret and version: a connection whose secrets never open its packets
    // tries the same few keys on each one
    const cacheKey = `${which}${dir}:${this.version}`;
    let candidates = this.candidates.get(cacheKey);
    if (candidates === undefined) {
      candidates = candidateSuites(secret.length).map((suite) => QuicPacketKeys.fromSecret(suite, this.version, secret));
      this.candidates.set(cacheKey, candidates);
    }
    for (const keys of candidates) {
      const suite = keys.suite;
      if (this.trialOpen(keys, b, start, pnOffset, end, long)) {
        this.guessFailed = false;
        if (which !== 'early') {
          this.suite = suite;
          this.buildKeys();
        } else this.sides[0].early = keys;
        return keys;
      }
    }
    return null;
  }

  /** whether `keys` open the packet (packet number taken as truncated: trial only) */
  private trialOpen(keys: QuicPacketKeys, b: Uint8Array, start: number, pnOffset: number, end: number, long: boolean): boolean {
    const h = this.unprotected;
    this.headerRoom(pnOffset - start + 4);
    if (!removeHeaderProtection(keys, b, start, pnOffset, end, long, -1, this.header, h)) return false;
    return keys.open(b, h.payloadStart, end, h.aad, h.packetNumber) !== undefined;
  }

  /** Initial keys of `version` from the client's DCID: both sides', or (both = false) the server's only */
  private headerRoom(n: number): void {
    if (this.header.length < n) this.header = new Uint8Array(Math.max(n, this.header.length * 2));
  }

  private deriveInitial(version: number, dcid: Uint8Array, both: boolean): void {
    this.originalDcid = Uint8Array.prototype.slice.call(dcid);
    const none = Buffer.alloc(0);
    for (const dir of both ? ([0, 1] as const) : ([1] as const)) {
      const k = deriveInitialKeys(version, dcid, dir === 0 ? 'client' : 'server');
      this.sides[dir].initial = k === undefined ? null : new QuicPacketKeys(INITIAL_SUITE, version, none, k.key, k.iv, k.hp);
      this.initialVersion[dir] = version;
    }
  }

  private lookupSecrets(): void {
    if (this.secretsLookedUp || this.clientRandom === undefined || this.keys === undefined) return;
    this.secretsLookedUp = true;
    this.secrets = this.keys.lookup(this.clientRandom);
  }

  /** Handshake, 0-RTT and 1-RTT keys once both the secrets and the suite are known. */
  private buildKeys(): void {
    const s = this.secrets,
      suite = this.suite;
    if (s === undefined || suite === undefined || this.version === 0) return;
    const [c, v] = this.sides;
    const make = (secret: Buffer | undefined): QuicPacketKeys | null => (secret === undefined ? null : QuicPacketKeys.fromSecret(suite, this.version, secret));
    c.handshake ??= make(s.clientHandshakeTrafficSecret);
    v.handshake ??= make(s.serverHandshakeTrafficSecret);
    c.early ??= make(s.clientEarlyTrafficSecret);
    c.app ??= make(s.clientTrafficSecret0);
    v.app ??= make(s.serverTrafficSecret0);
  }

  // ---- frames ----

  private onCrypto(offset: number, data: Uint8Array): void {
    const side = this.sides[this.curDir];
    const space = this.curSpace;
    if (space !== SPACE_INITIAL || side.helloDone) return; // only the hellos are read
    const ok = side.crypto[space].add(offset, data, false, this.limits.maxQuicCryptoBytes, this.limits.maxBufferedSegmentsPerStream, (piece) =>
      this.onHelloBytes(side, piece),
    );
    if (!ok) this.anomalies.anomaly('limit_reached', this.curAt, 'maxQuicCryptoBytes or maxBufferedSegmentsPerStream');
  }

  /** joins the first handshake message of a side's Initial CRYPTO stream */
  private onHelloBytes(side: Side, piece: Uint8Array): void {
    if (side.helloDone) return;
    const have = side.hello === null ? 0 : side.helloFill;
    const need = side.helloLength < 0 ? 4 : side.helloLength;
    const take = Math.min(piece.length, Math.max(0, need - have));
    if (side.hello === null) side.hello = new Uint8Array(Math.min(this.limits.maxQuicCryptoBytes, 1024));
    if (have + take > side.hello.length) {
      const cap = this.limits.maxQuicCryptoBytes;
      if (need > cap) {
        this.anomalies.anomaly('limit_reached', this.curAt, 'maxQuicCryptoBytes');
        side.helloDone = true;
        side.hello = null;
        return;
      }
      const grown = new Uint8Array(need);
      grown.set(side.hello.subarray(0, have));
      side.hello = grown;
    }
    side.hello.set(piece.subarray(0, take), have);
    side.helloFill = have + take;
    if (side.helloLength < 0 && side.helloFill >= 4) {
      side.helloLength = 4 + ((side.hello[1]! << 16) | (side.hello[2]! << 8) | side.hello[3]!);
      if (take < piece.length) {
        this.onHelloBytes(side, piece.subarray(take));
        return;
      }
    }
    if (side.helloLength >= 0 && side.helloFill >= side.helloLength) this.onHello(side, side.hello.subarray(0, side.helloLength));
  }

  /** a complete ClientHello (its random finds the secrets) or ServerHello (its suite) */
  private onHello(side: Side, m: Uint8Array): void {
    side.helloDone = true;
    side.hello = null;
    // type(1) length(3) legacy_version(2) random(32) session_id(1+n) cipher_suite(2)
    if (m.length < 4 + 2 + 32 + 1) return;
    if (m[0] === 1 && side === this.sides[0]) {
      this.clientRandom = Buffer.from(m.subarray(6, 38));
      this.lookupSecrets();
      this.buildKeys();
    } else if (m[0] === 2 && side === this.sides[1]) {
      const sidLen = m[38]!;
      if (39 + sidLen + 2 > m.length) return;
      const suite = quicSuite((m[39 + sidLen]! << 8) | m[40 + sidLen]!);
      if (suite !== undefined && this.suite === undefined) {
        this.suite = suite;
        this.lookupSecrets();
        this.buildKeys();
      }
    }
  }

  private onStream(id: number, offset: number, data: Uint8Array, fin: boolean): void {
    if (this.curSpace !== SPACE_APP) return; // STREAM frames live only in 0-RTT/1-RTT
    const dir = this.curDir;
    const streams = this.sides[dir].streams;
    let st = streams.get(id);
    if (st === undefined) {
      if (streams.size >= this.limits.maxQuicStreamsPerConnection) {
        // forget the oldest stream, finished ones first in practice (they were opened first)
        const oldest = streams.keys().next().value as number;
        streams.delete(oldest);
        this.anomalies.anomaly('limit_reached', this.curAt, 'maxQuicStreamsPerConnection');
      }
      st = new OrderedStream();
      streams.set(id, st);
    }
    if (st.finDelivered || st.next < 0) return;
    const ok = st.add(offset, data, fin, this.limits.maxQuicStreamBufferedBytes, this.limits.maxBufferedSegmentsPerStream, (piece, end) =>
      this.out.onStreamData(dir, id, piece, end),
    );
    if (!ok) {
      this.anomalies.anomaly(
        'limit_reached',
        this.curAt,
        st.buffered + data.length > this.limits.maxQuicStreamBufferedBytes ? 'maxQuicStreamBufferedBytes' : 'maxBufferedSegmentsPerStream',
      );
      this.abortStream(dir, id);
    }
  }

  private abortStream(dir: QuicDir, id: number): void {
    const st = this.sides[dir].streams.get(id);
    if (st !== undefined && (st.finDelivered || st.next < 0)) return;
    const dead = st ?? new OrderedStream();
    dead.next = -1; // nothing more is delivered
    this.sides[dir].streams.set(id, dead);
    this.out.onStreamAbort(dir, id);
  }

  /** remembers a CID that packets travelling in `dir` carry as their Destination CID */
  private addCid(dir: QuicDir, cid: Uint8Array): void {
    const cids = this.sides[dir].cids;
    for (let i = 0; i < cids.length; i++) if (equalBytes(cids[i]!, cid)) return;
    if (cids.length >= this.limits.maxQuicConnectionIds) {
      cids.shift();
      this.anomalies.anomaly('limit_reached', this.curAt, 'maxQuicConnectionIds');
    }
    cids.push(Uint8Array.prototype.slice.call(cid));
  }

  /** end of streams: streams still open are handed on as cut short */
  finish(): void {
    for (const dir of [0, 1] as const) {
      for (const [id, st] of this.sides[dir].streams) {
        if (!st.finDelivered && st.next >= 0) this.out.onStreamAbort(dir, id);
      }
    }
  }

  /** RFC 9000 §10.3: a short-header-looking datagram that ends in a reset token the peer was given */
  private isStatelessReset(b: Uint8Array, end: number): boolean {
    return this.resetTokens.size > 0 && end >= 21 && this.resetTokens.has(Buffer.from(b.buffer, b.byteOffset + end - 16, 16).toString('hex'));
  }

  /** a packet no keys were found for: no_key, or failed when a logged secret did not open it */
  private countUnopened(at: number, what: string): void {
    if (this.guessFailed) {
      this.guessFailed = false;
      this.stats.failed++;
      this.anomalies.anomaly('quic_packet_auth_failed', at, `${what} packet: no cipher suite opens it with the logged secret`);
    } else {
      this.stats.noKey++;
    }
  }

  private malformed(at: number, what: string): number {
    this.anomalies.anomaly('quic_packet_malformed', at, what);
    return -1;
  }
}

function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

function isAllZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

function startsWith(b: Uint8Array, off: number, c: Uint8Array): boolean {
  for (let i = 0; i < c.length; i++) if (b[off + i] !== c[i]) return false;
  return true;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && startsWith(a, 0, b);
}
