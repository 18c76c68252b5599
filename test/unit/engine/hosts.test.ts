/** The host report's caps: distinct leaked values are bounded per kind, and what is dropped is counted. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../../src/engine/analyze.js';
import { resolveLimits } from '../../../src/limits.js';
import { FIXTURES } from '../../helpers/paths.js';

const DEMO = path.join(FIXTURES, 'captures', 'mi_browser_demo.pcap');

describe('maxLeakValuesPerKind', () => {
  it('keeps the first values of a kind and counts the findings it dropped', async () => {
    const full = await analyzeCaptures([{ name: 'demo', source: DEMO }]);
    const capped = await analyzeCaptures([{ name: 'demo', source: DEMO }], { limits: resolveLimits({ maxLeakValuesPerKind: 1 }) });
    const host = (r: typeof full) => r.hosts.find((h) => h.host === 'tracking.intl.miui.com')!;
    expect(
      host(full)
        .leaks.filter((l) => l.kind === 'os_version')
        .map((l) => l.value),
    ).toEqual(['Android 10', 'V12.0.3.0.QGGMIXM']);
    expect(host(full).leaks_dropped).toEqual({});
    const kept = host(capped).leaks.filter((l) => l.kind === 'os_version');
    expect(kept).toHaveLength(1);
    expect(host(capped).leaks_dropped.os_version).toBe(1);
    // every kind holds at most one value
    const perKind = new Map<string, number>();
    for (const l of host(capped).leaks) perKind.set(l.kind, (perKind.get(l.kind) ?? 0) + 1);
    expect(Math.max(...perKind.values())).toBe(1);
  });
});
