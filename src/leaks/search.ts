/**
 * Search terms inside URLs: the query parameter of each public search engine, and the common
 * query-like parameters of any leaked URL (a site's own `/search?q=`).
 */
import { parseForm } from '../inspect/codec.js';
import { StringMemo } from '../memo.js';

/** [host test, query parameters] */
const ENGINES: [RegExp, string[]][] = [
  [/(^|\.)google\.[a-z.]+$/, ['q', 'as_q']],
  [/(^|\.)bing\.com$/, ['q']],
  [/(^|\.)duckduckgo\.com$/, ['q']],
  [/(^|\.)baidu\.com$/, ['wd', 'word', 'kw']],
  [/(^|\.)yandex\.[a-z.]+$/, ['text']],
  [/(^|\.)ya\.ru$/, ['text']],
  [/(^|\.)yahoo\.[a-z.]+$/, ['p']],
  [/(^|\.)sogou\.com$/, ['query', 'keyword']],
  [/(^|\.)so\.com$/, ['q']],
  [/(^|\.)sm\.cn$/, ['q']],
  [/(^|\.)naver\.com$/, ['query']],
  [/(^|\.)ecosia\.org$/, ['q']],
  [/(^|\.)startpage\.com$/, ['query', 'q']],
  [/(^|\.)ask\.com$/, ['q']],
  [/(^|\.)search\.brave\.com$/, ['q']],
  [/(^|\.)qwant\.com$/, ['q']],
  [/(^|\.)seznam\.cz$/, ['q']],
];

/** Parameters read as a search in any leaked URL (the truth convention: q, wd, query, keyword). */
const GENERIC_PARAMS = new Set(['q', 'wd', 'query', 'keyword', 'search', 'search_query', 'kw']);

// asked for every request and every leaked URL, of a handful of hosts
const engineParams = new StringMemo<readonly string[] | null>((h) => {
  for (const [re, params] of ENGINES) if (re.test(h)) return params;
  return null;
});

/** The search-engine parameters of `host`, or null when it is not a known engine. */
export function searchEngineParams(host: string): readonly string[] | null {
  return engineParams.get(host.toLowerCase());
}

/** Host of an absolute URL (no port), or null. */
export function urlHost(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:@]+@)?(\[[^\]]+\]|[^/?#:]+)/i.exec(url.trim());
  return m ? m[2].toLowerCase() : null;
}

/** Search terms carried by an absolute URL (decoded: `porno+videos` → `porno videos`). */
export function searchTermsInUrl(url: string, maxFields: number): string[] {
  const host = urlHost(url);
  if (!host) return [];
  const q = url.indexOf('?');
  if (q < 0) return [];
  const hash = url.indexOf('#', q);
  const fields = parseForm(url.slice(q + 1, hash < 0 ? undefined : hash), maxFields);
  if (!fields) return [];
  const engine = searchEngineParams(host);
  const out: string[] = [];
  for (const [k, v] of fields) {
    const key = k.toLowerCase();
    if ((engine ? engine.includes(key) : GENERIC_PARAMS.has(key)) && /\p{L}/u.test(v) && !out.includes(v)) out.push(v);
  }
  return out;
}
