/**
 * The NSS key log format (RFC 9850, "SSLKEYLOGFILE"): one secret per line,
 *
 *     LABEL SP client_random(64 hex) SP secret(hex)
 *
 * with CRLF, CR or LF line ends, empty lines and `#` comments ignored, hex in either case.
 * Wireshark (packet-tls-utils.c) skips every line it does not understand; leakscope says so
 * instead: a malformed line is a KeyLogError naming the file, the line and what was
 * expected, or, when lenient, a warning. Lines with a well-formed but unknown label are
 * skipped and counted (RFC 9850 lets the registry grow).
 *
 * `QUIC_*` labels (QUIC_CLIENT_HANDSHAKE_TRAFFIC_SECRET …) were written by draft-era QUIC
 * stacks and still sit beside the standard labels in some DSBs (Wireshark's
 * quic-fragmented-handshakes.pcapng). Wireshark dropped them in 2019 and skips them; here
 * they are read as aliases of the standard labels, used only where the standard label is
 * absent for that connection, and counted.
 */
import type { TlsSecrets } from './key-store.js';

/** The secret fields of TlsSecrets a label fills (every field but `source`). */
export type SecretField = Exclude<keyof TlsSecrets, 'source'>;

/** RFC 9850 §3 labels leakscope uses, and the TlsSecrets field each fills. */
export const KEYLOG_LABELS: Readonly<Record<string, SecretField>> = {
  CLIENT_RANDOM: 'masterSecret',
  CLIENT_EARLY_TRAFFIC_SECRET: 'clientEarlyTrafficSecret',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'clientHandshakeTrafficSecret',
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'serverHandshakeTrafficSecret',
  CLIENT_TRAFFIC_SECRET_0: 'clientTrafficSecret0',
  SERVER_TRAFFIC_SECRET_0: 'serverTrafficSecret0',
  EXPORTER_SECRET: 'exporterSecret',
};

/** Draft-era QUIC spellings, read as aliases of the standard labels. */
export const LEGACY_QUIC_LABELS: Readonly<Record<string, SecretField>> = {
  QUIC_CLIENT_EARLY_TRAFFIC_SECRET: 'clientEarlyTrafficSecret',
  QUIC_CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'clientHandshakeTrafficSecret',
  QUIC_SERVER_HANDSHAKE_TRAFFIC_SECRET: 'serverHandshakeTrafficSecret',
  QUIC_CLIENT_TRAFFIC_SECRET_0: 'clientTrafficSecret0',
  QUIC_SERVER_TRAFFIC_SECRET_0: 'serverTrafficSecret0',
};

/**
 * Labels that are well-formed and understood but carry nothing leakscope decrypts with:
 * RFC 9850's ECH and early-exporter secrets, and Wireshark's pre-master-secret forms (`RSA`,
 * `PMS_CLIENT_RANDOM`), which need the handshake's key exchange to become a master secret.
 */
export const ACCEPTED_UNUSED_LABELS: ReadonlySet<string> = new Set(['EARLY_EXPORTER_SECRET', 'ECH_SECRET', 'ECH_CONFIG', 'RSA', 'PMS_CLIENT_RANDOM']);

/** One usable line: the connection's client random and the secret a label gave it. */
export interface KeyLogEntry {
  clientRandom: Buffer;
  field: SecretField;
  secret: Buffer;
  /** read from a QUIC_* label: the standard label wins when both are present */
  legacy: boolean;
}

export interface KeyLogCounts {
  /** lines that were neither empty nor comments */
  lines: number;
  /** lines with a label leakscope uses (legacy QUIC spellings included) */
  used: number;
  /** of which draft-era QUIC_* spellings */
  legacyQuic: number;
  /** well-formed lines with a label that carries nothing to decrypt with (ECH, RSA, …) */
  unused: number;
  /** well-formed lines with a label nobody registered */
  unknown: number;
  /** malformed lines skipped (lenient reading only) */
  malformed: number;
  /** usable lines with characters after the secret, ignored as Wireshark does */
  trailing: number;
}

