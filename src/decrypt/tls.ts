/**
 * One TLS connection's decryptor, fed record by record in each direction's order. It follows
 * the handshake itself: the ClientHello's random finds the connection's secrets, the
 * ServerHello names the version and the suite, and then
 *
 * - TLS ≤ 1.2: the master secret expands into a key block; a direction's ChangeCipherSpec
 *   turns its protection on (sequence numbers from 0);
 * - TLS 1.3: after the ServerHello each side uses its handshake traffic secret, after its
 *   Finished its application traffic secret, after each KeyUpdate the next generation
 *   (HKDF-Expand-Label "traffic upd"); 0-RTT records use CLIENT_EARLY_TRAFFIC_SECRET until
 *   EndOfEarlyData. Those messages are found by parsing the decrypted handshake. When a
 *   record does not open under its epoch's keys, the next epoch's are tried (a handshake
 *   whose secrets were not logged, early data the server refused).
 *
 * Every record ends as `plaintext` (not protected), `decrypted` (with its content type,
 * TLS 1.3's inner one), `no_key` (protected, and no secret for it was logged), `failed` (the
 * tag or MAC does not verify: a wrong key or damaged bytes) or `unsupported` (a cipher this
 * build cannot run). Resumed sessions need nothing special: key logs key the master secret
 * or traffic secrets by the new connection's client random.
 */
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { HASH_LENGTH, TLS13_CIPHER_SUITES, hkdfExpandLabel, type HashName, type Tls13CipherSuite } from './hkdf.js';
import type { KeyLookup, TlsSecrets } from './key-store.js';
import { Tls13Opener, tls12Opener, type RecordOpener } from './record-protection.js';
import { TLS12_CIPHER_SUITES } from './tls12-suites.js';
import { tls12KeyBlock } from './tls-prf.js';
import {
  EXT_ALPN,
  EXT_EARLY_DATA,
  EXT_ENCRYPT_THEN_MAC,
  HS_CLIENT_HELLO,
  HS_END_OF_EARLY_DATA,
  HS_ENCRYPTED_EXTENSIONS,
  HS_FINISHED,
  HS_KEY_UPDATE,
  HS_SERVER_HELLO,
  firstAlpn,
  parseExtensions,
  parseHello,
  type Hello,
} from './tls-hello.js';

export const CT_CHANGE_CIPHER_SPEC = 20;
export const CT_ALERT = 21;
export const CT_HANDSHAKE = 22;
export const CT_APPLICATION_DATA = 23;

export type RecordStatus = 'plaintext' | 'decrypted' | 'no_key' | 'failed' | 'unsupported';
/** What a connection's traffic came to: null when nothing was protected (or nothing seen yet). */
export type DecryptionOutcome = 'decrypted' | 'no_key' | 'failed' | null;

/** The result of one record; the decryptor reuses one object (read it before the next call). */
export interface OpenedRecord {
  status: RecordStatus;
  /** the record's content type; for TLS 1.3 the inner one once decrypted */
  contentType: number;
  /** the content when plaintext or decrypted, else the protected fragment */
  data: Uint8Array;
}

export interface TlsDecryptorOptions {
  /** handshake message bytes buffered for hellos and KeyUpdate (limits.maxTlsHandshakeBytes) */
  maxHandshakeBytes: number;
  /** RFC 3749 compressed bytes inflated per direction (limits.maxTlsCompressedBytes) */
  maxCompressedBytes: number;
  /** output of inflating them (limits.maxDecompressedBytes) */
  maxDecompressedBytes: number;
}

const COMPRESSION_DEFLATE = 1;

const NO_DATA = new Uint8Array(0);
const EPOCH_NONE = 0;
const EPOCH_EARLY = 1;
const EPOCH_HANDSHAKE = 2;
const EPOCH_APPLICATION = 3;

