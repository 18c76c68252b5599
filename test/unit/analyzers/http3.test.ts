import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FlowSummaryExtra } from '../../../src/analyzers/analyzer.js';
import type { KeyLookup } from '../../../src/decrypt/key-store.js';
import type { HttpObservation, Observation, ObservationDetail } from '../../../src/engine/observations.js';
import { ReportStage } from '../../../src/engine/report-stage.js';
import { scanCapture } from '../../../src/engine/scan.js';
import { resolveLimits } from '../../../src/limits.js';
import { SignatureDb } from '../../../src/signatures/db.js';
import { readTestKeyLog } from '../../helpers/keylog.js';
import { SHARED } from '../../helpers/paths.js';
import { KIND_FOR_TRUTH_KEY, NOT_VALUES } from '../../helpers/truth-kinds.js';

const H3 = `${SHARED}/keyed/clients/h3_chromium_caddy`;

async function scan(keys: KeyLookup | undefined) {
  const obs: Array<{ o: Observation; d?: ObservationDetail }> = [];
  const flows: FlowSummaryExtra[] = [];
  const res = await scanCapture(`${H3}.pcap`, { keys, onObservation: (o, d) => obs.push({ o, d }), onFlowClose: (_f, x) => flows.push({ ...x }) });
  return { obs, flows, res };
}

describe('QUIC analyzer with keys → http3 child', () => {
  it('h3_chromium_caddy: the 12 requests of the truth file as http observations (carrier quic, http_version 3, stream_id), bodies intact', async () => {
    const truth = JSON.parse(readFileSync(`${H3}.truth.json`, 'utf8')) as {
      flows: Array<{ client: string; requests: Array<{ stream_id: number; method: string; authority: string; uri: string; body_sha256: string | null }> }>;
    };
    const { obs, flows, res } = await scan(readTestKeyLog(`${H3}.keys`));
    const http = obs.filter((x) => x.o.type === 'http') as Array<{ o: HttpObservation; d?: ObservationDetail }>;
    const want = truth.flows.flatMap((f) => f.requests.map((r) => ({ client: f.client, ...r })));
    expect(http).toHaveLength(want.length);
    for (const w of want) {
      const got = http.find((h) => `${h.o.src}:${h.o.sport}` === w.client && h.o.stream_id === w.stream_id);
      expect(got, `${w.client} stream ${w.stream_id}`).toBeDefined();
      expect(got!.o).toMatchObject({
        method: w.method,
        host: w.authority,
        uri: w.uri,
        carrier: 'quic',
        http_version: '3',
        version: 'HTTP/3',
        incomplete: false,
      });
      if (w.body_sha256 !== null) expect(createHash('sha256').update(got!.d!.http!.body).digest('hex')).toBe(w.body_sha256);
    }
    const responses = obs.filter((x) => x.o.type === 'http_response');
    expect(responses).toHaveLength(12);
    // each response names the frame of its request
    for (const r of responses) expect(http.some((h) => h.o.frame === (r.o as { request_frame: number }).request_frame)).toBe(true);
    const quic = flows.filter((f) => f.protocol === 'quic');
    expect(quic).toHaveLength(6);
    for (const f of quic) {
      expect(f.decryption).toBe('decrypted');
      expect(f.decryptedBytes).toBeGreaterThan(0);
      expect(f.opaqueBytes).toBe(0);
    }
    expect(res.anomalies.total).toBe(0);
  });

  it('without keys: no request, the flows stay quic_encrypted; with a key log missing them: no_key', async () => {
    const none = await scan(undefined);
    expect(none.obs.filter((x) => x.o.type === 'http')).toHaveLength(0);
    for (const f of none.flows.filter((x) => x.protocol === 'quic')) {
      expect(f.opaqueReason).toBe('quic_encrypted');
      expect(f.decryption).toBeUndefined();
    }
    // a key store holding nothing (no --keylog, no keys embedded) is the same as no keys
    const empty = await scan({ lookup: () => undefined, empty: true });
    for (const f of empty.flows.filter((x) => x.protocol === 'quic')) expect([f.decryption, f.opaqueReason]).toEqual([undefined, 'quic_encrypted']);
    const other = await scan({ lookup: () => undefined });
    expect(other.obs.filter((x) => x.o.type === 'http')).toHaveLength(0);
    for (const f of other.flows.filter((x) => x.protocol === 'quic')) {
      expect(f.decryption).toBe('no_key');
      expect(f.opaqueReason).toBe('no_key');
      expect(f.opaqueBytes).toBeGreaterThan(0);
    }
  });
});

