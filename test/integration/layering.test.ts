/**
 * The layering check CI runs (`npm run lint:deps`, .dependency-cruiser.cjs): the tree passes
 * it, and it fails on an import cycle and on an upward import.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const DEPCRUISE = path.join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');

function depcruise(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(DEPCRUISE, [...args, '--config', path.join(REPO_ROOT, '.dependency-cruiser.cjs')], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('the layering check', () => {
  it('passes on the tree', () => {
    const r = depcruise(['src', 'geo', 'commands', 'cli', 'test-support']);
    expect(r.out).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  }, 120_000);

  it('fails on an import cycle, naming it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-cycle-'));
    writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n");
    const r = depcruise([dir]);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/no-circular/);
  }, 120_000);

  it('fails on a decoder that imports the flow table (an upward import)', () => {
    // a copy of the tree's shape in a scratch folder: the rules are written for src/decode and src/flow
    const dir = mkdtempSync(path.join(tmpdir(), 'leakscope-layers-'));
    for (const sub of ['src/decode', 'src/flow']) mkdirSync(path.join(dir, sub), { recursive: true });
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src'] }));
    writeFileSync(path.join(dir, 'src/flow/table.ts'), 'export const flows = 1;\n');
    writeFileSync(path.join(dir, 'src/decode/udp.ts'), "import { flows } from '../flow/table.js';\nexport const udp = flows;\n");
    const r = depcruise(['src'], dir);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/decode-imports-nothing-above/);
  }, 120_000);
});
