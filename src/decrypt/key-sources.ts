/**
 * The key store: secrets from every key source of a run (key log files given with
 * `--keylog`, Decryption Secrets Blocks embedded in the capture), merged per ClientHello
 * random, behind the KeyLookup the analyzers ask through. It keeps per source what the
 * report header says about it: where it came from, how many connections it held secrets
 * for, and how many of the capture's connections it opened.
 *
 * Memory: one entry per connection logged (a client random and up to seven secrets of at
 * most 48 bytes). A browser's whole key log fits; lines are capped by maxKeyLogLineBytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { KeyLookup, TlsSecrets } from './key-store.js';
import { KEYLOG_LABELS, KeyLogError, parseKeyLog, type KeyLogCounts, type SecretField } from './keylog.js';

/** The name of the key source made of the capture's own Decryption Secrets Blocks. */
export const EMBEDDED_SOURCE = 'embedded in the capture';

export interface KeySourceStats {
  /** a key log path, or EMBEDDED_SOURCE */
  name: string;
  /** SHA-256 of a key log file's bytes (null for embedded keys) */
  sha256: string | null;
  /** connections (client randoms) this source held secrets for */
  sessions: number;
  /** the capture's connections that found their secrets here */
  matched: number;
  /** of those, the ones whose traffic decrypted with them */
  opened: number;
  counts: KeyLogCounts;
  /** lenient reading: what was skipped and why */
  warnings: string[];
}

export interface KeyStoreOptions {
  lenient?: boolean;
  maxLineBytes: number;
  /** key log files larger than this are refused */
  maxFileBytes: number;
}

interface Entry extends TlsSecrets {
  /** fields filled from a QUIC_* alias: a standard label may still replace them */
  legacyFields?: SecretField[];
  matched?: boolean;
  opened?: boolean;
}

function emptyCounts(): KeyLogCounts {
  return { lines: 0, used: 0, legacyQuic: 0, unused: 0, unknown: 0, malformed: 0, trailing: 0 };
}

export class KeyStore implements KeyLookup {
  private readonly entries = new Map<string, Entry>();
  private readonly stats = new Map<string, KeySourceStats>();

  constructor(private readonly opts: KeyStoreOptions) {}

  /** No source held any secret. */
  get empty(): boolean {
    return this.entries.size === 0;
  }