/** Splits one direction's handshake bytes into messages; buffers only the bodies asked for. */
class HandshakeFramer {
  private head = new Uint8Array(4);
  private headFill = 0;
  private type = 0;
  private left = 0;
  private body: Uint8Array | null = null;
  private fill = 0;
  private wanted = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onMessage: (type: number, body: Uint8Array | null) => void,
  ) {}

  push(b: Uint8Array): void {
    let p = 0;
    while (p < b.length) {
      if (this.left === 0 && this.headFill < 4) {
        const take = Math.min(4 - this.headFill, b.length - p);
        this.head.set(b.subarray(p, p + take), this.headFill);
        this.headFill += take;
        p += take;
        if (this.headFill < 4) return;
        this.type = this.head[0]!;
        this.left = (this.head[1]! << 16) | (this.head[2]! << 8) | this.head[3]!;
        this.wanted =
          (this.type === HS_CLIENT_HELLO || this.type === HS_SERVER_HELLO || this.type === HS_KEY_UPDATE || this.type === HS_ENCRYPTED_EXTENSIONS) &&
          this.left <= this.maxBytes;
        this.body = this.wanted ? new Uint8Array(this.left) : null;
        this.fill = 0;
        if (this.left === 0) this.finish();
        continue;
      }
      const take = Math.min(this.left, b.length - p);
      if (this.body !== null) this.body.set(b.subarray(p, p + take), this.fill);
      this.fill += take;
      this.left -= take;
      p += take;
      if (this.left === 0) this.finish();
    }
  }

  /** a key change: a message cannot span it (RFC 8446 §5.1) */
  reset(): void {
    this.headFill = 0;
    this.left = 0;
    this.body = null;
  }

  private finish(): void {
    this.headFill = 0;
    const body = this.body;
    this.body = null;
    this.onMessage(this.type, body);
  }
}

/**
 * RFC 3749 TLS compression: one DEFLATE (zlib) stream per direction, each record flushed
 * with Z_SYNC_FLUSH. Node's synchronous zlib is stateless, so the stream so far is inflated
 * again for every record and the new output taken: quadratic, hence capped at
 * maxCompressedBytes per direction (only servers of before 2012 compress: CRIME).
 */
class RecordInflater {
  private input: Buffer = Buffer.alloc(0);
  private produced = 0;
  exhausted = false;

  constructor(
    private readonly maxCompressedBytes: number,
    private readonly maxOutputBytes: number,
  ) {}

  /** the record's decompressed content, or null (damaged stream, or the cap reached) */
  inflate(record: Uint8Array): Buffer | null {
    if (this.exhausted) return null;
    if (this.input.length + record.length > this.maxCompressedBytes) {
      this.exhausted = true;
      return null;
    }
    this.input = Buffer.concat([this.input, record]);
    try {
      const out = inflateSync(this.input, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: this.maxOutputBytes });
      const fresh = out.subarray(this.produced);
      this.produced = out.length;
      return fresh;
    } catch {
      this.exhausted = true;
      return null;
    }
  }
}

/** One direction's protection state. */
class Side {
  epoch = EPOCH_NONE;
  opener: RecordOpener | null = null;
  seq = 0;
  /** TLS 1.3: the current traffic secret (for KeyUpdate) */
  secret: Buffer | null = null;
  /** the epoch switch a message of the current record asked for, applied after it */
  pending = EPOCH_NONE;
  /** TLS ≤ 1.2: ChangeCipherSpec seen, everything after is protected */
  protectedAfterCcs = false;
  /** TLS ≤ 1.2 with DEFLATE compression negotiated */
  inflater: RecordInflater | null = null;
  framer: HandshakeFramer;

  constructor(maxBytes: number, onMessage: (type: number, body: Uint8Array | null) => void) {
    this.framer = new HandshakeFramer(maxBytes, onMessage);
  }
}

export class TlsDecryptor {
  private clientHello: Hello | null = null;
  private serverHello: Hello | null = null;
  private _secrets: TlsSecrets | undefined;
  /** a renegotiated connection's first secrets (reported as the connection's) */
  private _secretsBefore: TlsSecrets | undefined;
  private looked = false;
  private suite13: Tls13CipherSuite | undefined;
  /** TLS ≤ 1.2 openers made at the ServerHello, taken up at each side's ChangeCipherSpec */
  private tls12: { client: RecordOpener; server: RecordOpener } | null = null;
  private tls12Unsupported = false;
  private readonly client: Side;
  private readonly server: Side;
  private _alpn: string | null = null;
  private counts = { decrypted: 0, noKey: 0, failed: 0, unsupported: 0 };
  private readonly out: OpenedRecord = { status: 'plaintext', contentType: 0, data: NO_DATA };

