/** pcapng Decryption Secrets Blocks: read wherever they stand, checked, other types counted. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { CaptureParser, SECRETS_TYPE_TLS } from '../../../src/capture/parser.js';
import { PcapngWriter, concatBytes } from '../../../src/capture/writer.js';
import { SHARED } from '../../helpers/paths.js';

interface Seen {
  kind: 'frame' | 'secrets';
  at: number;
  text?: string;
}

function read(bytes: Uint8Array): { seen: Seen[]; log: AnomalyLog; summary: ReturnType<CaptureParser['end']> } {
  const seen: Seen[] = [];
  const log = new AnomalyLog();
  const parser = new CaptureParser('t.pcapng', (f) => seen.push({ kind: 'frame', at: f.index }), {
    anomalies: log,
    onSecrets: (type, data, offset) => {
      expect(type).toBe(SECRETS_TYPE_TLS);
      seen.push({ kind: 'secrets', at: offset, text: Buffer.from(data).toString('utf8') });
    },
  });
  // 7 bytes at a time: blocks straddle chunk boundaries
  for (let i = 0; i < bytes.length; i += 7) parser.push(bytes.subarray(i, i + 7));
  return { seen, log, summary: parser.end() };
}

describe('pcapng decryption secrets blocks', () => {
  it("hands both DSBs of tls12-dsb.pcapng to onSecrets in file order, the second after the first connection's packets", () => {
    const { seen, summary } = read(readFileSync(path.join(SHARED, 'keyed/corpus/files/wireshark-wireshark__tls12-dsb.pcapng')));
    const secrets = seen.filter((s) => s.kind === 'secrets');
    expect(secrets).toHaveLength(2);
    expect(secrets[1]!.at).toBe(5224);
    expect(seen.indexOf(secrets[1]!)).toBeGreaterThan(seen.indexOf(secrets[0]!) + 1);
    for (const s of secrets) expect(s.text).toMatch(/^CLIENT_RANDOM [0-9a-fA-F]{64} [0-9a-fA-F]{96}\n?$/m);
    expect(summary.secrets).toEqual({ tls: 2, other: 0 });
  });

  it('skips and counts other secrets types, and reports a secrets_len past its block without losing the blocks after it', () => {
    const w = new PcapngWriter();
    const text = new TextEncoder().encode(`CLIENT_RANDOM ${'a'.repeat(64)} ${'b'.repeat(96)}\n`);
    const bad = w.decryptionSecrets(text);
    new DataView(bad.buffer).setUint32(12, 4096, true); // secrets_len beyond the block
    const bytes = concatBytes([
      w.section(),
      w.interface({ linkType: 1 }),
      w.decryptionSecrets(new Uint8Array(8), 0x5353484b), // SSH
      bad,
      w.enhancedPacket(0, { tsSec: 1, tsNsec: 0, data: new Uint8Array(60) }),
      w.decryptionSecrets(text),
    ]);
    const { seen, log, summary } = read(bytes);
    expect(seen.map((s) => s.kind)).toEqual(['frame', 'secrets']);
    expect(seen[1]!.text).toBe(new TextDecoder().decode(text));
    expect(summary.secrets).toEqual({ tls: 1, other: 1 });
    expect(log.countsObject()).toEqual({ pcapng_dsb_length_invalid: 1, pcapng_dsb_type_unsupported: 1 });
    expect(summary.damage).toBeNull();
  });
});

describe('readEmbeddedSecrets (the pre-pass over a capture file)', () => {
  it('collects every DSB of a file, wherever it stands, and none from a classic pcap', async () => {
    const { KeyStore } = await import('../../../src/decrypt/key-sources.js');
    const { readEmbeddedSecrets } = await import('../../../src/decrypt/embedded.js');
    const { resolveLimits } = await import('../../../src/limits.js');
    const limits = resolveLimits();
    const store = new KeyStore({ maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes });
    expect(await readEmbeddedSecrets(path.join(SHARED, 'keyed/corpus/files/wireshark-wireshark__tls12-dsb.pcapng'), store, limits)).toBe(2);
    expect(store.sources()).toEqual([expect.objectContaining({ name: 'embedded in the capture', sessions: 2 })]);
    expect(await readEmbeddedSecrets(path.join(SHARED, 'keyed/clients/tls_h1_curl_openssl.pcap'), store, limits)).toBe(0);
  });
});
