/**
 * Record schemas live in one place: src/report/schemas/ declares every record type's table and
 * CSV columns; commands and writers only pick a schema and format. (Before, columns were spread
 * over src/report/*-columns.ts, commands/*.ts and src/batch/output.ts.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths.js';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('record schemas', () => {
  const files = ['src', 'commands', 'cli', 'geo'].flatMap((d) => sources(path.join(REPO_ROOT, d)));
  const schemaDir = path.join(REPO_ROOT, 'src', 'report', 'schemas') + path.sep;

  it('columns are declared only in src/report/schemas/', () => {
    const declaring = files.filter((f) => !f.startsWith(schemaDir) && /\bColumn<|RecordSchema</.test(readFileSync(f, 'utf8')));
    const rel = declaring.map((f) => path.relative(REPO_ROOT, f)).sort();
    // columns.ts defines the types; the writers consume them
    expect(rel.filter((f) => !/^src\/report\/(columns\.ts|writers\/)/.test(f))).toEqual([]);
  });

  it('one module per record type, each exporting its schema', () => {
    const modules = readdirSync(schemaDir).filter((f) => f.endsWith('.ts'));
    expect(modules.sort()).toEqual(['batch.ts', 'decode.ts', 'diff.ts', 'event.ts', 'geo.ts', 'host.ts', 'info.ts', 'signature.ts', 'stream.ts']);
    for (const m of modules) expect(readFileSync(path.join(schemaDir, m), 'utf8'), m).toMatch(/export const [A-Z_]+_SCHEMA: RecordSchema</);
  });
});
