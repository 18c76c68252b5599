/**
 * The TLS 1.3 lines of an NSS key log read into a KeyLookup, for the QUIC decryption tests
 * until the project's key log reader (src/decrypt/keylog.ts, issue #20's key-log part) is on
 * this branch; then the tests take that one instead.
 */
import { readFileSync } from 'node:fs';
import type { KeyLookup, TlsSecrets } from '../../src/decrypt/key-store.js';

const FIELDS: Record<string, keyof TlsSecrets> = {
  CLIENT_EARLY_TRAFFIC_SECRET: 'clientEarlyTrafficSecret',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'clientHandshakeTrafficSecret',
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'serverHandshakeTrafficSecret',
  CLIENT_TRAFFIC_SECRET_0: 'clientTrafficSecret0',
  SERVER_TRAFFIC_SECRET_0: 'serverTrafficSecret0',
  EXPORTER_SECRET: 'exporterSecret',
};

export function readTestKeyLog(file: string): KeyLookup & { size: number } {
  return readTestKeyLogText(readFileSync(file, 'utf8'), file);
}

function readTestKeyLogText(text: string, file: string): KeyLookup & { size: number } {
  const byRandom = new Map<string, TlsSecrets>();
  for (const line of text.split('\n')) {
    const [label, random, secret] = line.trim().split(/\s+/);
    const field = FIELDS[label ?? ''];
    if (field === undefined || random === undefined || secret === undefined) continue;
    const entry = byRandom.get(random.toLowerCase()) ?? { source: file };
    (entry as unknown as Record<string, Buffer>)[field] = Buffer.from(secret, 'hex');
    byRandom.set(random.toLowerCase(), entry);
  }
  return {
    size: byRandom.size,
    lookup: (random) => byRandom.get(Buffer.from(random).toString('hex')),
  };
}

/** the key log text of every TLS key Decryption Secrets Block (type 0x0000000A, 'TLSK') of a pcapng file */
export function readTestDsbKeyLog(file: string): KeyLookup & { size: number } {
  const b = readFileSync(file);
  const le = b.readUInt32LE(8) === 0x1a2b3c4d;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  let text = '';
  for (let off = 0; off + 12 <= b.length;) {
    const type = u32(off), len = u32(off + 4);
    if (len < 12 || off + len > b.length) break;
    if (type === 0x0000000a && u32(off + 8) === 0x544c534b) text += b.toString('latin1', off + 16, off + 16 + u32(off + 12)) + '\n';
    off += len;
  }
  return readTestKeyLogText(text, file);
}
