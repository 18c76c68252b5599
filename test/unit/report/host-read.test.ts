/** The host table says per host whether its traffic was read: decrypted, not decrypted and why, or encrypted with no keys given. */
import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../src/engine/hosts.js';
import { HOST_SCHEMA } from '../../../src/report/schemas/host.js';

const leaksColumn = HOST_SCHEMA.columns.find((c) => c.key === 'leaks')!;
const view = { wide: false };

function host(decrypted: number, opaque: number, reasons: string[], leaks: HostRecord['leaks'] = []): HostRecord {
  return {
    type: 'host',
    host: 'tracking.intl.miui.com',
    vendor: 'Xiaomi',
    category: 'telemetry',
    signature: null,
    vendors: ['Xiaomi'],
    signatures: [],
    alert: true,
    sdk_vendors: [],
    seen_as: ['sni'],
    transport: ['tls1.3'],
    flows: 1,
    bytes_out: 1,
    bytes_in: 1,
    decrypted_bytes: decrypted,
    opaque_bytes: opaque,
    opaque_reasons: reasons,
    first_seen: null,
    last_seen: null,
    servers: [],
    leaks,
    leaks_dropped: {},
    captures: [],
  };
}
const imei = [{ kind: 'imei', value: '864811045123671', count: 1, evidence: [] }];

describe('the leak column says whether a host was read', () => {
  const cases: [string, HostRecord, string[]][] = [
    ['plaintext, nothing found', host(0, 0, []), ['none']],
    ['encrypted, no keys given', host(0, 900, ['tls_encrypted']), ['none visible (900 B encrypted)']],
    ['keys given, none for it', host(0, 900, ['no_key']), ['none visible (900 B encrypted, no key)']],
    ['keys that failed', host(0, 900, ['decrypt_failed']), ['none visible (900 B encrypted, keys did not decrypt)']],
    ['decrypted, nothing found', host(5000, 0, []), ['none (read 5000 B decrypted)']],
    ['partly decrypted, nothing found', host(5000, 700, ['no_key']), ['none (read 5000 B decrypted)', '(not read: 700 B encrypted, no key)']],
    ['decrypted, a leak', host(5000, 0, [], imei), ['imei: 864811045123671', '(read 5000 B decrypted)']],
    ['plaintext leak, other connections encrypted', host(0, 900, ['tls_encrypted'], imei), ['imei: 864811045123671']],
  ];
  for (const [what, h, want] of cases) it(what, () => expect(leaksColumn.get!(h, view)).toEqual(want));
});
