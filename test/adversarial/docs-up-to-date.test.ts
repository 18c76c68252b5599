/**
 * docs/limits.md and docs/anomaly-codes.md are generated from the tables in src/ by
 * scripts/gen-docs.mjs. These tests fail when someone adds a limit or an anomaly code without
 * regenerating the docs, and check that the generator reads the same values the code uses.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { ANOMALY_CODES } from '../../src/anomaly.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { docsState, readAnomalies, readLimits } from '../../scripts/gen-docs.mjs';

interface LimitRow {
  section: string;
  name: string;
  value: number;
  doc: string;
}
interface AnomalyGroup {
  area: string;
  file: string;
  codes: { section: string; code: string; text: string }[];
}

describe('generated docs', () => {
  it('reads every limit with the value the code uses, and a description for each', () => {
    const rows = readLimits() as LimitRow[];
    expect(Object.fromEntries(rows.map((r) => [r.name, r.value]))).toEqual({ ...DEFAULT_LIMITS });
    expect(rows.filter((r) => r.doc.length === 0).map((r) => r.name)).toEqual([]);
    expect(rows.find((r) => r.name === 'maxRecordBytes')).toMatchObject({ section: 'capture reader', value: 262144 });
  });

  it('reads every anomaly code with the description the code uses', () => {
    const groups = readAnomalies() as AnomalyGroup[];
    const parsed = Object.fromEntries(groups.flatMap((g) => g.codes.map((c) => [c.code, c.text])));
    expect(parsed).toEqual({ ...ANOMALY_CODES });
    expect(groups[0]).toMatchObject({ area: 'general', file: 'src/anomaly.ts' });
    expect(groups.map((g) => g.area)).toContain('capture');
  });

  it('docs/limits.md and docs/anomaly-codes.md are up to date (run `node scripts/gen-docs.mjs`)', () => {
    const docs = docsState() as { file: string; want: string; have: string | null }[];
    expect(docs).toHaveLength(2);
    for (const d of docs) expect({ file: d.file, text: d.have }).toEqual({ file: d.file, text: d.want });
  });
});
