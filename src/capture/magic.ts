/**
 * Capture magic numbers, and a short description of what a file that is not a capture
 * looks like, so the error message can say "a zip archive" rather than only "bad magic".
 */

/** classic pcap, microsecond timestamps, as read in the file's own byte order */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** classic pcap, nanosecond timestamps */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** pcapng section header block type (a palindrome: the same in both byte orders) */
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export interface PcapMagic {
  littleEndian: boolean;
  nanosecond: boolean;
}

/** Classic pcap magic at b[off..off+4), or null. */
export function pcapMagic(b: Uint8Array, off: number): PcapMagic | null {
  const be = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  const le = ((b[off + 3] << 24) | (b[off + 2] << 16) | (b[off + 1] << 8) | b[off]) >>> 0;
  if (be === PCAP_MAGIC_US) return { littleEndian: false, nanosecond: false };
  if (le === PCAP_MAGIC_US) return { littleEndian: true, nanosecond: false };
  if (be === PCAP_MAGIC_NS) return { littleEndian: false, nanosecond: true };
  if (le === PCAP_MAGIC_NS) return { littleEndian: true, nanosecond: true };
  return null;
}

export function isPcapngMagic(b: Uint8Array, off: number): boolean {
  return b[off] === 0x0a && b[off + 1] === 0x0d && b[off + 2] === 0x0d && b[off + 3] === 0x0a;
}

export function isGzipMagic(b: Uint8Array, off = 0): boolean {
  return b.length - off >= 2 && b[off] === 0x1f && b[off + 1] === 0x8b;
}

/** How many leading bytes describeNonCapture looks at (a tar header's "ustar" is at 257). */
export const SNIFF_BYTES = 512;

const SIGNATURES: ReadonlyArray<readonly [number[], string]> = [
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive'],
  [[0x50, 0x4b, 0x05, 0x06], 'an empty zip archive'],
  [[0x1f, 0x8b], 'gzip data'],
  [[0x42, 0x5a, 0x68], 'bzip2 data'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz data'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd data'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-zip archive'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x7f, 0x45, 0x4c, 0x46], 'an ELF executable'],
  [[0x4d, 0x5a], 'a Windows executable'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0xa1, 0xb2, 0xcd, 0x34], 'a Kuznetsov-patched pcap (not supported)'],
  [[0x34, 0xcd, 0xb2, 0xa1], 'a Kuznetsov-patched pcap (not supported)'],
  [[0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00], 'a Sun snoop capture (not supported)'],
  [[0x47, 0x4d, 0x42, 0x55], 'a Microsoft Network Monitor capture (not supported)'],
  [[0x58, 0x43, 0x50, 0x00], 'a Windows Sniffer capture (not supported)'],
];

function startsWith(b: Uint8Array, sig: readonly number[]): boolean {
  if (b.length < sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[i] !== sig[i]) return false;
  return true;
}

function isTar(b: Uint8Array): boolean {
  // POSIX and GNU tar headers carry "ustar" at offset 257
  return b.length >= 262 && b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72;
}

function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, SNIFF_BYTES);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
    // bytes ≥ 0x80 are allowed so UTF-8 text still counts as text
    if (c < 0x20 || c === 0x7f) return false;
  }
  return n > 0;
}

/** What kind of file `head` (its first bytes) is, in a few words, or null when unknown. */
export function fileKind(head: Uint8Array): string | null {
  for (const [sig, kind] of SIGNATURES) if (startsWith(head, sig)) return kind;
  if (isTar(head)) return 'a tar archive';
  if (isText(head)) {
    const start = new TextDecoder().decode(head.subarray(0, 64)).trimStart().toLowerCase();
    if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'an HTML document';
    if (start.startsWith('<?xml')) return 'an XML document';
    if (start.startsWith('{') || start.startsWith('[')) return 'text (JSON?)';
    return 'a text file';
  }
  return null;
}

/** "50 4b 03 04 (a zip archive)": the first bytes in hex and, when recognised, their kind. */
export function describeHead(head: Uint8Array): string {
  const hex = Array.from(head.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  const kind = fileKind(head);
  return kind ? `${hex} (${kind})` : hex;
}
