/**
 * HTML built from tagged templates that escape every interpolated value: captured text (hosts,
 * URLs, SNI, leaked values) can never become markup. Only `Html` values — markup this module
 * built — pass through unescaped; arrays are joined; null, undefined and false print nothing.
 */
import { escapeControl } from '../escape.js';

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Fragment = Html | string | number | boolean | null | undefined | readonly Fragment[];

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text safe in element content and in quoted attribute values. Control characters and bidi
 * overrides are shown as escapes (`\x1b`, `\u202e`) so they cannot hide or reorder what is read.
 */
export function escapeHtml(s: string): string {
  return escapeControl(s).replace(/[&<>"']/g, (c) => ENTITY[c]);
}

function render(f: Fragment): string {
  if (f === null || f === undefined || f === false) return '';
  if (f instanceof Html) return f.text;
  if (Array.isArray(f)) return f.map(render).join('');
  return escapeHtml(String(f));
}

export function html(strings: TemplateStringsArray, ...values: Fragment[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup this module wrote itself (never captured text). */
export function trusted(text: string): Html {
  return new Html(text);
}

export function join(parts: readonly Fragment[], sep: Fragment = ''): Html {
  const s = render(sep);
  return new Html(parts.map(render).join(s));
}
