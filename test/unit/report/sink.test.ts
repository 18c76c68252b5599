import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { streamSink } from '../../../src/report/sink.js';
import { REPO_ROOT } from '../../helpers/paths.js';

function collecting() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream, chunks };
}

describe('streamSink: records reach the stream in blocks, in order, and none is lost', () => {
  it('holds small records until flush(), then writes them as one block', async () => {
    const { stream, chunks } = collecting();
    const sink = streamSink(stream);
    sink.write('a\n');
    sink.write('b\n');
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual([]);
    sink.flush!();
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(['a\nb\n']);
  });

  it('writes a block as soon as 64 KB are pending', async () => {
    const { stream, chunks } = collecting();
    const sink = streamSink(stream);
    const line = 'x'.repeat(1023) + '\n';
    for (let i = 0; i < 64; i++) sink.write(line);
    await new Promise((r) => setImmediate(r));
    expect(chunks.join('')).toBe(line.repeat(64));
  });

  it('does not hold a record longer than about 100 ms (a live capture on standard input still streams)', async () => {
    const { stream, chunks } = collecting();
    const sink = streamSink(stream);
    sink.write('late\n');
    await new Promise((r) => setTimeout(r, 250));
    expect(chunks).toEqual(['late\n']);
  });

  it('writes what is pending when the process exits early (an error exit part-way through a capture)', () => {
    const url = pathToFileURL(path.join(REPO_ROOT, 'dist/src/report/sink.js')).href;
    const script = `const { streamSink } = await import(${JSON.stringify(url)});
      const sink = streamSink(process.stdout);
      for (let i = 0; i < 1000; i++) sink.write('record ' + i + '\\n');
      process.exit(3);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[999]).toBe('record 999');
  });
});
