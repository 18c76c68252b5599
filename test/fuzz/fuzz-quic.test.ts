/**
 * The mutation fuzzer (bench/fuzz.mjs) on keyed QUIC captures and their key logs: damaged
 * datagrams, records and key logs end in the QUIC decryptor's and HTTP/3 parser's typed
 * anomalies, never a throw or a hang (issue 20).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCapture } from '../../src/engine/scan.js';
import { captureLayout, mutateCapture } from '../../test-support/synth/mutate.js';
import { KeyStore } from '../../src/decrypt/key-sources.js';
import { REPO_ROOT } from '../helpers/paths.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { keylogBeside, runFuzz } from '../../bench/fuzz.mjs';

interface FuzzSummary {
  iterations: number;
  failures: unknown[];
  kinds: Record<string, number>;
  cleanAfter: { input: string; same: boolean }[];
  anomalyCodes: Record<string, number>;
}

describe('mutation fuzzer: keyed QUIC', () => {
  it('1,000 mutations of QUIC captures with their key logs: no throw, no hang, typed anomalies, clean inputs unchanged after', async () => {
    const keyed = (rel: string) => {
      const file = path.join(REPO_ROOT, rel);
      return { name: rel, bytes: new Uint8Array(readFileSync(file)), keylog: keylogBeside(file) as string | undefined };
    };
    const inputs = [keyed('../shared/keyed/corpus/files/syncsynchalt-illustrated-quic__capture.pcap'), keyed('../shared/keyed/clients/h3_chromium_caddy.pcap')];
    expect(inputs.map((i) => i.keylog !== undefined)).toEqual([true, true]);
    const lib = { scanCapture, mutateCapture, captureLayout, KeyStore };
    const summary = (await runFuzz(lib, inputs, { iterations: 1000, seed: 0, timeoutMs: 20_000 })) as FuzzSummary;
    expect(summary.failures).toEqual([]);
    expect(summary.iterations).toBe(1000);
    expect(summary.cleanAfter.map((c) => c.same)).toEqual([true, true]);
    // damage reached the decryptor: packets that no longer authenticate are counted as such
    expect(summary.anomalyCodes.quic_packet_auth_failed ?? 0).toBeGreaterThan(10);
  });
});
