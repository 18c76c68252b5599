/**
 * `keylog inject`'s writer: the capture again as pcapng, with the given key log embedded in
 * one Decryption Secrets Block before the first packet, so that one file carries its own
 * keys (Wireshark and leakscope both read it; editcap --inject-secrets does the same).
 *
 * Every frame is re-encoded as an Enhanced Packet Block with nanosecond timestamps on its
 * interface (link type and snaplen kept); the input's own DSBs, comments and other blocks are
 * not copied.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readCapture, type ReadSummary } from '../capture/reader.js';
import { PcapngWriter } from '../capture/writer.js';
import type { Limits } from '../limits.js';

/** bytes gathered before one write() */
const FLUSH_BYTES = 1 << 20;

export async function writeCaptureWithSecrets(source: string, keyLog: string, out: string, limits: Limits): Promise<{ frames: number; read: ReadSummary }> {
  const w = new PcapngWriter();
  const fd = openSync(out, 'w');
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const put = (b: Uint8Array): void => {
    pending.push(b);
    pendingBytes += b.length;
    if (pendingBytes >= FLUSH_BYTES) flush();
  };
  const flush = (): void => {
    for (const b of pending) writeSync(fd, b);
    pending.length = 0;
    pendingBytes = 0;
  };
  let written = 0;
  let interfaces: { linkType: number; snaplen: number }[] = [];
  try {
    put(w.section());
    if (keyLog !== '') put(w.decryptionSecrets(Buffer.from(keyLog, 'utf8')));
    const read = await readCapture(
      source,
      (f) => {
        // interface ids are unique across the input's sections; the output has one section
        while (written <= f.interfaceId) {
          const i = interfaces[written]!;
          put(w.interface({ linkType: i.linkType, snaplen: i.snaplen, tsresol: 9 }));
          written++;
        }
        put(w.enhancedPacket(f.interfaceId, { tsSec: f.tsSec, tsNsec: f.tsNsec, data: f.data.slice(), origlen: f.origlen }));
      },
      {
        limits,
        sha256: false,
        onHeader: (h) => {
          interfaces = h.interfaces;
        },
      },
    );
    flush();
    return { frames: read.frames, read };
  } finally {
    closeSync(fd);
  }
}
