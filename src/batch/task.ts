/**
 * The work of one batch item, the same in a worker thread and in the calling thread: analyse a
 * capture file alone, or every capture member of a tar archive one after the other, and hand
 * each capture's result set on as soon as it is known.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { analyzeCaptures, type AnalyzeOptions } from '../engine/analyze.js';
import { KeyStore } from '../decrypt/key-sources.js';
import { resolveLimits, type Limits } from '../limits.js';
import { SignatureDb, bundledPacks, loadPackFile } from '../signatures/db.js';
import type { Identifier } from '../leaks/detect.js';
import { NULL_GEO, openGeo } from '../../geo/lookup.js';
import { isGzipMagic } from '../capture/magic.js';
import { errorRecord, resultSetFrom, type CaptureResultSet } from './records.js';
import { TarFormatError, tarEntries } from './tar.js';
import type { BatchItem } from './inputs.js';
import type { ExperimentWindow } from '../engine/windows.js';

/** Everything a worker needs to analyse like `analyze` would; plain data (crosses threads). */
export interface BatchConfig {
  limits: Limits;
  /** extra signature packs (--signatures); the bundled packs are always loaded */
  signatureFiles: string[];
  geo: { enabled: boolean; cityDb?: string; asnDb?: string };
  identifiers: Identifier[];
  allHosts: boolean;
  vendor?: string;
  /** one salt for the whole batch, so redacted values still link captures */
  redactSalt?: string;
  /** experiment windows (--window); offsets count from each capture's first packet */
  windows?: ExperimentWindow[];
  /** key log files (--keylog), read once per worker; keys embedded in each capture are used too */
  keylogFiles?: string[];
  keylogLenient?: boolean;
}

export function defaultBatchConfig(overrides: Partial<BatchConfig> = {}): BatchConfig {
  return { limits: resolveLimits(), signatureFiles: [], geo: { enabled: true }, identifiers: [], allHosts: false, ...overrides };
}

/** Signature and geo databases opened once per thread and reused for every capture. */
export interface BatchEnv {
  config: BatchConfig;
  analyze: AnalyzeOptions;
}

export function openBatchEnv(config: BatchConfig): BatchEnv {
  const signatures =
    config.signatureFiles.length === 0
      ? SignatureDb.bundled()
      : SignatureDb.fromPacks([...bundledPacks(), ...config.signatureFiles.map((f) => loadPackFile(f))]);
  const geo = config.geo.enabled ? openGeo({ cityDb: config.geo.cityDb, asnDb: config.geo.asnDb }) : NULL_GEO;
  return {
    config,
    analyze: {
      limits: config.limits,
      signatures,
      geo,
      identifiers: config.identifiers,
      allHosts: config.allHosts,
      vendor: config.vendor,
      redact: config.redactSalt !== undefined ? { salt: config.redactSalt } : undefined,
      windows: config.windows,
      keyStore: keyStoreOf(config),
    },
  };
}

/** The key log files in one store per thread (the command checked them before starting workers). */
function keyStoreOf(config: BatchConfig): KeyStore | undefined {
  if (!config.keylogFiles?.length) return undefined;
  const store = new KeyStore({ lenient: config.keylogLenient, maxLineBytes: config.limits.maxKeyLogLineBytes, maxFileBytes: config.limits.maxKeyLogBytes });
  for (const f of config.keylogFiles) store.addFile(f);
  return store;
}

/** Resume: captures already in the output file, by name → SHA-256; equal ones are skipped. */
export type DoneCaptures = ReadonlyMap<string, string>;

export interface TaskEvents {
  /** a capture's records (or its error) */
  result(set: CaptureResultSet): void;
  /** a capture left out because the output already holds it with the same SHA-256 */
  skipped(name: string): void;
  /** raw bytes of the item read so far (for progress) */
  progress(bytes: number): void;
}

/** Analyses one item; never throws for bad input (that becomes an error record). */
export async function runItem(item: BatchItem, env: BatchEnv, done: DoneCaptures, events: TaskEvents): Promise<void> {
  try {
    if (item.kind === 'archive') await runArchive(item, env, done, events);
    else await runCapture(item.path, item.path, env, done, events);
  } catch (err) {
    // an I/O failure of this item must not cost the others
    events.result({ capture: errorRecord(item.path, `${item.path}: ${messageOf(err)}`), hosts: [] });
  }
}

async function runCapture(name: string, source: string | NodeJS.ReadableStream, env: BatchEnv, done: DoneCaptures, events: TaskEvents): Promise<void> {
  const previous = done.get(name);
  if (previous !== undefined && typeof source === 'string' && (await fileSha256(source).catch(() => null)) === previous) {
    events.skipped(name);
    return;
  }
  const result = await analyzeCaptures([{ name, source }], {
    ...env.analyze,
    onProgress: typeof source === 'string' ? (_f, bytes) => events.progress(bytes) : undefined,
  });
  const set = resultSetFrom(name, result);
  // archive members cannot be hashed before they are read: an unchanged one is dropped here
  if (previous !== undefined && set.capture.type === 'capture' && set.capture.sha256 === previous) {
    events.skipped(name);
    return;
  }
  events.result(set);
}

async function runArchive(item: BatchItem, env: BatchEnv, done: DoneCaptures, events: TaskEvents): Promise<void> {
  const file = createReadStream(item.path, { highWaterMark: 256 * 1024 });
  let rawBytes = 0;
  file.on('data', (chunk) => {
    rawBytes += chunk.length;
    events.progress(rawBytes);
  });
  const bytes = await gunzipIfNeeded(file);
  let members = 0;
  try {
    for await (const entry of tarEntries(bytes, { maxMetaBytes: env.config.limits.maxTarMetaBytes })) {
      members++;
      const name = `${item.path}:${entry.path}`;
      try {
        await runCapture(name, entry.stream, env, done, events);
      } catch (err) {
        // a failure inside one member is that member's; the archive goes on
        events.result({ capture: errorRecord(name, `${name}: ${messageOf(err)}`), hosts: [] });
      }
    }
  } catch (err) {
    const where = members > 0 ? ` (after ${members} member${members === 1 ? '' : 's'})` : '';
    events.result({ capture: errorRecord(item.path, `${item.path}: ${messageOf(err)}${where}`), hosts: [] });
  } finally {
    file.destroy();
  }
}

/** The archive's bytes, inflated when it starts with the gzip magic (.tar.gz, .tgz). */
async function gunzipIfNeeded(file: Readable): Promise<AsyncIterable<Uint8Array>> {
  const it = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  const head: Buffer[] = first.done ? [] : [first.value];
  const all = Readable.from(
    (async function* () {
      yield* head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    })(),
    { objectMode: false },
  );
  if (head.length === 0 || !isGzipMagic(head[0])) return all;
  const gunzip = createGunzip();
  all.on('error', (err) => gunzip.destroy(err));
  return all.pipe(gunzip);
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What went wrong, without the item's name (the caller prefixes it). */
function messageOf(err: unknown): string {
  if (err instanceof TarFormatError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EISDIR') return 'is a directory';
  if (e?.code === 'ENOENT') return 'cannot read: no such file (ENOENT)';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `cannot read: permission denied (${e.code})`;
  if (e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR') return `gzip data is damaged: ${e.message}`;
  return e instanceof Error ? e.message : String(err);
}