  constructor(
    private readonly keys: KeyLookup,
    private readonly opts: TlsDecryptorOptions,
  ) {
    this.client = new Side(opts.maxHandshakeBytes, (t, b) => this.onHandshake(this.client, t, b));
    this.server = new Side(opts.maxHandshakeBytes, (t, b) => this.onHandshake(this.server, t, b));
  }

  /** the negotiated version (ServerHello), 0 before it */
  get version(): number {
    return this.serverHello?.version ?? 0;
  }
  get cipherSuite(): number {
    return this.serverHello?.cipherSuites[0] ?? 0;
  }
  /** the ClientHello random the secrets were looked up by */
  get clientRandom(): Buffer | null {
    return this.clientHello?.random ?? null;
  }
  /** the secrets found for this connection */
  get secrets(): TlsSecrets | undefined {
    return this._secretsBefore ?? this._secrets;
  }
  /** the server's ALPN choice (ServerHello, or TLS 1.3's EncryptedExtensions once decrypted) */
  get alpn(): string | null {
    return this._alpn;
  }
  get recordCounts(): Readonly<{ decrypted: number; noKey: number; failed: number; unsupported: number }> {
    return this.counts;
  }

  get outcome(): DecryptionOutcome {
    if (this.counts.decrypted > 0) return 'decrypted';
    if (this.counts.failed > 0 || this.counts.unsupported > 0) return 'failed';
    if (this.counts.noKey > 0) return 'no_key';
    return null;
  }

  /**
   * One record of the client's (`fromClient`) or the server's direction: `header` its 5 bytes
   * (type, version, length), `fragment` its payload. Views are read during the call only.
   */
  record(fromClient: boolean, header: Uint8Array, fragment: Uint8Array): OpenedRecord {
    const side = fromClient ? this.client : this.server;
    const type = header[0]!;
    const tls13 = this.isTls13();
    if (side.protectedAfterCcs) return this.open12(side, header, fragment);
    if (type === CT_APPLICATION_DATA) {
      if (tls13 || (fromClient && this.earlyDataPossible())) return this.open13(side, fromClient, header, fragment);
      // application data is never sent in the clear: a handshake this capture did not see
      return this.result('no_key', type, fragment);
    }
    if (type === CT_CHANGE_CIPHER_SPEC && !tls13 && this.serverHello !== null) {
      // TLS ≤ 1.2 (a TLS 1.3 one is the middlebox-compatibility record, RFC 8446 §D.4)
      side.protectedAfterCcs = true;
      side.seq = 0;
      side.opener = this.tls12 === null ? null : fromClient ? this.tls12.client : this.tls12.server;
    } else if (type === CT_HANDSHAKE) {
      side.framer.push(fragment);
    }
    return this.result('plaintext', type, fragment);
  }

  /**
   * An SSLv2-format CLIENT-HELLO (RFC 5246 §E.2): msg_type(1) version(2) cipher_spec_length(2)
   * session_id_length(2) challenge_length(2), the 3-byte cipher specs, session id, challenge.
   * The TLS client random is the challenge right-aligned in 32 bytes.
   */
  ssl2ClientHello(body: Uint8Array): void {
    if (this.clientHello !== null || body.length < 9) return;
    const specs = (body[3]! << 8) | body[4]!,
      sid = (body[5]! << 8) | body[6]!,
      chal = (body[7]! << 8) | body[8]!;
    if (chal < 16 || chal > 32 || 9 + specs + sid + chal > body.length) return;
    const random = Buffer.alloc(32);
    random.set(body.subarray(9 + specs + sid, 9 + specs + sid + chal), 32 - chal);
    const cipherSuites: number[] = [];
    for (let i = 9; i + 2 < 9 + specs; i += 3) if (body[i] === 0) cipherSuites.push((body[i + 1]! << 8) | body[i + 2]!);
    this.clientHello = { random, cipherSuites, extensions: new Map(), version: (body[1]! << 8) | body[2]!, helloRetryRequest: false, compression: 0 };
  }

