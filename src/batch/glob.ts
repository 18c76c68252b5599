/**
 * Shell-style globs for batch inputs (Node 20 has no fs.glob): `*` and `?` within one path
 * segment, `[abc]`, `[a-z]`, `[!x]` character classes, `**` for any number of directories, and
 * `\` to escape. As in a shell, wildcards do not match a leading dot, and the paths returned
 * keep the pattern's own prefix (`caps/*.pcap` → `caps/a.pcap`).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Whether `s` has an unescaped wildcard (otherwise it is a literal path). */
export function hasGlobMagic(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** The regular expression of one segment (no `/` in it, not `**`). */
function segmentSource(seg: string): string {
  let re = '';
  // wildcards never match a leading dot (`*` does not find `.hidden`)
  if (seg.length > 0 && (seg[0] === '*' || seg[0] === '?' || seg[0] === '[')) re += '(?!\\.)';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) {
      re += seg[++i].replace(REGEX_SPECIAL, '\\$&');
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const cls = parseClass(seg, i);
      if (cls) {
        re += cls.source;
        i = cls.end;
      } else {
        re += '\\[';
      }
    } else {
      re += c.replace(REGEX_SPECIAL, '\\$&');
    }
  }
  return re;
}

/** `[...]` starting at seg[start]: its regex and the index of the closing `]`, or null when unclosed. */
function parseClass(seg: string, start: number): { source: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (seg[i] === '!' || seg[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  // a `]` right after the opening bracket is a literal member
  if (seg[i] === ']') {
    body += '\\]';
    i++;
  }
  for (; i < seg.length; i++) {
    const c = seg[i];
    if (c === ']') return { source: `[${negate ? '^/' : ''}${body}]`, end: i };
    if (c === '\\' && i + 1 < seg.length) body += '\\' + seg[++i];
    else if (c === '-') body += '-';
    else body += c.replace(/[\\\]^[]/g, '\\$&');
  }
  return null;
}

/** Compiles a glob over `/`-separated relative paths into an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const segs = pattern.split('/');
  let re = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === '**') {
      // zero or more directories; a trailing ** also matches the files in them
      re += last ? '(?:(?!\\.)[^/]+/)*(?!\\.)[^/]+' : '(?:(?!\\.)[^/]+/)*';
      continue;
    }
    re += segmentSource(seg) + (last ? '' : '/');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The paths (files and directories) matching `pattern`, sorted. Walks only from the pattern's
 * literal leading directories, and only as deep as the pattern can reach. Symbolic links to
 * directories are not followed by `**` (no loops); unreadable directories are skipped.
 */
export async function expandGlob(pattern: string): Promise<string[]> {
  const posix = pattern.split(path.sep).join('/');
  const segs = posix.split('/');
  let firstMagic = segs.findIndex((s) => hasGlobMagic(s));
  if (firstMagic < 0) firstMagic = segs.length; // no wildcard: callers treat it as a path
  const baseSegs = segs.slice(0, firstMagic);
  const rest = segs.slice(firstMagic);
  if (rest.length === 0) return [];
  const absolute = posix.startsWith('/');
  const baseDir = baseSegs.length === 0 ? '.' : baseSegs.join('/') || '/';
  const re = globToRegExp(rest.join('/'));
  const maxDepth = rest.includes('**') ? Infinity : rest.length;
  const found: string[] = [];

  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable or vanished: nothing matches below it
    }
    for (const e of entries) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (re.test(relPath)) found.push(baseSegs.length === 0 ? relPath : `${absolute && baseDir === '/' ? '' : baseDir}/${relPath}`);
      if (e.isDirectory() && depth + 1 < maxDepth) await walk(path.join(dir, e.name), relPath, depth + 1);
    }
  };
  await walk(baseDir, '', 0);
  return found.sort(compareNames);
}

/** Code-unit order: the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