export class KeyLogError extends Error {
  constructor(
    readonly file: string,
    /** 1-based */
    readonly line: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}:${line}: malformed key log line: expected ${expected}, found ${found}`);
    this.name = 'KeyLogError';
  }
}

export interface KeyLogParseOptions {
  /** malformed lines become warnings instead of a KeyLogError */
  lenient?: boolean;
  /** lines longer than this are malformed (ECH_CONFIG lines are the longest legitimate ones) */
  maxLineBytes: number;
  /** lenient warnings kept (the count in `malformed` stays exact) */
  maxWarnings?: number;
}

/** registry labels are upper case (RFC 9850 §3) */
const LABEL = /^[A-Z][A-Z0-9_]*$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const CLIENT_RANDOM_HEX = 64;
const MASTER_SECRET_HEX = 96;
/** TLS 1.3 secrets are Hash.length bytes: 32 (SHA-256) or 48 (SHA-384) */
const TLS13_SECRET_HEX = new Set([64, 96]);

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** a printable excerpt of a bad line for error messages */
function excerpt(s: string): string {
  const cut = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return JSON.stringify(cut);
}

/**
 * Parses key log text, calling `onEntry` for every usable line. Throws KeyLogError on the
 * first malformed line unless `lenient`, when malformed lines are counted and described in
 * `warnings` (at most `maxWarnings`); ignored trailing characters are warnings either way.
 */
export function parseKeyLog(
  text: string,
  file: string,
  opts: KeyLogParseOptions,
  onEntry: (e: KeyLogEntry) => void,
): { counts: KeyLogCounts; warnings: string[] } {
  const counts: KeyLogCounts = { lines: 0, used: 0, legacyQuic: 0, unused: 0, unknown: 0, malformed: 0, trailing: 0 };
  const warnings: string[] = [];
  const maxWarnings = opts.maxWarnings ?? 100;
  // RFC 9850: UTF-8 without a BOM; one written by a Windows editor is forgiven
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let lineNo = 0;
  let p = 0;
  const n = text.length;
  while (p < n) {
    // the next line, ended by CRLF, CR or LF
    let e = p;
    while (e < n) {
      const c = text.charCodeAt(e);
      if (c === 10 || c === 13) break;
      e++;
    }
    lineNo++;
    const line = text.slice(p, e);
    p = e < n && text.charCodeAt(e) === 13 && text.charCodeAt(e + 1) === 10 ? e + 2 : e + 1;

    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    counts.lines++;
    const bad = (expected: string, found: string): void => {
      if (!opts.lenient) throw new KeyLogError(file, lineNo, expected, found);
      counts.malformed++;
      if (warnings.length < maxWarnings) warnings.push(`${file}:${lineNo}: skipped: expected ${expected}, found ${found}`);
    };
    if (Buffer.byteLength(line, 'utf8') > opts.maxLineBytes) {
      bad(`a line of at most ${opts.maxLineBytes} bytes (limit maxKeyLogLineBytes)`, `${Buffer.byteLength(line, 'utf8')} bytes`);
      continue;
    }
    const fields = trimmed.split(/[ \t]+/);
    const label = fields[0]!;
    if (!LABEL.test(label)) {
      bad('a label such as CLIENT_RANDOM or CLIENT_TRAFFIC_SECRET_0', excerpt(trimmed));
      continue;
    }
    const field = KEYLOG_LABELS[label] ?? LEGACY_QUIC_LABELS[label];
    if (field === undefined) {
      // not parsed further: its fields are its own business (RSA has a shorter first field)
      if (ACCEPTED_UNUSED_LABELS.has(label)) counts.unused++;
      else counts.unknown++;
      continue;
    }
    if (fields.length < 3) {
      bad(`"${label} <client random> <secret>" (3 fields)`, `${fields.length} fields`);
      continue;
    }
    const randomHex = fields[1]!;
    // Wireshark's regex is anchored at the start only: what follows a whole secret (a stray
    // backslash in Wireshark's own quic_follow_multistream.pcapng, a fourth field) is ignored
    // there, and here too, with a warning
    const third = fields[2]!;
    let hexEnd = 0;
    while (hexEnd < third.length && isHexDigit(third.charCodeAt(hexEnd))) hexEnd++;
    const secretHex = third.slice(0, hexEnd);
    const trailing = third.slice(hexEnd) + (fields.length > 3 ? ` ${fields.slice(3).join(' ')}` : '');
    if (randomHex.length !== CLIENT_RANDOM_HEX || !HEX.test(randomHex)) {
      bad(`a client random of ${CLIENT_RANDOM_HEX} hex digits`, excerpt(randomHex));
      continue;
    }
    if (!HEX.test(secretHex)) {
      bad('a secret in hex digits', excerpt(third));
      continue;
    }
    if (field === 'masterSecret' ? secretHex.length !== MASTER_SECRET_HEX : !TLS13_SECRET_HEX.has(secretHex.length)) {
      bad(
        field === 'masterSecret' ? `a 48-byte master secret (${MASTER_SECRET_HEX} hex digits)` : 'a 32- or 48-byte secret (64 or 96 hex digits)',
        `${secretHex.length} hex digits`,
      );
      continue;
    }
    if (trailing !== '') {
      counts.trailing++;
      if (warnings.length < maxWarnings) warnings.push(`${file}:${lineNo}: ignored ${excerpt(trailing)} after the secret`);
    }
    const legacy = !(label in KEYLOG_LABELS);
    counts.used++;
    if (legacy) counts.legacyQuic++;
    onEntry({ clientRandom: Buffer.from(randomHex, 'hex'), field, secret: Buffer.from(secretHex, 'hex'), legacy });
  }
  return { counts, warnings };
}
