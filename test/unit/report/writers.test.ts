import { describe, expect, it } from 'vitest';
import { escapeControl, safeJson, truncate } from '../../../src/report/escape.js';
import { csvField, CsvWriter } from '../../../src/report/writers/csv.js';
import { createWriter } from '../../../src/report/writers/index.js';
import { StringSink } from '../../../src/report/sink.js';
import type { Column } from '../../../src/report/columns.js';

interface Row {
  name: string;
  n: number;
  list: string[];
}
const COLS: Column<Row>[] = [
  { key: 'name', header: 'Name', get: (r) => r.name },
  { key: 'n', header: 'N', get: (r) => r.n },
  { key: 'list', header: 'List', get: (r) => r.list },
];

describe('escapeControl', () => {
  it.each([
    ['plain.example.com', 'plain.example.com'],
    ['evil\x1b[2J.com', 'evil\\x1b[2J.com'],
    ['line\nbreak\r', 'line\\nbreak\\r'],
    ['nul\x00del\x7f', 'nul\\x00del\\x7f'],
    ['c1\u009bcsi', 'c1\\x9bcsi'],
    ['bidi\u202eexe.txt', 'bidi\\u202eexe.txt'],
    ['小米.中国', '小米.中国'],
  ])('%j → %j', (input, want) => {
    expect(escapeControl(input)).toBe(want);
  });
});