  /** The last record's result is read: its bytes are let go (a connection lingering after its last record would keep them). */
  recordRead(): void {
    this.out.data = NO_DATA;
  }

  private result(status: RecordStatus, contentType: number, data: Uint8Array): OpenedRecord {
    this.out.status = status;
    this.out.contentType = contentType;
    this.out.data = data;
    if (status === 'decrypted') this.counts.decrypted++;
    else if (status === 'no_key') this.counts.noKey++;
    else if (status === 'failed') this.counts.failed++;
    else if (status === 'unsupported') this.counts.unsupported++;
    return this.out;
  }

  private isTls13(): boolean {
    return this.serverHello !== null && !this.serverHello.helloRetryRequest && this.serverHello.version === 0x0304;
  }

  /** client application-data records before any ServerHello: 0-RTT, if the hello offered it */
  private earlyDataPossible(): boolean {
    return this.serverHello === null && this.clientHello !== null && this.clientHello.extensions.has(EXT_EARLY_DATA);
  }

  private lookupSecrets(): TlsSecrets | undefined {
    if (!this.looked && this.clientHello !== null) {
      this.looked = true;
      this._secrets = this.keys.lookup(this.clientHello.random);
    }
    return this._secrets;
  }

  // ---- TLS ≤ 1.2 ----

  private open12(side: Side, header: Uint8Array, fragment: Uint8Array): OpenedRecord {
    const type = header[0]!;
    if (side.opener === null) return this.result(this.tls12Unsupported ? 'unsupported' : 'no_key', type, fragment);
    let content = side.opener.open(side.seq++, header, fragment);
    if (content === null) return this.result('failed', type, fragment);
    if (type === CT_CHANGE_CIPHER_SPEC) {
      // renegotiation: the new keys start after this side's protected ChangeCipherSpec
      if (this.tls12 !== null) side.opener = side === this.client ? this.tls12.client : this.tls12.server;
      side.seq = 0;
      return this.result('decrypted', type, content);
    }
    if (side.inflater !== null) {
      content = side.inflater.inflate(content);
      if (content === null) return this.result('failed', type, fragment);
    }
    if (type === CT_HANDSHAKE) side.framer.push(content);
    return this.result('decrypted', type, content);
  }

  private startTls12(ch: Hello, sh: Hello): void {
    const secrets = this.lookupSecrets();
    const suite = TLS12_CIPHER_SUITES.get(sh.cipherSuites[0]!);
    // SSL 3.0 has its own PRF and MAC, not implemented
    if (suite === undefined || sh.version < 0x0301) {
      this.tls12Unsupported = secrets?.masterSecret !== undefined;
      return;
    }
    if (secrets?.masterSecret === undefined) return;
    const keys = tls12KeyBlock(suite, sh.version, secrets.masterSecret, ch.random, sh.random);
    // RFC 7366: encrypt-then-MAC only when both hellos carry the extension, and only for CBC
    const etm = suite.mode === 'cbc' && ch.extensions.has(EXT_ENCRYPT_THEN_MAC) && sh.extensions.has(EXT_ENCRYPT_THEN_MAC);
    this.tls12 = {
      client: tls12Opener(suite, sh.version, keys.client, etm),
      server: tls12Opener(suite, sh.version, keys.server, etm),
    };
    if (sh.compression === COMPRESSION_DEFLATE) {
      this.client.inflater = new RecordInflater(this.opts.maxCompressedBytes, this.opts.maxDecompressedBytes);
      this.server.inflater = new RecordInflater(this.opts.maxCompressedBytes, this.opts.maxDecompressedBytes);
    }
  }

  // ---- TLS 1.3 ----

