/**
 * From what the user named (files, directories, globs, a list on standard input) to the sorted,
 * deduplicated list of work items: a capture file, or a tar archive whose members are captures.
 *
 * Rules: a named file is always taken (a tar name makes it an archive); a named directory is
 * walked recursively, taking files whose names look like captures or archives; inside a walk, a
 * directory whose name looks like a capture (`x.pcap/`) is taken too, so it is reported as an
 * error rather than silently entered. A path that does not exist is still an item: it becomes an
 * error record naming it, like any other unreadable input.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareNames, expandGlob, hasGlobMagic } from './glob.js';

export interface BatchItem {
  kind: 'capture' | 'archive';
  /** the path as the user (or the walk) named it; also the capture's name in records */
  path: string;
  /** bytes on disk (0 when unknown), for progress */
  size: number;
}

export const CAPTURE_NAME = /\.(pcap|pcapng|cap|dmp)(\.gz)?$/i;
export const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz)$/i;

export interface ResolvedInputs {
  items: BatchItem[];
  /** globs that matched nothing (the caller reports them) */
  unmatched: string[];
}

/**
 * Resolves arguments (globs expanded) and literal paths (from --from-stdin: never expanded,
 * since file names may contain `[`).
 */
export async function resolveInputs(args: readonly string[], literalPaths: readonly string[] = []): Promise<ResolvedInputs> {
  const byKey = new Map<string, BatchItem>();
  const unmatched: string[] = [];
  const addItem = (item: BatchItem): void => {
    const key = path.resolve(item.path);
    if (!byKey.has(key)) byKey.set(key, item);
  };

  const addNamed = async (p: string): Promise<void> => {
    let st;
    try {
      st = await stat(p);
    } catch {
      addItem({ kind: 'capture', path: p, size: 0 }); // reported as unreadable when processed
      return;
    }
    if (st.isDirectory()) await walk(p, addItem);
    else addItem({ kind: ARCHIVE_NAME.test(p) ? 'archive' : 'capture', path: p, size: st.size });
  };

  for (const arg of args) {
    if (hasGlobMagic(arg)) {
      const matches = await expandGlob(arg);
      if (matches.length === 0) unmatched.push(arg);
      for (const m of matches) await addNamed(m);
    } else {
      await addNamed(arg);
    }
  }
  for (const p of literalPaths) await addNamed(p);

  const items = [...byKey.values()].sort((a, b) => compareNames(a.path, b.path));
  return { items, unmatched };
}

async function walk(dir: string, add: (item: BatchItem) => void): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    add({ kind: 'capture', path: dir, size: 0 }); // an unreadable directory is reported, not skipped
    return;
  }
  entries.sort((a, b) => compareNames(a.name, b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const captureLike = CAPTURE_NAME.test(e.name);
    const archiveLike = ARCHIVE_NAME.test(e.name);
    if (e.isDirectory()) {
      if (captureLike) add({ kind: 'capture', path: p, size: 0 });
      else await walk(p, add);
    } else if (captureLike || archiveLike) {
      let size = 0;
      try {
        size = (await stat(p)).size;
      } catch {
        // a dangling link: still an item, reported as unreadable
        size = (await lstat(p).catch(() => null))?.size ?? 0;
      }
      add({ kind: archiveLike ? 'archive' : 'capture', path: p, size });
    }
    // other files (notes, checksums, logs) are not captures and are left alone
  }
}

/** `K/N` → {index, count}; shards are numbered from 0 like Kubernetes' JOB_COMPLETION_INDEX. */
/**
 * `--shard K/N`, K counted from 1 as Jest and Playwright count (`1/2` and `2/2`); `index` is
 * K - 1, the remainder selectShard keeps.
 */
export function parseShard(spec: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) throw new RangeError(`--shard expects K/N (e.g. 1/4), got "${spec}"`);
  const k = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new RangeError(`--shard ${spec}: N must be at least 1`);
  if (k < 1 || k > count) throw new RangeError(`--shard ${spec}: K must be 1 to ${count} (shards are numbered from 1)`);
  return { index: k - 1, count };
}

/** 32-bit FNV-1a of the UTF-16 code units: tiny, stable across machines and Node versions. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The items of shard `index` of `count`: chosen by a hash of the path, so a file keeps its shard
 * when others are added to or removed from the archive (resumed shards stay valid).
 */
export function selectShard<T extends { path: string }>(items: readonly T[], shard: { index: number; count: number }): T[] {
  if (shard.count === 1) return [...items];
  return items.filter((it) => fnv1a(it.path) % shard.count === shard.index);
}

/**
 * The items without repeated content: capture files of the same size are hashed (SHA-256) and
 * only the first (in path order) of each content is kept, so one capture given twice (a copy,
 * a second path to it) is analysed once. Files of a size no other input has are not read here.
 */
export async function dropDuplicateContent(items: readonly BatchItem[]): Promise<{ items: BatchItem[]; duplicates: { path: string; sameAs: string }[] }> {
  const bySize = new Map<number, BatchItem[]>();
  for (const it of items) {
    if (it.kind !== 'capture' || it.size === 0) continue;
    const group = bySize.get(it.size);
    if (group) group.push(it);
    else bySize.set(it.size, [it]);
  }
  const dropped = new Map<BatchItem, string>();
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    const firstOf = new Map<string, string>();
    for (const it of group) {
      const sha = await sha256OfFile(it.path).catch(() => null); // unreadable: reported when processed
      if (sha === null) continue;
      const first = firstOf.get(sha);
      if (first === undefined) firstOf.set(sha, it.path);
      else dropped.set(it, first);
    }
  }
  return {
    items: items.filter((it) => !dropped.has(it)),
    duplicates: [...dropped].map(([it, sameAs]) => ({ path: it.path, sameAs })),
  };
}

async function sha256OfFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
