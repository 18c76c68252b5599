/**
 * `streams --dump DIR`: whatever the capture holds, a dump file name is one path component
 * inside DIR. Names come from formatted addresses, but the checks must hold even for strings
 * an attacker fully controls.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamDumper, safeFileName, tcpflowFileName } from '../../../src/flow/dump.js';
import { Dir, type FlowInfo } from '../../../src/flow/table.js';

const HOSTILE = [
  '../../etc/passwd',
  '..',
  '.',
  '',
  '...',
  'a/b',
  'a\\b',
  '/abs',
  'nul\u0000byte',
  'x'.repeat(5000),
  '..\\..\\win',
  'C:\\x',
  '~/.ssh/id_rsa',
  '\u202eexe',
  'ok.name-1:2_3',
];

function flow(client: string, server: string): FlowInfo {
  return { proto: 'tcp', id: 1, client, clientPort: 1234, server, serverPort: 80 } as unknown as FlowInfo;
}

describe('dump file names', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'leakscope-dump-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(HOSTILE)('safeFileName(%j) is one harmless path component', (name) => {
    const s = safeFileName(name);
    expect(s).not.toMatch(/[/\\\u0000]/);
    expect(s).not.toMatch(/^\.*$/);
    expect(s.length).toBeGreaterThan(0);
    expect(s.length).toBeLessThanOrEqual(200);
    expect(path.dirname(path.join(root, s))).toBe(root);
  });

  it('keeps the characters tcpflow names use, unchanged', () => {
    expect(safeFileName('127.000.000.001.00080-2001:db8::1.00443c2')).toBe('127.000.000.001.00080-2001:db8::1.00443c2');
  });

  it('tcpflowFileName stays inside the folder even for addresses that are path tricks', () => {
    for (const h of HOSTILE) {
      const name = tcpflowFileName(flow(h, '../up'), Dir.ToServer, 3);
      expect(path.dirname(path.join(root, name))).toBe(root);
    }
  });

  it('StreamDumper.create writes hostile-named flows only inside its folder, without clobbering', () => {
    const d = new StreamDumper(root);
    const made = HOSTILE.slice(0, 6).map((h) => d.create(flow(h, '../../etc'), Dir.ToServer));
    d.closeAll();
    for (const f of made) expect(path.dirname(f)).toBe(root);
    expect(new Set(made).size).toBe(made.length);
    expect(readdirSync(root).length).toBe(made.length);
  });
});
