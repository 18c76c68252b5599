import { describe, it, expect } from 'vitest';
import { BatchAggregator } from '../../../src/batch/aggregate.js';
import { doneCaptures, parseResults } from '../../../src/batch/results-file.js';
import { resultSetLines, type BatchHostRecord, type CaptureResultSet } from '../../../src/batch/records.js';

function host(capture: string, name: string, leaks: [string, string][] = []): BatchHostRecord {
  return {
    type: 'host',
    host: name,
    vendor: 'Xiaomi',
    category: 'telemetry',
    signature: 's',
    vendors: ['Xiaomi'],
    signatures: ['s'],
    alert: true,
    seen_as: ['sni'],
    transport: ['tls'],
    flows: 1,
    bytes_out: 10,
    bytes_in: 20,
    opaque_bytes: 0,
    opaque_reasons: [],
    first_seen: null,
    last_seen: null,
    servers: [],
    leaks: leaks.map(([kind, value]) => ({ kind, value, count: 1, evidence: [] })),
    captures: [capture],
    capture,
  };
}
function set(capture: string, hosts: BatchHostRecord[], sha = 'aa'): CaptureResultSet {
  return { capture: { type: 'capture', capture, sha256: sha, packets: 5, hosts: hosts.length, leaks: 0, status: 'ok' }, hosts };
}

describe('BatchAggregator', () => {
  it('counts captures per host, links identifiers seen in two captures, groups devices', () => {
    const agg = new BatchAggregator();
    agg.add(
      set('b.pcap', [
        host('b.pcap', 'tracking.intl.miui.com', [
          ['imei', '864811045123671'],
          ['url', 'https://x'],
        ]),
      ]),
    );
    agg.add(
      set('a.pcap', [
        host('a.pcap', 'tracking.intl.miui.com', [
          ['imei', '864811045123671'],
          ['url', 'https://x'],
        ]),
        host('a.pcap', 'api.ad.xiaomi.com'),
      ]),
    );
    agg.add(set('c.pcap', [host('c.pcap', 'api.ad.xiaomi.com', [['email', 'a@b.c']])]));
    agg.add({ capture: { type: 'error', capture: 'd.pcap', message: 'd.pcap: empty' }, hosts: [] });
    const a = agg.aggregate();
    expect(a.totals).toEqual({ captures: 4, ok: 3, partial: 0, error: 1, hosts: 2, linked_identifiers: 1 });
    expect(a.hosts.map((h) => [h.host, h.captures, h.flows, h.leak_kinds])).toEqual([
      ['api.ad.xiaomi.com', 2, 2, ['email']],
      ['tracking.intl.miui.com', 2, 2, ['imei', 'url']],
    ]);
    expect(a.captures.map((c) => [c.capture, c.status, c.hosts])).toEqual([
      ['a.pcap', 'ok', ['api.ad.xiaomi.com', 'tracking.intl.miui.com']],
      ['b.pcap', 'ok', ['tracking.intl.miui.com']],
      ['c.pcap', 'ok', ['api.ad.xiaomi.com']],
      ['d.pcap', 'error', []],
    ]);
    // url is not an identifier: the same URL in two captures links nothing
    expect(a.linked_identifiers).toEqual([{ kind: 'imei', value: '864811045123671', captures: ['a.pcap', 'b.pcap'] }]);
    expect(a.devices).toEqual([{ captures: ['a.pcap', 'b.pcap'], identifiers: [{ kind: 'imei', value: '864811045123671' }] }]);
  });

  it('is the same whatever order the captures arrive in; a later set replaces an earlier one', () => {
    const sets = [set('a.pcap', [host('a.pcap', 'h1')]), set('b.pcap', [host('b.pcap', 'h2')]), set('c.pcap', [])];
    const x = new BatchAggregator();
    const y = new BatchAggregator();
    for (const s of sets) x.add(s);
    y.add(set('b.pcap', [host('b.pcap', 'stale')], 'old'));
    for (const s of [...sets].reverse()) y.add(s);
    expect(JSON.stringify(y.aggregate())).toBe(JSON.stringify(x.aggregate()));
  });

  it('devices: identifiers chain captures transitively (a–b by imei, b–c by email)', () => {
    const agg = new BatchAggregator();
    agg.add(set('a', [host('a', 'h', [['imei', '1']])]));
    agg.add(
      set('b', [
        host('b', 'h', [
          ['imei', '1'],
          ['email', 'e@x'],
        ]),
      ]),
    );
    agg.add(set('c', [host('c', 'h', [['email', 'e@x']])]));
    agg.add(set('d', [host('d', 'h', [['imei', '2']])]));
    expect(agg.aggregate().devices.map((d) => d.captures)).toEqual([['a', 'b', 'c']]);
  });
});

describe('parseResults', () => {
  const a = set('a.pcap', [host('a.pcap', 'h1'), host('a.pcap', 'h2')], 'sha-a');
  const b = set('b.pcap', [host('b.pcap', 'h3')], 'sha-b');
  const err: CaptureResultSet = { capture: { type: 'error', capture: 'c.pcap', message: 'c.pcap: empty' }, hosts: [] };

  it('reads complete sets and ignores the aggregate; keepBytes ends before it', () => {
    const body = resultSetLines(a) + resultSetLines(err) + resultSetLines(b);
    const text = body + '{"type":"aggregate","totals":{}}\n';
    const r = parseResults(text);
    expect(r.sets).toEqual([a, err, b]);
    expect(r.keepBytes).toBe(Buffer.byteLength(body));
    expect(r.badLines).toBe(0);
    expect([...doneCaptures(r.sets)]).toEqual([
      ['a.pcap', 'sha-a'],
      ['b.pcap', 'sha-b'],
    ]);
  });

  it('a set cut off after one of two host lines and a torn line do not count', () => {
    const full = resultSetLines(b);
    const cut = resultSetLines(a).split('\n').slice(0, 2).join('\n') + '\n';
    const r = parseResults(full + cut + '{"type":"host","capt');
    expect(r.sets).toEqual([b]);
    expect(r.keepBytes).toBe(Buffer.byteLength(full));
    expect(r.incomplete).toBe(1);
    expect(r.badLines).toBe(1);
  });

  it('keepBytes counts bytes, not characters (non-ASCII capture names)', () => {
    const u = set('téléphone-小米.pcap', []);
    const text = resultSetLines(u) + '{"type":"aggregate"}\n';
    expect(parseResults(text).keepBytes).toBe(Buffer.byteLength(resultSetLines(u)));
  });

  it('host lines of no open capture and unknown types are bad lines', () => {
    const r = parseResults(JSON.stringify(host('z', 'h')) + '\n{"type":"weird","capture":"z"}\n[1,2]\n');
    expect(r.sets).toEqual([]);
    expect(r.badLines).toBe(3);
    expect(r.keepBytes).toBe(0);
  });
});
