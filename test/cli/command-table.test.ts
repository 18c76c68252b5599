/**
 * The CLI is bundled from one explicit command table (cli/commands.ts): a command file that is
 * missing from it would silently vanish from `leakscope --help`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';
import { COMMANDS } from '../../cli/commands.js';

function commandIds(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return commandIds(path.join(dir, e.name), `${prefix}${e.name}:`);
    if (!e.name.endsWith('.ts')) return [];
    const name = e.name.slice(0, -3);
    return [name === 'index' ? prefix.slice(0, -1) : prefix + name];
  });
}

describe('command table', () => {
  it('lists every file under commands/ by its oclif id', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(commandIds(path.join(REPO_ROOT, 'commands')).sort());
  });

  it('holds command classes that oclif can run', () => {
    for (const [id, command] of Object.entries(COMMANDS)) {
      expect(typeof command.prototype.run, id).toBe('function');
      expect(command.summary, id).toBeTruthy();
    }
  });
});
