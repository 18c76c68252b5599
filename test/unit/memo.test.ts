import { describe, expect, it } from 'vitest';
import { StringMemo } from '../../src/memo.js';

describe('StringMemo', () => {
  it('computes each key once while it is held, including null results', () => {
    const calls: string[] = [];
    const m = new StringMemo((k) => {
      calls.push(k);
      return k === 'none' ? null : k.length;
    });
    expect([m.get('abc'), m.get('abc'), m.get('none'), m.get('none')]).toEqual([3, 3, null, null]);
    expect(calls).toEqual(['abc', 'none']);
  });

  it('stays bounded: past its size it starts over and computes again', () => {
    let calls = 0;
    const m = new StringMemo((k) => {
      calls++;
      return k;
    }, 2);
    m.get('a');
    m.get('b');
    m.get('c'); // 'c' found the memo full: it now holds only 'c'
    m.get('c');
    expect(calls).toBe(3);
    m.get('a');
    expect(calls).toBe(4);
  });
});
