/**
 * Key material for the decryption tests, read by the project's own key store
 * (src/decrypt/key-sources.ts, keylog.ts, embedded.ts): a key log file, or the Decryption
 * Secrets Blocks of a pcapng.
 */
import { readEmbeddedSecrets } from '../../src/decrypt/embedded.js';
import { KeyStore } from '../../src/decrypt/key-sources.js';
import { resolveLimits } from '../../src/limits.js';

function store(): KeyStore {
  const limits = resolveLimits();
  return new KeyStore({ maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes });
}

export function readTestKeyLog(file: string): KeyStore {
  const s = store();
  s.addFile(file);
  return s;
}

export async function readTestDsbKeyLog(file: string): Promise<KeyStore> {
  const s = store();
  await readEmbeddedSecrets(file, s, resolveLimits());
  return s;
}
