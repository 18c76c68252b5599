/**
 * --keylog and --keylog-lenient, shared by every command that reads captures: the key log
 * files are read once per run (a malformed line is a usage error naming file and line, exit
 * 2, unless lenient); keys embedded in a pcapng capture are used as well, per capture.
 */
import { Flags } from '@oclif/core';
import { KeyLogError } from '../src/decrypt/keylog.js';
import { KeyStore } from '../src/decrypt/key-sources.js';
import { UserError } from '../src/errors.js';
import type { Limits } from '../src/limits.js';

export const KEY_FLAGS = {
  keylog: Flags.string({
    multiple: true,
    multipleNonGreedy: true,
    summary: 'a TLS key log (SSLKEYLOGFILE, NSS format) to decrypt TLS and QUIC with; keys embedded in a pcapng capture are used too',
    helpGroup: 'DECRYPTION',
  }),
  'keylog-lenient': Flags.boolean({ summary: 'skip malformed key log lines with a warning instead of stopping', helpGroup: 'DECRYPTION' }),
};

export interface KeyFlags {
  keylog?: string[];
  'keylog-lenient'?: boolean;
  quiet?: boolean;
}

/** The run's key log files in one store (empty when none were given). Exits 2 on a malformed line. */
export function keyStoreFromFlags(flags: KeyFlags, limits: Limits): KeyStore {
  const store = new KeyStore({ lenient: flags['keylog-lenient'], maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes });
  for (const file of flags.keylog ?? []) {
    try {
      const stats = store.addFile(file);
      if (!flags.quiet) for (const w of stats.warnings) process.stderr.write(`leakscope: ${w}\n`);
    } catch (err) {
      if (err instanceof KeyLogError) {
        throw new UserError(
          err.line === 0 ? `--keylog ${err.file}: expected ${err.expected}, found ${err.found}` : err.message,
          2,
          err.line === 0 ? [] : ['--keylog-lenient to skip malformed lines with a warning'],
        );
      }
      throw err;
    }
  }
  return store;
}
