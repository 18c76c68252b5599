/**
 * Keys embedded in a capture: the TLS key logs of its pcapng Decryption Secrets Blocks.
 *
 * A DSB may stand anywhere: PCAPdroid and `editcap --inject-secrets` put it before the
 * packets, but a second one can follow the connections it opens (Wireshark's tls12-dsb.pcapng
 * has one after packet 9), and Wireshark, reading in order, applies keys as they come. A
 * capture named by path is therefore read once for its DSBs before it is analyzed (only
 * pcapng, plain or gzip-compressed, can hold any), so every key applies to every packet. A
 * capture read from a pipe cannot be read twice: there, keys apply from where their block
 * stands (readCapture's onSecrets during the one pass).
 */
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { readCapture } from '../capture/reader.js';
import { isGzipMagic, isPcapngMagic } from '../capture/magic.js';
import type { Limits } from '../limits.js';
import { EMBEDDED_SOURCE, type KeyStore } from './key-sources.js';

/** True when the file at `path` could hold Decryption Secrets Blocks (pcapng, or gzip of anything). */
function mayHoldSecrets(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return n >= 4 && (isPcapngMagic(head, 0) || isGzipMagic(head, 0));
  } catch {
    return false; // unreadable: the analysis pass reports it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads every TLS Decryption Secrets Block of the capture file at `path` into `store` under
 * EMBEDDED_SOURCE. Returns how many blocks were read. A capture that is damaged or not a
 * capture at all yields what was read before the damage; the analysis pass reports the rest.
 */
export async function readEmbeddedSecrets(path: string, store: KeyStore, limits: Limits, signal?: AbortSignal): Promise<number> {
  if (!mayHoldSecrets(path)) return 0;
  let blocks = 0;
  try {
    await readCapture(path, () => {}, {
      limits, sha256: false, signal,
      onSecrets: (_type, data) => {
        blocks++;
        if (data.length <= limits.maxKeyLogBytes) store.addText(Buffer.from(data).toString('utf8'), EMBEDDED_SOURCE, { lenient: true });
      },
    });
  } catch {
    // CaptureFormatError and read errors surface in the analysis pass with its own wording
  }
  return blocks;
}
