import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expandGlob, globToRegExp, hasGlobMagic } from '../../../src/batch/glob.js';
import { parseShard, resolveInputs, selectShard } from '../../../src/batch/inputs.js';

describe('globToRegExp', () => {
  it.each([
    ['*.pcap', 'a.pcap', true],
    ['*.pcap', 'dir/a.pcap', false],
    ['*.pcap', '.hidden.pcap', false],
    ['day-?.pcap', 'day-1.pcap', true],
    ['day-?.pcap', 'day-10.pcap', false],
    ['day-[0-3].pcap', 'day-2.pcap', true],
    ['day-[0-3].pcap', 'day-7.pcap', false],
    ['day-[!0-3].pcap', 'day-7.pcap', true],
    ['day-[]x].pcap', 'day-].pcap', true],
    ['**/*.pcap.gz', 'a.pcap.gz', true],
    ['**/*.pcap.gz', 'phones/redmi/2020/a.pcap.gz', true],
    ['**/*.pcap.gz', 'phones/.git/a.pcap.gz', false],
    ['phones/**', 'phones/redmi/a.pcap', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['[unclosed', '[unclosed', true],
    ['a.b(c)+', 'a.b(c)+', true],
  ])('%s ~ %s → %s', (pattern, p, want) => {
    expect(globToRegExp(pattern).test(p)).toBe(want);
  });

  it('hasGlobMagic ignores escaped wildcards', () => {
    expect(hasGlobMagic('caps/*.pcap')).toBe(true);
    expect(hasGlobMagic('caps/a\\*.pcap')).toBe(false);
    expect(hasGlobMagic('caps/plain.pcap')).toBe(false);
  });
});

let dir: string;
const rel = (ps: string[]) => ps.map((p) => path.relative(dir, p));

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'leakscope-inputs-'));
  for (const f of ['a.pcap', 'b.pcapng.gz', 'notes.txt', 'sub/c.cap', 'sub/deep/d.pcap', 'sub/archive.tgz', 'z.tar', '.hidden/e.pcap']) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), 'x');
  }
  mkdirSync(path.join(dir, 'x.pcap')); // a directory named like a capture
  symlinkSync(path.join(dir, 'gone.pcap-target'), path.join(dir, 'dangling.pcap'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expandGlob', () => {
  it('keeps the pattern prefix and walks only from the literal base', async () => {
    expect(rel(await expandGlob(`${dir}/*.pcap`))).toEqual(['a.pcap', 'dangling.pcap', 'x.pcap']);
    expect(rel(await expandGlob(`${dir}/**/*.pcap`))).toEqual(['a.pcap', 'dangling.pcap', 'sub/deep/d.pcap', 'x.pcap']);
    expect(await expandGlob(`${dir}/nothing-*.pcap`)).toEqual([]);
  });
});

describe('resolveInputs', () => {
  it('walks directories for captures and archives, sorted, deduplicated', async () => {
    const { items, unmatched } = await resolveInputs([dir, `${dir}/a.pcap`, `${dir}/./a.pcap`]);
    expect(unmatched).toEqual([]);
    expect(items.map((i) => [path.relative(dir, i.path), i.kind])).toEqual([
      ['.hidden/e.pcap', 'capture'],
      ['a.pcap', 'capture'],
      ['b.pcapng.gz', 'capture'],
      ['dangling.pcap', 'capture'], // unreadable: becomes an error record later
      ['sub/archive.tgz', 'archive'],
      ['sub/c.cap', 'capture'],
      ['sub/deep/d.pcap', 'capture'],
      ['x.pcap', 'capture'], // a directory named like a capture is reported, not entered
      ['z.tar', 'archive'],
    ]);
    expect(items.find((i) => i.path.endsWith('a.pcap'))!.size).toBe(1);
  });

  it('takes a named file whatever its name, and reports globs that match nothing', async () => {
    const { items, unmatched } = await resolveInputs([`${dir}/notes.txt`, `${dir}/*.nomatch`], [`${dir}/missing.pcap`]);
    expect(rel(items.map((i) => i.path))).toEqual(['missing.pcap', 'notes.txt']);
    expect(unmatched).toEqual([`${dir}/*.nomatch`]);
  });

  it('reads literal paths without glob expansion', async () => {
    const { items } = await resolveInputs([], [`${dir}/[ab].pcap`]);
    expect(rel(items.map((i) => i.path))).toEqual(['[ab].pcap']);
  });
});

describe('shards', () => {
  it('parses K/N with K from 1, as Jest and Playwright count, and rejects the rest', () => {
    expect(parseShard('1/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('4/4')).toEqual({ index: 3, count: 4 });
    expect(() => parseShard('0/4')).toThrow(/K must be 1 to 4 \(shards are numbered from 1\)/);
    expect(() => parseShard('5/4')).toThrow(/K must be 1 to 4/);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
    expect(() => parseShard('a/b')).toThrow(/K\/N/);
  });

  it('splits into disjoint shards that cover everything, stable when files are added', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ path: `caps/phone-${i}.pcap` }));
    const shards = [0, 1, 2].map((index) => selectShard(items, { index, count: 3 }));
    expect(
      shards
        .flat()
        .map((x) => x.path)
        .sort(),
    ).toEqual(items.map((x) => x.path).sort());
    for (const s of shards) expect(s.length).toBeGreaterThan(40); // roughly even
    const grown = selectShard([...items, { path: 'caps/new.pcap' }], { index: 1, count: 3 }).filter((x) => x.path !== 'caps/new.pcap');
    expect(grown).toEqual(shards[1]);
  });
});
