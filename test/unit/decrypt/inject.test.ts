/** `keylog inject`'s writer: the capture as pcapng with only its connections' keys in a DSB; tshark decrypts it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCaptureWithSecrets } from '../../../src/decrypt/inject.js';
import { resolveLimits } from '../../../src/limits.js';
import { SHARED } from '../../helpers/paths.js';
import { decryptCapture } from '../../helpers/tls-decrypt.js';

const CLIENTS = path.join(SHARED, 'keyed/clients');

function tsharkRequests(file: string): string[] {
  const out = execFileSync(
    'tshark',
    ['-r', file, '-d', 'tcp.port==19443,tls', '-d', 'tcp.port==19448,tls', '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

describe('writeCaptureWithSecrets', () => {
  it('embeds only the keys the capture uses; leakscope and tshark decrypt the written file without a key log', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inject-'));
    const capture = path.join(CLIENTS, 'partial_keys.pcap');
    // a key log with more sessions than the capture: the other captures' keys are left out
    const { store } = decryptCapture(capture, [path.join(CLIENTS, 'partial_keys.keys'), path.join(CLIENTS, 'tls_h1_curl_openssl.keys')]);
    const keyLog = store.matchedKeyLog();
    expect(keyLog.split('\n').filter((l) => l.startsWith('CLIENT_RANDOM') || l.startsWith('CLIENT_TRAFFIC_SECRET_0'))).toHaveLength(3);
    const out = path.join(dir, 'out.pcapng');
    const { frames } = await writeCaptureWithSecrets(capture, keyLog, out, resolveLimits());
    expect(frames).toBe(113);

    const again = decryptCapture(out);
    expect(again.connections.map((c) => c.outcome).sort()).toEqual(['decrypted', 'decrypted', 'decrypted', 'no_key', 'no_key', 'no_key']);
    expect(again.store.sources()[0]).toMatchObject({ name: 'embedded in the capture', sessions: 3, matched: 3 });

    // tshark reads the DSB: the same HTTP/1.1 requests as from the original with its key log
    const original = execFileSync(
      'tshark',
      [
        '-r',
        capture,
        '-o',
        `tls.keylog_file:${path.join(CLIENTS, 'partial_keys.keys')}`,
        '-d',
        'tcp.port==19448,tls',
        '-Y',
        'http.request',
        '-T',
        'fields',
        '-e',
        'http.request.uri',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    )
      .split('\n')
      .filter((l) => l !== '')
      .sort();
    expect(original.length).toBeGreaterThan(0);
    expect(tsharkRequests(out)).toEqual(original);
    expect(readFileSync(out).subarray(0, 4).toString('hex')).toBe('0a0d0d0a');
  });
});