describe('leaks inside HTTP/3', () => {
  it('h3_chromium_caddy: each request the truth file says leaks has findings whose evidence starts at the encryption (quic → h3 stream N → …); every leaked value is found, of the kind the truth names', async () => {
    const limits = resolveLimits();
    const agg = new ReportStage({ signatures: SignatureDb.bundled(), limits });
    agg.beginCapture('h3');
    const res = await scanCapture(`${H3}.pcap`, {
      keys: readTestKeyLog(`${H3}.keys`),
      onObservation: (o, d) => agg.observe(o, d),
      onFlowClose: (f, x) => agg.flowClosed(f, x),
    });
    agg.endCapture(res.read.sha256);
    const hosts = agg.records({ allHosts: true });
    const truth = JSON.parse(readFileSync(`${H3}.truth.json`, 'utf8')) as {
      findings: Array<{ indicator: string; host?: string; stream_id?: number; leaks: Record<string, unknown[]> | null }>;
    };
    let values = 0;
    const missing: string[] = [];
    for (const f of truth.findings.filter((x) => x.indicator === 'http3_request' && x.leaks !== null)) {
      const h = hosts.find((x) => x.host === f.host);
      expect(h, f.host).toBeDefined();
      const prefix = `quic → h3 stream ${f.stream_id} → `;
      expect(
        h!.leaks.some((l) => l.evidence.some((e) => e.chain.startsWith(prefix))),
        `${f.host} ${prefix}`,
      ).toBe(true);
      for (const [k, vs] of Object.entries(f.leaks!)) {
        if (NOT_VALUES.has(k)) continue;
        const kinds = KIND_FOR_TRUTH_KEY[k];
        expect(kinds, `truth key ${k} has a mapping`).toBeDefined();
        for (const v of vs.map(String)) {
          values++;
          if (!h!.leaks.some((l) => kinds!.includes(l.kind) && l.value === v)) missing.push(`${f.host} ${k}=${v}`);
        }
      }
    }
    expect(values).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    // every finding on these hosts came from decrypted traffic, and says so
    for (const h of hosts) for (const l of h.leaks) for (const e of l.evidence) expect(e.chain).toMatch(/^quic → h3 stream \d+ → /);
    for (const h of hosts.filter((x) => x.transport.includes('quic'))) expect(h.decrypted_bytes).toBeGreaterThan(0);
  });
});

describe('hostile keyed QUIC through the whole scan', () => {
  it('60 mutated copies of h3_chromium_caddy with its keys: no throw, no internal error, output bounded', async () => {
    const bytes = readFileSync(`${H3}.pcap`);
    const keys = readTestKeyLog(`${H3}.keys`);
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 60; i++) {
      const m = Buffer.from(bytes);
      // flips past the file header, where packet records and their payloads are
      for (let k = 0, n = 1 + rnd(8); k < n; k++) m[24 + rnd(m.length - 24)]! ^= 1 << rnd(8);
      let count = 0;
      const res = await scanCapture(Readable.from([m]), {
        keys,
        onObservation: () => {
          count++;
        },
      });
      expect(res.anomalies.counts.get('internal_decoder_error') ?? 0).toBe(0);
      expect(count).toBeLessThan(m.length);
    }
  });
});