describe('truncate', () => {
  it('keeps short strings and cuts long ones with an ellipsis, by code point', () => {
    expect(truncate('abc', 5)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('小米小米小米', 3)).toBe('小米…');
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, doubles quotes', () => {
    expect(csvField('a')).toBe('a');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
  it('writes a header once and CRLF rows', () => {
    const sink = new StringSink();
    const w = new CsvWriter<Row>(sink, COLS);
    w.write({ name: 'x,y', n: 1, list: ['a', 'b'] });
    w.write({ name: 'z', n: 2, list: [] });
    w.end();
    expect(sink.text).toBe('name,n,list\r\n"x,y",1,"a, b"\r\nz,2,\r\n');
  });
  it('writes the header even with no rows', () => {
    const sink = new StringSink();
    const w = new CsvWriter<Row>(sink, COLS);
    w.end();
    expect(sink.text).toBe('name,n,list\r\n');
  });
});

describe('format selection', () => {
  const rows: Row[] = [
    { name: 'a', n: 1, list: ['x'] },
    { name: 'b\x1b[31m', n: 2, list: [] },
  ];
  it('ndjson: one JSON document per line, raw values kept', async () => {
    const sink = new StringSink();
    const w = await createWriter<Row>('ndjson', sink, { columns: COLS });
    rows.forEach((r) => w.write(r));
    w.end();
    const lines = sink.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(rows);
  });
  it('json: an array, or one object with jsonSingle', async () => {
    const many = new StringSink();
    const w = await createWriter<Row>('json', many, { columns: COLS });
    rows.forEach((r) => w.write(r));
    w.end();
    expect(JSON.parse(many.text)).toEqual(rows);
    const one = new StringSink();
    const w1 = await createWriter<Row>('json', one, { columns: COLS, jsonSingle: true });
    w1.write(rows[0]);
    w1.end();
    expect(JSON.parse(one.text)).toEqual(rows[0]);
  });
  it('table: no colour codes when the sink is not a terminal, control characters escaped', async () => {
    const sink = new StringSink();
    const w = await createWriter<Row>('table', sink, { columns: COLS });
    rows.forEach((r) => w.write(r));
    w.end();
    expect(sink.text).not.toContain('\x1b');
    expect(sink.text).toContain('b\\x1b[31m');
    expect(sink.text).toContain('Name');
  });
});

describe('JSON output is safe on a terminal', () => {
  it('escapes DEL, C1 controls and bidi overrides as \\u, and parses back to the same value', async () => {
    const value = { sni: 'a\u009b[2Jb\u202eexe\u007f\u001b' };
    const sink = new StringSink();
    const w = await createWriter<typeof value>('ndjson', sink, { columns: [] });
    w.write(value);
    w.end();
    expect(sink.text).toBe('{"sni":"a\\u009b[2Jb\\u202eexe\\u007f\\u001b"}\n');
    expect(JSON.parse(sink.text)).toEqual(value);
  });
});

// safeJson skips its replacement when the text is ASCII without DEL: each unsafe character
// alone, next to plain ASCII and to harmless non-ASCII, must still be escaped
it.each([
  ['DEL', '\u007f'],
  ['C1 first', '\u0080'],
  ['CSI', '\u009b'],
  ['C1 last', '\u009f'],
  ['LRM', '\u200e'],
  ['RLO', '\u202e'],
  ['PDI', '\u2069'],
  ['LS', '\u2028'],
  ['PS', '\u2029'],
])('escapes a lone %s, with or without other non-ASCII text around it', (_name, c) => {
  const escaped = `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  expect(safeJson({ host: `a${c}b` })).toBe(`{"host":"a${escaped}b"}`);
  expect(safeJson({ host: `ü${c}字` })).toBe(`{"host":"ü${escaped}字"}`);
  expect(JSON.parse(safeJson([c]))).toEqual([c]);
});

it('leaves ASCII and harmless non-ASCII text as JSON.stringify wrote it', () => {
  for (const v of [{ a: 'plain ascii ~ "quoted" \\ \t' }, { a: 'Ünïcödé 字 😀 \u00a0' }, { a: '\ud800 lone surrogate' }, [1, null, true]]) {
    expect(safeJson(v)).toBe(JSON.stringify(v));
    expect(safeJson(v, 2)).toBe(JSON.stringify(v, null, 2));
  }
});

describe('the JSON writer streams the same bytes JSON.stringify(doc, null, 2) would print', () => {
  const records: unknown[][] = [
    [],
    [{ a: 1 }],
    [{ a: 1, nested: { list: [1, 2, { deep: 'x\ny' }], empty: [], none: {} } }, { b: 'c\u202e\u0085' }, [], 'text', 7, null],
    [{ sni: 'α.example', multi: 'line1\nline2', tab: '\t' }, {}],
  ];
  async function streamed(format: 'json', rs: unknown[], spec: Parameters<typeof createWriter>[2]) {
    const sink = new StringSink();
    const w = await createWriter<unknown>(format, sink, spec);
    for (const r of rs) w.write(r);
    w.end();
    return sink.text;
  }

  it.each(records.map((r, i) => [i, r] as const))('an array of records (case %i)', async (_i, rs) => {
    expect(await streamed('json', rs, { columns: [] })).toBe(safeJson(rs, 2) + '\n');
  });

  it.each(records.map((r, i) => [i, r] as const))('records inside an envelope after its head (case %i)', async (_i, rs) => {
    const head = { tool: 'leakscope', captures: [{ file: 'a.pcap', sha256: null }], geo: [] };
    expect(await streamed('json', rs, { columns: [], jsonEnvelope: { head: () => head, key: 'hosts' } })).toBe(safeJson({ ...head, hosts: rs }, 2) + '\n');
    expect(await streamed('json', rs, { columns: [], jsonEnvelope: { head: () => ({}), key: 'hosts' } })).toBe(safeJson({ hosts: rs }, 2) + '\n');
  });

  it.each(records.map((r, i) => [i, r] as const))('jsonSingle: one record alone is the document, any other count an array (case %i)', async (_i, rs) => {
    expect(await streamed('json', rs, { columns: [], jsonSingle: true })).toBe(safeJson(rs.length === 1 ? rs[0] : rs, 2) + '\n');
  });

  it('hands each record on as it is written instead of holding them to the end', async () => {
    const sink = new StringSink();
    const w = await createWriter<{ n: number }>('json', sink, { columns: [] });
    w.write({ n: 1 });
    w.write({ n: 2 });
    expect(sink.text).toContain('"n": 2');
    w.end();
  });
});
