/**
 * A FrameSink that writes a classic pcap file (µs, little-endian, Ethernet) through
 * PcapWriter, buffering writes so generating hundreds of megabytes stays fast.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter, type PcapWriterOptions } from '../../src/capture/writer.js';
import type { FrameSink } from './session.js';

const FLUSH_BYTES = 4 * 1024 * 1024;

export class PcapFileSink implements FrameSink {
  /** bytes written so far, header included */
  bytes = 0;
  frames = 0;
  private readonly fd: number;
  private readonly writer: PcapWriter;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(path: string, opts: PcapWriterOptions = {}) {
    this.fd = openSync(path, 'w');
    this.writer = new PcapWriter(opts);
    this.push(this.writer.header());
  }

  write(tsSec: number, tsNsec: number, frame: Uint8Array): void {
    this.push(this.writer.packet({ tsSec, tsNsec, data: frame }));
    this.frames++;
  }

  private push(b: Uint8Array): void {
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.bytes += b.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    writeSync(this.fd, Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Opens OUT, lets `fill` write frames into it, closes it. */
export async function writePcapFile(
  path: string,
  fill: (sink: PcapFileSink) => void | Promise<void>,
  opts: PcapWriterOptions = {},
): Promise<{ bytes: number; frames: number }> {
  const sink = new PcapFileSink(path, opts);
  try {
    await fill(sink);
  } finally {
    sink.close();
  }
  return { bytes: sink.bytes, frames: sink.frames };
}