  private open13(side: Side, fromClient: boolean, header: Uint8Array, fragment: Uint8Array): OpenedRecord {
    const outer = header[0]!;
    if (outer !== CT_APPLICATION_DATA) {
      // TLS 1.3 protects only application_data records; others pass as they are
      return this.result('plaintext', outer, fragment);
    }
    if (side.epoch === EPOCH_NONE) this.enterFirstEpoch(side, fromClient);
    let content: Buffer | null = null;
    const hadOpener = side.opener !== null;
    if (side.opener !== null) {
      content = side.opener.open(side.seq, header, fragment);
      side.seq++;
    }
    if (content === null) {
      // the next epoch's keys: the handshake's messages were not readable, or 0-RTT was refused
      const next = this.nextEpochOpener(side, fromClient);
      if (next !== null) {
        const opened = next.opener.open(0, header, fragment);
        if (opened !== null) {
          this.switchEpoch(side, next.epoch, next.opener, next.secret);
          side.seq = 1;
          content = opened;
        }
      }
      // no key for this epoch is `no_key`; a key whose tag does not verify is `failed`
      if (content === null) return this.result(hadOpener ? 'failed' : 'no_key', outer, fragment);
    }
    // inner plaintext: content ‖ type ‖ zero padding (RFC 8446 §5.4)
    let end = content.length;
    while (end > 0 && content[end - 1] === 0) end--;
    if (end === 0) return this.result('failed', outer, fragment);
    const inner = content[end - 1]!;
    const data = content.subarray(0, end - 1);
    if (inner === CT_HANDSHAKE) side.framer.push(data);
    const result = this.result('decrypted', inner, data);
    if (side.pending !== EPOCH_NONE) this.applyPending(side, fromClient);
    return result;
  }

  /** A side's first protected record: the client's is 0-RTT before any ServerHello, else handshake. */
  private enterFirstEpoch(side: Side, fromClient: boolean): void {
    const secrets = this.lookupSecrets();
    if (fromClient && this.serverHello === null) {
      side.epoch = EPOCH_EARLY;
      const early = secrets?.clientEarlyTrafficSecret;
      side.opener = early === undefined ? null : this.earlyOpener(early);
      side.secret = early ?? null;
      side.seq = 0;
      return;
    }
    this.switchEpoch(side, EPOCH_HANDSHAKE, null, null);
    const secret = fromClient ? secrets?.clientHandshakeTrafficSecret : secrets?.serverHandshakeTrafficSecret;
    if (secret !== undefined && this.suite13 !== undefined) {
      side.opener = opener13(this.suite13, secret);
      side.secret = secret;
    }
  }

  /**
   * 0-RTT before the ServerHello names the suite: the early secret's length says the hash, and
   * of the client's offered TLS 1.3 suites with that hash the one whose tag verifies is taken.
   */
  private earlyOpener(secret: Buffer): RecordOpener | null {
    if (this.suite13 !== undefined) return opener13(this.suite13, secret);
    const candidates = (this.clientHello?.cipherSuites ?? [])
      .map((id) => TLS13_CIPHER_SUITES.get(id))
      .filter((s): s is Tls13CipherSuite => s !== undefined && HASH_LENGTH[s.hash] === secret.length);
    if (candidates.length === 0) return null;
    const openers = candidates.map((s) => opener13(s, secret));
    let chosen: RecordOpener | null = null;
    return {
      open(seq: number, header: Uint8Array, fragment: Uint8Array): Buffer | null {
        if (chosen !== null) return chosen.open(seq, header, fragment);
        for (const o of openers) {
          const r = o.open(seq, header, fragment);
          if (r !== null) {
            chosen = o;
            return r;
          }
        }
        return null;
      },
    };
  }

  private nextEpochOpener(side: Side, fromClient: boolean): { epoch: number; opener: RecordOpener; secret: Buffer } | null {
    const secrets = this.lookupSecrets();
    if (secrets === undefined || this.suite13 === undefined) return null;
    let epoch: number;
    let secret: Buffer | undefined;
    if (side.epoch === EPOCH_EARLY) {
      epoch = EPOCH_HANDSHAKE;
      secret = fromClient ? secrets.clientHandshakeTrafficSecret : secrets.serverHandshakeTrafficSecret;
    } else if (side.epoch === EPOCH_HANDSHAKE) {
      epoch = EPOCH_APPLICATION;
      secret = fromClient ? secrets.clientTrafficSecret0 : secrets.serverTrafficSecret0;
    } else {
      return null;
    }
    return secret === undefined ? null : { epoch, opener: opener13(this.suite13, secret), secret };
  }

