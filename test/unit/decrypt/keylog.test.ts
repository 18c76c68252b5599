import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_SOURCE, KeyStore } from '../../../src/decrypt/key-sources.js';
import { KeyLogError, parseKeyLog, type KeyLogEntry } from '../../../src/decrypt/keylog.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { SHARED } from '../../helpers/paths.js';

const R1 = 'a'.repeat(64);
const R2 = '0123456789ABCDEF'.repeat(4);
const MS = 'ff'.repeat(48);
const S32 = '11'.repeat(32);
const S48 = '22'.repeat(48);
const opts = { maxLineBytes: DEFAULT_LIMITS.maxKeyLogLineBytes };

function parse(text: string, lenient = false): { entries: KeyLogEntry[]; counts: ReturnType<typeof parseKeyLog>['counts']; warnings: string[] } {
  const entries: KeyLogEntry[] = [];
  const r = parseKeyLog(text, 'k.log', { ...opts, lenient }, (e) => entries.push(e));
  return { entries, ...r };
}

function store(lenient = false): KeyStore {
  return new KeyStore({ lenient, maxLineBytes: DEFAULT_LIMITS.maxKeyLogLineBytes, maxFileBytes: DEFAULT_LIMITS.maxKeyLogBytes });
}

describe('parseKeyLog (RFC 9850)', () => {
  it('reads every label it uses, with LF, CRLF and CR line ends, comments, blank lines and either hex case', () => {
    const text = [
      '# a comment',
      '',
      `CLIENT_RANDOM ${R1} ${MS.toUpperCase()}`,
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${R2} ${S32}`,
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${R2} ${S32}`,
      `CLIENT_TRAFFIC_SECRET_0 ${R2} ${S48}`,
      `SERVER_TRAFFIC_SECRET_0 ${R2} ${S48}`,
      `CLIENT_EARLY_TRAFFIC_SECRET ${R2} ${S32}`,
      `EXPORTER_SECRET ${R2} ${S32}`,
    ];
    for (const eol of ['\n', '\r\n', '\r']) {
      const { entries, counts } = parse(text.join(eol) + eol);
      expect(entries.map((e) => e.field)).toEqual([
        'masterSecret',
        'clientHandshakeTrafficSecret',
        'serverHandshakeTrafficSecret',
        'clientTrafficSecret0',
        'serverTrafficSecret0',
        'clientEarlyTrafficSecret',
        'exporterSecret',
      ]);
      expect(entries[0]!.clientRandom.toString('hex')).toBe(R1);
      expect(entries[0]!.secret.toString('hex')).toBe(MS);
      expect(entries[1]!.clientRandom.toString('hex')).toBe(R2.toLowerCase());
      expect(counts).toMatchObject({ lines: 7, used: 7, unknown: 0, malformed: 0 });
    }
  });

  it('skips and counts unknown labels and accepts the ECH, early-exporter and pre-master labels unused', () => {
    const { entries, counts } = parse(
      [
        `CLIENT_TRAFFIC_SECRET_N ${R1} ${S32}`,
        `ECH_SECRET ${R1} ${S32}`,
        `ECH_CONFIG ${R1} 0011223344`,
        `EARLY_EXPORTER_SECRET ${R1} ${S32}`,
        `RSA 0f3c3a4d9982da27 ${MS}`,
        `CLIENT_RANDOM ${R1} ${MS}`,
      ].join('\n'),
    );
    expect(entries).toHaveLength(1);
    expect(counts).toMatchObject({ lines: 6, used: 1, unknown: 1, unused: 4 });
  });

  it('reads the draft-era QUIC_* labels as aliases and counts them', () => {
    const { entries, counts } = parse(`QUIC_CLIENT_TRAFFIC_SECRET_0 ${R1} ${S32}\nQUIC_SERVER_HANDSHAKE_TRAFFIC_SECRET ${R1} ${S32}\n`);
    expect(entries.map((e) => [e.field, e.legacy])).toEqual([
      ['clientTrafficSecret0', true],
      ['serverHandshakeTrafficSecret', true],
    ]);
    expect(counts.legacyQuic).toBe(2);
  });

  it('names the file, the line and what was expected for a malformed line', () => {
    const cases: [string, RegExp][] = [
      [`CLIENT_RANDOM ${R1}`, /k\.log:2: .*expected "CLIENT_RANDOM <client random> <secret>" \(3 fields\), found 2 fields/],
      [`CLIENT_RANDOM ${R1.slice(2)} ${MS}`, /k\.log:2: .*expected a client random of 64 hex digits/],
      [`CLIENT_RANDOM ${R1} ${MS.slice(2)}`, /k\.log:2: .*expected a 48-byte master secret \(96 hex digits\), found 94 hex digits/],
      [`CLIENT_TRAFFIC_SECRET_0 ${R1} abcd`, /k\.log:2: .*expected a 32- or 48-byte secret/],
      [`CLIENT_RANDOM ${R1} zz${MS}`, /k\.log:2: .*expected a secret in hex digits, found "zzff/],
      ['hello, world', /k\.log:2: .*expected a label such as CLIENT_RANDOM/],
    ];
    for (const [line, message] of cases) {
      let err: unknown;
      try {
        parse(`# first\n${line}\n`);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KeyLogError);
      expect((err as KeyLogError).line).toBe(2);
      expect((err as KeyLogError).message).toMatch(message);
    }
  });

  it('when lenient, skips malformed lines with a warning each and keeps the good ones', () => {
    const { entries, counts, warnings } = parse(`bad line here\nCLIENT_RANDOM ${R1} ${MS}\nCLIENT_RANDOM ${R1}\n`, true);
    expect(entries).toHaveLength(1);
    expect(counts.malformed).toBe(2);
    expect(warnings).toEqual([
      expect.stringMatching(/^k\.log:1: skipped: expected a label/),
      expect.stringMatching(/^k\.log:3: skipped: expected "CLIENT_RANDOM/),
    ]);
  });

  it('refuses a line longer than maxKeyLogLineBytes', () => {
    expect(() => parseKeyLog(`CLIENT_RANDOM ${R1} ${MS}\n`, 'k.log', { maxLineBytes: 100 }, () => {})).toThrow(
      /k\.log:1: .*at most 100 bytes \(limit maxKeyLogLineBytes\), found 175 bytes/,
    );
  });

  it("ignores what follows a whole secret, as Wireshark does, with a warning (a DSB of Wireshark's own test captures)", () => {
    const { entries, counts, warnings } = parse(`CLIENT_TRAFFIC_SECRET_0 ${R1} ${S32}\\\n`);
    expect(entries[0]!.secret.toString('hex')).toBe(S32);
    expect(counts.trailing).toBe(1);
    expect(warnings[0]).toMatch(/k\.log:1: ignored "\\\\" after the secret/);
  });
});

describe('KeyStore', () => {
  it('merges secrets of one connection from several sources and counts sessions, matches and openings per source', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'keylog-'));
    const file = path.join(dir, 'a.keys');
    writeFileSync(file, `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${R1} ${S32}\nCLIENT_RANDOM ${R2} ${MS}\n`);
    const s = store();
    const fromFile = s.addFile(file);
    expect(fromFile.sha256).toMatch(/^[0-9a-f]{64}$/);
    s.addText(`CLIENT_TRAFFIC_SECRET_0 ${R1} ${S32}\n`, EMBEDDED_SOURCE);
    s.addText(`SERVER_TRAFFIC_SECRET_0 ${R1} ${S32}\n`, EMBEDDED_SOURCE);
    const secrets = s.lookup(Buffer.from(R1, 'hex'))!;
    expect(secrets.source).toBe(file);
    expect(secrets.clientHandshakeTrafficSecret?.toString('hex')).toBe(S32);
    expect(secrets.clientTrafficSecret0?.toString('hex')).toBe(S32);
    expect(secrets.serverTrafficSecret0?.toString('hex')).toBe(S32);
    expect(s.lookup(Buffer.alloc(32))).toBeUndefined();
    s.lookup(Buffer.from(R1, 'hex'));
    s.opened(secrets);
    s.opened(secrets);
    expect(s.sources().map((x) => [x.name, x.sessions, x.matched, x.opened])).toEqual([
      [file, 2, 1, 1],
      [EMBEDDED_SOURCE, 0, 0, 0],
    ]);
  });

  it('lets the standard label replace a QUIC_* alias of the same secret, and not the other way round', () => {
    const s = store();
    s.addText(
      `QUIC_CLIENT_TRAFFIC_SECRET_0 ${R1} ${'01'.repeat(32)}\nCLIENT_TRAFFIC_SECRET_0 ${R1} ${'02'.repeat(32)}\nQUIC_CLIENT_TRAFFIC_SECRET_0 ${R1} ${'03'.repeat(32)}\n`,
      'x',
    );
    expect(s.lookup(Buffer.from(R1, 'hex'))?.clientTrafficSecret0?.toString('hex')).toBe('02'.repeat(32));
  });

  it('names a key log that cannot be read', () => {
    expect(() => store().addFile('/nonexistent/k.keys')).toThrow(/\/nonexistent\/k\.keys:0: .*a readable key log file, found no such file/);
  });

  it('reads the key logs shipped with the keyed captures: every line used or a counted unknown label', () => {
    const s = store();
    const stats = s.addFile(path.join(SHARED, 'keyed/clients/tls_h1_curl_openssl.keys'));
    expect(stats.counts).toMatchObject({ malformed: 0, unknown: 2, unused: 1 });
    expect(stats.counts.used + stats.counts.unknown + stats.counts.unused).toBe(stats.counts.lines);
    expect(stats.sessions).toBe(12);
  });
});
