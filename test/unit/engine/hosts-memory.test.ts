/**
 * The host aggregator keeps per-flow state only while a flow is open: a capture of many
 * connections (a phone's day is tens of thousands) must not keep one entry per connection it
 * ever saw. It did: the per-flow map was only ever added to.
 */
import { describe, expect, it } from 'vitest';
import type { FlowSummaryExtra } from '../../../src/analyzers/analyzer.js';
import { HostAggregator } from '../../../src/engine/hosts.js';
import type { Observation } from '../../../src/engine/observations.js';
import type { FlowInfo } from '../../../src/flow/flow-info.js';
import { resolveLimits } from '../../../src/limits.js';

const base = { file: 'x', frame: 1, ts: '2026-01-01T00:00:00Z', src: '192.168.1.23', sport: 40000, dst: '203.0.113.9', dport: 443, proto: 'tcp' } as const;

describe('HostAggregator memory', () => {
  it('forgets a flow when it closes, after accounting its bytes to the host its observations named', () => {
    const agg = new HostAggregator({ limits: resolveLimits(), hostSignatures: () => [] });
    agg.beginCapture('x');
    for (let id = 0; id < 5000; id++) {
      agg.observe({ type: 'tls', ...base, stream: id, server_names: ['cdn.example.net'] } as unknown as Observation);
      agg.observe({ type: 'tls_server', ...base, stream: id, version: '1.3' } as unknown as Observation);
      const flow = {
        proto: 'tcp',
        id,
        server: '203.0.113.9',
        app: null,
        bytesToServer: 100,
        bytesToClient: 1000,
        firstSec: 1,
        firstNsec: 0,
        lastSec: 2,
        lastNsec: 0,
      };
      const extra: FlowSummaryExtra = { protocol: 'tls', opaqueBytes: 1000, opaqueReason: 'tls_encrypted' };
      agg.flowClosed(flow as unknown as FlowInfo, extra);
    }
    expect(agg.flowsTracked).toBe(0);
    const host = agg.records({ allHosts: true }).find((h) => h.host === 'cdn.example.net')!;
    // the closed flows still count, under the name their ClientHellos gave
    expect(host.flows).toBe(5000);
    expect(host.transport).toContain('tls1.3');
  });
});