  private switchEpoch(side: Side, epoch: number, opener: RecordOpener | null, secret: Buffer | null): void {
    side.epoch = epoch;
    side.opener = opener;
    side.secret = secret;
    side.seq = 0;
    side.pending = EPOCH_NONE;
    side.framer.reset();
  }

  private applyPending(side: Side, fromClient: boolean): void {
    const pending = side.pending;
    side.pending = EPOCH_NONE;
    const suite = this.suite13;
    const secrets = this.lookupSecrets();
    if (pending === EPOCH_APPLICATION && side.epoch === EPOCH_APPLICATION) {
      // KeyUpdate: the next generation of this side's traffic secret
      if (side.secret === null || suite === undefined) {
        this.switchEpoch(side, EPOCH_APPLICATION, null, null);
        return;
      }
      const next = hkdfExpandLabel(suite.hash, side.secret, 'traffic upd', new Uint8Array(0), HASH_LENGTH[suite.hash as HashName]);
      this.switchEpoch(side, EPOCH_APPLICATION, opener13(suite, next), next);
      return;
    }
    let secret: Buffer | undefined;
    if (pending === EPOCH_HANDSHAKE) secret = fromClient ? secrets?.clientHandshakeTrafficSecret : secrets?.serverHandshakeTrafficSecret;
    else secret = fromClient ? secrets?.clientTrafficSecret0 : secrets?.serverTrafficSecret0;
    this.switchEpoch(side, pending, secret !== undefined && suite !== undefined ? opener13(suite, secret) : null, secret ?? null);
  }

  // ---- handshake messages, plaintext and decrypted ----

  private onHandshake(side: Side, type: number, body: Uint8Array | null): void {
    const fromClient = side === this.client;
    if (type === HS_CLIENT_HELLO && fromClient && body !== null) {
      const ch = parseHello(body, true);
      if (ch === undefined) return;
      // the second ClientHello after a HelloRetryRequest repeats the random; a new random is a
      // TLS ≤ 1.2 renegotiation, whose master secret the key log files under that random
      if (this.clientHello === null || !this.clientHello.random.equals(ch.random)) {
        this.clientHello = ch;
        this.looked = false;
        this._secretsBefore = this._secrets;
        this._secrets = undefined;
      }
      return;
    }
    if (type === HS_SERVER_HELLO && !fromClient && body !== null) {
      const sh = parseHello(body, false);
      if (sh === undefined || sh.helloRetryRequest) return;
      this.serverHello = sh;
      this._alpn = firstAlpn(sh.extensions.get(EXT_ALPN));
      const ch = this.clientHello;
      if (ch === null) return;
      if (sh.version === 0x0304) {
        this.suite13 = TLS13_CIPHER_SUITES.get(sh.cipherSuites[0]!);
        this.lookupSecrets();
        // the server's next record is its first protected one
        this.enterFirstEpoch(this.server, false);
      } else {
        this.startTls12(ch, sh);
      }
      return;
    }
    if (type === HS_ENCRYPTED_EXTENSIONS && body !== null) {
      const ext = parseExtensions(body, 0, body.length);
      const alpn = firstAlpn(ext?.get(EXT_ALPN));
      if (alpn !== null) this._alpn = alpn;
      return;
    }
    if (!this.isTls13()) return;
    if (type === HS_FINISHED && side.epoch === EPOCH_HANDSHAKE) side.pending = EPOCH_APPLICATION;
    else if (type === HS_END_OF_EARLY_DATA && side.epoch === EPOCH_EARLY) side.pending = EPOCH_HANDSHAKE;
    else if (type === HS_KEY_UPDATE && side.epoch === EPOCH_APPLICATION) side.pending = EPOCH_APPLICATION;
  }
}

function opener13(suite: Tls13CipherSuite, secret: Buffer): RecordOpener {
  const empty = new Uint8Array(0);
  const key = hkdfExpandLabel(suite.hash, secret, 'key', empty, suite.keyLength);
  const iv = hkdfExpandLabel(suite.hash, secret, 'iv', empty, 12);
  return new Tls13Opener(suite.aead, key, iv, suite.tagLength);
}