  /**
   * Reads a key log file (its SHA-256 is kept for the report). Throws KeyLogError for a
   * malformed line (not when lenient) and for a file that cannot be read.
   */
  addFile(path: string): KeySourceStats {
    let bytes: Buffer;
    try {
      const size = statSync(path).size;
      if (size > this.opts.maxFileBytes) {
        throw new KeyLogError(path, 0, `a key log of at most ${this.opts.maxFileBytes} bytes (limit maxKeyLogBytes)`, `${size} bytes`);
      }
      bytes = readFileSync(path);
    } catch (err) {
      if (err instanceof KeyLogError) throw err;
      const code = (err as NodeJS.ErrnoException)?.code;
      const why = code === 'ENOENT' ? 'no such file (ENOENT)' : code === 'EISDIR' ? 'a directory' : err instanceof Error ? err.message : String(err);
      throw new KeyLogError(path, 0, 'a readable key log file', why);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return this.addText(bytes.toString('utf8'), path, { sha256 });
  }

  /**
   * Adds key log text from `source` (a second call with the same source adds to it: a capture
   * can hold several Decryption Secrets Blocks). `lenient` overrides the store's setting: keys
   * embedded in a capture are read leniently, since refusing the evidence helps nobody; their
   * skipped lines are counted and reported.
   */
  addText(text: string, source: string, opts: { sha256?: string | null; lenient?: boolean } = {}): KeySourceStats {
    const sha256 = opts.sha256 ?? null;
    let stats = this.stats.get(source);
    if (stats === undefined) {
      stats = { name: source, sha256, sessions: 0, matched: 0, opened: 0, counts: emptyCounts(), warnings: [] };
      this.stats.set(source, stats);
    }
    const s = stats;
    const { counts, warnings } = parseKeyLog(text, source, { lenient: opts.lenient ?? this.opts.lenient, maxLineBytes: this.opts.maxLineBytes }, (e) => {
      const key = e.clientRandom.toString('hex');
      let entry = this.entries.get(key);
      if (entry === undefined) {
        entry = { source };
        this.entries.set(key, entry);
        s.sessions++;
      }
      const present = entry[e.field];
      if (present === undefined) {
        entry[e.field] = e.secret;
        if (e.legacy) (entry.legacyFields ??= []).push(e.field);
      } else if (!e.legacy && entry.legacyFields?.includes(e.field)) {
        // the standard label wins over a draft-era alias
        entry[e.field] = e.secret;
        entry.legacyFields = entry.legacyFields.filter((f) => f !== e.field);
      }
    });
    for (const k of Object.keys(counts) as (keyof KeyLogCounts)[]) s.counts[k] += counts[k];
    for (const w of warnings) if (s.warnings.length < 100) s.warnings.push(w);
    return s;
  }

  /** KeyLookup: the secrets logged for a ClientHello random; counts the match for the source. */
  lookup(clientRandom: Uint8Array): TlsSecrets | undefined {
    const entry = this.entries.get(Buffer.from(clientRandom.buffer, clientRandom.byteOffset, clientRandom.byteLength).toString('hex'));
    if (entry === undefined) return undefined;
    if (!entry.matched) {
      entry.matched = true;
      this.stats.get(entry.source)!.matched++;
    }
    return entry;
  }

  /** The connection these secrets belong to decrypted: counted once per connection for its source. */
  opened(secrets: TlsSecrets): void {
    const entry = secrets as Entry;
    if (entry.opened) return;
    entry.opened = true;
    const s = this.stats.get(entry.source);
    if (s !== undefined) s.opened++;
  }

  /**
   * Key log text (RFC 9850) of the connections that asked for their secrets, every label
   * logged for them: what `keylog inject` embeds, so that a capture carries only its own keys.
   */
  matchedKeyLog(): string {
    const lines: string[] = [];
    for (const [random, entry] of this.entries) {
      if (!entry.matched) continue;
      for (const [label, field] of Object.entries(KEYLOG_LABELS)) {
        const secret = entry[field];
        if (secret !== undefined) lines.push(`${label} ${random} ${secret.toString('hex')}`);
      }
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  /** Every source in the order added. */
  sources(): KeySourceStats[] {
    return [...this.stats.values()];
  }
}

/**
 * The keys one capture is analyzed with: the run's key log files (shared by every capture of
 * a run) and the capture's own Decryption Secrets Blocks. A file's secrets are looked up
 * first; the embedded ones fill in for connections no file knows.
 */
export class CaptureKeys implements KeyLookup {
  readonly embedded: KeyStore;

  constructor(
    readonly files: KeyStore | undefined,
    opts: KeyStoreOptions,
    /** the capture is read from a stream: its DSBs are added while it is read */
    readonly streamed = false,
  ) {
    this.embedded = new KeyStore(opts);
  }

  /** No source holds any secret (yet: a capture read from a pipe may bring its own later). */
  get empty(): boolean {
    return (this.files === undefined || this.files.empty) && this.embedded.empty;
  }

  lookup(clientRandom: Uint8Array): TlsSecrets | undefined {
    return this.files?.lookup(clientRandom) ?? this.embedded.lookup(clientRandom);
  }

  opened(secrets: TlsSecrets): void {
    (secrets.source === EMBEDDED_SOURCE ? this.embedded : this.files)?.opened(secrets);
  }

  /** Every source, files first; the embedded one only when the capture held a DSB. */
  sources(): KeySourceStats[] {
    return [...(this.files?.sources() ?? []), ...this.embedded.sources()];
  }

  /** key log text of the connections that asked for their secrets, from every source */
  matchedKeyLog(): string {
    return (this.files?.matchedKeyLog() ?? '') + this.embedded.matchedKeyLog();
  }
}
