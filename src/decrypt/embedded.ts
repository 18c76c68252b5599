/**
 * Keys embedded in a capture: the TLS key logs of its pcapng Decryption Secrets Blocks.
 *
 * A DSB may stand anywhere: PCAPdroid and `editcap --inject-secrets` put it before the
 * packets, but a second one can follow the connections it opens (Wireshark's tls12-dsb.pcapng
 * has one after packet 9), and Wireshark, reading in order, applies keys as they come. A
 * capture named by path is therefore read once for its DSBs before it is analyzed (only
 * pcapng, plain or gzip-compressed, can hold any), so every key applies to every packet. A
 * capture read from a pipe cannot be read twice: there, keys apply from where their block
 * stands (readCapture's onSecrets during the one pass). An uncompressed pcapng is walked by
 * block lengths only, about the cost of reading the file from the page cache.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { readCapture } from '../capture/reader.js';
import { isGzipMagic, isPcapngMagic } from '../capture/magic.js';
import type { Limits } from '../limits.js';
import { EMBEDDED_SOURCE, type KeyStore } from './key-sources.js';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_DSB = 0x0000000a;
const SECRETS_TYPE_TLS = 0x544c534b;
const WALK_CHUNK_BYTES = 1 << 20;

/** 'pcapng', 'gzip' (of anything: the reader inflates it), or null (no DSB can be inside) */
function kindOf(path: string): 'pcapng' | 'gzip' | null {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return null;
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n < 4) return null;
    return isPcapngMagic(head, 0) ? 'pcapng' : isGzipMagic(head, 0) ? 'gzip' : null;
  } catch {
    return null; // unreadable: the analysis pass reports it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * An uncompressed pcapng file's blocks walked by their length fields alone (packets are not
 * decoded), the TLS key logs of its DSBs handed to `onSecrets`. Stops quietly at the first
 * impossible length: the analysis pass reports the damage.
 */
function walkPcapng(path: string, maxBlockBytes: number, onSecrets: (text: Uint8Array) => void): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(WALK_CHUNK_BYTES);
    let chunkStart = 0,
      chunkLen = 0;
    let le = true;
    let blocks = 0;
    let off = 0;
    const header = Buffer.allocUnsafe(12);
    const read12 = (at: number): boolean => {
      if (at < chunkStart || at + 12 > chunkStart + chunkLen) {
        chunkStart = at;
        chunkLen = readSync(fd, chunk, 0, WALK_CHUNK_BYTES, at);
        if (chunkLen < 12) return false;
      }
      chunk.copy(header, 0, at - chunkStart, at - chunkStart + 12);
      return true;
    };
    while (off + 12 <= size && read12(off)) {
      if (header.readUInt32LE(0) === BLOCK_SHB) {
        const magic = header.readUInt32LE(8);
        if (magic === 0x1a2b3c4d) le = true;
        else if (magic === 0x4d3c2b1a) le = false;
        else return blocks;
      }
      const type = le ? header.readUInt32LE(0) : header.readUInt32BE(0);
      const len = le ? header.readUInt32LE(4) : header.readUInt32BE(4);
      if (len < 12 || len % 4 !== 0 || len > maxBlockBytes || off + len > size) return blocks;
      if (type === BLOCK_DSB && len >= 20) {
        const block = Buffer.allocUnsafe(len);
        if (readSync(fd, block, 0, len, off) !== len) return blocks;
        const secretsType = le ? block.readUInt32LE(8) : block.readUInt32BE(8);
        const secretsLen = le ? block.readUInt32LE(12) : block.readUInt32BE(12);
        if (secretsType === SECRETS_TYPE_TLS && secretsLen <= len - 20) {
          blocks++;
          onSecrets(block.subarray(16, 16 + secretsLen));
        }
      }
      off += len;
    }
    return blocks;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads every TLS Decryption Secrets Block of the capture file at `path` into `store` under
 * EMBEDDED_SOURCE (leniently: skipped lines are counted in the source's warnings). Returns how
 * many blocks were read. An uncompressed pcapng is walked block by block without decoding a
 * packet; a gzip-compressed file is inflated and parsed. A capture that is damaged or not a
 * capture at all yields what was read before the damage: the analysis pass reports the rest.
 */
export async function readEmbeddedSecrets(path: string, store: KeyStore, limits: Limits, signal?: AbortSignal): Promise<number> {
  const kind = kindOf(path);
  if (kind === null) return 0;
  const add = (data: Uint8Array): void => {
    if (data.length <= limits.maxKeyLogBytes) store.addText(Buffer.from(data).toString('utf8'), EMBEDDED_SOURCE, { lenient: true });
  };
  if (kind === 'pcapng') {
    try {
      return walkPcapng(path, limits.maxBlockBytes, add);
    } catch {
      return 0; // unreadable: the analysis pass says so
    }
  }
  let blocks = 0;
  try {
    await readCapture(path, () => {}, {
      limits,
      sha256: false,
      signal,
      onSecrets: (_type, data) => {
        blocks++;
        add(data);
      },
    });
  } catch {
    // CaptureFormatError and read errors surface in the analysis pass with its own wording
  }
  return blocks;
}
