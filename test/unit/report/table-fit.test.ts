/** The table writer's layout and the colour decision, on their own. */
import { describe, expect, it } from 'vitest';
import { fitColumns, TableWriter } from '../../../src/report/writers/table.js';
import { decideColour, decideWidth } from '../../../src/report/presentation.js';
import { fitText, textWidth, wrapText } from '../../../src/report/text-width.js';
import { StringSink } from '../../../src/report/sink.js';
import { sampled, type Column } from '../../../src/report/columns.js';

describe('fitColumns', () => {
  const specs = [
    { header: 'Host', min: 20 },
    { header: 'Flows', drop: 1, min: 5 },
    { header: 'Bytes', drop: 2 },
    { header: 'Data', min: 20, want: 30 },
  ];
  it('keeps natural widths when they fit, or with no width', () => {
    expect(fitColumns(specs, [20, 5, 10, 30], 200)).toEqual({ shown: [0, 1, 2, 3], widths: [20, 5, 10, 30] });
    expect(fitColumns(specs, [20, 5, 10, 300], null).widths).toEqual([20, 5, 10, 300]);
  });
  it('drops columns by rank while the others cannot have their wanted width, then shrinks the one with most room', () => {
    // 4 columns: 13 of frame; 20+5+10+30 = 65 > 75-13; dropping Flows (rank 1) leaves 20+10+30 = 60 ≤ 75-10
    expect(fitColumns(specs, [20, 5, 10, 300], 75)).toEqual({ shown: [0, 2, 3], widths: [20, 10, 35] });
    const { shown, widths } = fitColumns(specs, [40, 5, 10, 300], 60);
    expect(shown).toEqual([0, 3]);
    expect(widths.reduce((a, b) => a + b, 0) + 3 * shown.length + 1).toBe(60);
    expect(widths[1]).toBeGreaterThanOrEqual(20);
  });
  it('never exceeds the width, even below the minimums', () => {
    const { shown, widths } = fitColumns(specs, [40, 5, 10, 300], 30);
    expect(widths.reduce((a, b) => a + b, 0) + 3 * shown.length + 1).toBeLessThanOrEqual(30);
  });
});

describe('text width', () => {
  it('counts wide CJK characters as two columns and cuts with …', () => {
    expect(textWidth('小米')).toBe(4);
    expect(fitText('小米小米', 5)).toBe('小米…');
    expect(textWidth(fitText('a小米小米', 6))).toBeLessThanOrEqual(6);
  });
  it('wraps prose at spaces', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  });
});

describe('a cut list says how much is missing', () => {
  it('first N then "N of M shown"; everything with --wide', () => {
    const items = Array.from({ length: 3001 }, (_, i) => `u${i}`);
    expect(sampled(items, 3, { wide: false }, 'url: ')).toEqual(['u0', 'u1', 'u2', 'url: 3 of 3,001 shown']);
    expect(sampled(items, 3, { wide: true })).toHaveLength(3001);
  });
  it('a table in 40 columns: every line fits, cut values end in …', () => {
    interface R {
      name: string;
      list: string[];
    }
    const cols: Column<R>[] = [
      { key: 'name', header: 'Name', get: (r) => r.name, min: 8 },
      { key: 'list', header: 'List', get: (r) => r.list, multiline: true },
    ];
    const sink = new StringSink({ colour: false, width: 40, wide: false });
    const w = new TableWriter<R>(sink, cols);
    w.write({ name: 'a-very-long-host-name.example.com', list: ['x'.repeat(100), 'short'] });
    w.end();
    const lines = sink.text.trimEnd().split('\n');
    expect(Math.max(...lines.map(textWidth))).toBeLessThanOrEqual(40);
    expect(sink.text).toContain('…');
    expect(sink.text).toContain('short');
  });
});

describe('colour decision (ripgrep/git)', () => {
  it.each([
    ['auto', true, {}, true],
    ['auto', false, {}, false],
    ['auto', true, { NO_COLOR: '1' }, false],
    ['auto', true, { NO_COLOR: '' }, true],
    ['auto', false, { FORCE_COLOR: '1' }, true],
    ['auto', true, { FORCE_COLOR: '0' }, false],
    ['auto', true, { TERM: 'dumb' }, false],
    ['always', false, { NO_COLOR: '1' }, true],
    ['never', true, { FORCE_COLOR: '1' }, false],
  ] as const)('--color %s, terminal %s, env %j → %s', (choice, tty, env, want) => {
    expect(decideColour(choice, tty, env)).toBe(want);
  });
  it("width: the terminal's, else COLUMNS, else none", () => {
    expect(decideWidth({ isTTY: true, columns: 97 }, {})).toBe(97);
    expect(decideWidth({ isTTY: false }, { COLUMNS: '120' })).toBe(120);
    expect(decideWidth({ isTTY: false }, {})).toBeNull();
  });
});

describe('a long table', () => {
  it('150,000 rows (more than a call takes arguments) are laid out without a RangeError', () => {
    interface R {
      n: number;
    }
    const sink = new StringSink({ colour: false, width: 80, wide: false });
    const w = new TableWriter<R>(sink, [{ key: 'n', header: 'N', get: (r) => r.n }]);
    for (let n = 0; n < 150_000; n++) w.write({ n });
    w.end();
    expect(sink.text.split('\n').length).toBeGreaterThan(150_000);
  });
});
