/**
 * `leakscope streams --dump DIR`: each TCP direction's reassembled bytes in its own file, named
 * and laid out the way tcpflow 1.6 does it, so the files can be compared byte for byte:
 *
 * - name `SRC.SPORT-DST.DPORT` (tcpflow's default template `%A.%a-%B.%b%C%c`): IPv4 as four
 *   zero-padded octets (`127.000.000.001`), IPv6 as inet_ntop prints it (`2001:db8::1`), ports
 *   as five digits; when the name is taken (port reuse, or an earlier run into the same
 *   directory) `c1`, `c2`… is appended, as tcpflow does;
 * - byte 0 of a file is the first byte after the SYN (or the first byte seen when the SYN was
 *   not captured); a gap leaves its missed bytes as a hole (zeros when read) because tcpflow
 *   writes each segment at its offset from the ISN; a file is created at the first byte;
 * - UDP is not dumped (tcpflow's default).
 *
 * Known difference: where segments overlap with different bytes leakscope keeps the first
 * arrived, tcpflow the last written (both are reported by leakscope as tcp_overlap_conflict).
 * VLAN ids (tcpflow's `--VLAN` suffix) are not part of the name.
 *
 * Names are built from formatted addresses and numbers only, and are checked again so that
 * they can never leave DIR: no `/`, `\`, NUL, and no name made only of dots.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PacketMeta } from '../capture/frame.js';
import { Dir, type FlowHandler, type FlowInfo } from './table.js';
import { UserError } from '../errors.js';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** longest name written (NAME_MAX is 255 on common file systems) */
const MAX_NAME = 200;
/** `c<N>` suffixes tried before giving up on a name */
const MAX_CONNECTION_SUFFIX = 1_000_000;

/** tcpflow's spelling of one endpoint: `127.000.000.001.00080`, `2001:db8::1.00443`. */
export function tcpflowEndpoint(addr: string, port: number): string {
  const m = IPV4.exec(addr);
  const a = m ? `${m[1].padStart(3, '0')}.${m[2].padStart(3, '0')}.${m[3].padStart(3, '0')}.${m[4].padStart(3, '0')}` : addr;
  return `${a}.${String(port).padStart(5, '0')}`;
}

/** A single path component that cannot name anything outside its directory. */
export function safeFileName(name: string): string {
  let s = name.replace(/[^0-9A-Za-z.:_-]/g, '_');
  if (s.length > MAX_NAME) s = s.slice(0, MAX_NAME);
  if (/^\.*$/.test(s)) s = `_${s}`; // '', '.', '..'
  return s;
}

/** The file name tcpflow gives one direction of a stream; `connection` > 0 adds its `cN` suffix. */
export function tcpflowFileName(flow: FlowInfo, dir: Dir, connection = 0): string {
  const toServer = dir === Dir.ToServer;
  const src = tcpflowEndpoint(toServer ? flow.client : flow.server, toServer ? flow.clientPort : flow.serverPort);
  const dst = tcpflowEndpoint(toServer ? flow.server : flow.client, toServer ? flow.serverPort : flow.clientPort);
  return safeFileName(`${src}-${dst}${connection > 0 ? `c${connection}` : ''}`);
}

export interface DumpOptions {
  /** files kept open at once; older ones are closed and reopened when written again */
  maxOpenFiles?: number;
}

/** Writes reassembled TCP directions into a directory; one `handler()` per flow. */
/**
 * The dump could not be written (a folder that cannot be made, a full disk, a file that cannot
 * be opened): never silent, and not a packet's fault — the scan stops and the command exits 2
 * naming the path.
 */
export class DumpWriteError extends UserError {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot write the stream dump ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DumpWriteError';
  }
}

export class StreamDumper {
  /** paths of the files created, in order of creation */
  readonly files: string[] = [];
  private readonly root: string;
  private readonly open = new Map<string, number>();
  private readonly maxOpen: number;

  /** Creates the folder when it does not exist (as tcpflow -o does); a folder that cannot be made or written is a DumpWriteError. */
  constructor(dir: string, options: DumpOptions = {}) {
    this.root = path.resolve(dir);
    this.maxOpen = Math.max(1, options.maxOpenFiles ?? 64);
    try {
      mkdirSync(this.root, { recursive: true });
      accessSync(this.root, constants.W_OK);
    } catch (err) {
      throw new DumpWriteError(dir, err);
    }
    if (!statSync(this.root).isDirectory()) throw new DumpWriteError(dir, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
  }

  /** A handler that dumps the flow's bytes and passes every call on to `inner` (if given) while it wants them. */
  handler(flow: FlowInfo, inner?: FlowHandler): FlowHandler {
    return new DumpHandler(this, flow, inner);
  }

  /** Closes every file still open (call after FlowTable.finish()). */
  closeAll(): void {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }

  /** Creates the direction's file under a free tcpflow name; returns its path. */
  create(flow: FlowInfo, dir: Dir): string {
    for (let c = 0; c < MAX_CONNECTION_SUFFIX; c++) {
      const full = path.join(this.root, tcpflowFileName(flow, dir, c));
      if (path.dirname(full) !== this.root) throw new Error(`dump file name escapes ${this.root}: ${full}`); // a bug of ours
      let fd: number;
      try {
        fd = openSync(full, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new DumpWriteError(full, err);
      }
      this.remember(full, fd);
      this.files.push(full);
      return full;
    }
    throw new Error(`no free dump file name for stream ${flow.id} in ${this.root}`);
  }

  write(file: string, bytes: Uint8Array, position: number): void {
    try {
      let fd = this.open.get(file);
      if (fd === undefined) {
        fd = openSync(file, 'r+');
        this.remember(file, fd);
      }
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
    } catch (err) {
      throw new DumpWriteError(file, err);
    }
  }

  release(file: string): void {
    const fd = this.open.get(file);
    if (fd === undefined) return;
    this.open.delete(file);
    closeSync(fd);
  }

  private remember(file: string, fd: number): void {
    if (this.open.size >= this.maxOpen) {
      const [oldest, oldFd] = this.open.entries().next().value as [string, number];
      this.open.delete(oldest);
      closeSync(oldFd);
    }
    this.open.set(file, fd);
  }
}

class DumpHandler implements FlowHandler {
  private readonly file: [string | null, string | null] = [null, null];
  /** offset of the next byte in each file (gaps advance it without writing) */
  private readonly pos: [number, number] = [0, 0];
  private readonly innerWants: [boolean, boolean] = [true, true];

  constructor(
    private readonly dumper: StreamDumper,
    private readonly flow: FlowInfo,
    private readonly inner?: FlowHandler,
  ) {}

  onData(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void {
    if (this.flow.proto === 'tcp' && to > from) {
      const file = (this.file[dir] ??= this.dumper.create(this.flow, dir));
      this.dumper.write(file, buf.subarray(from, to), this.pos[dir]);
      this.pos[dir] += to - from;
    }
    if (this.passOn(dir)) this.inner!.onData(dir, buf, from, to, meta);
  }

  onGap(dir: Dir, missedBytes: number, meta: PacketMeta): void {
    this.pos[dir] += missedBytes;
    if (this.passOn(dir)) this.inner!.onGap(dir, missedBytes, meta);
  }

  onDatagram(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void {
    if (this.passOn(dir)) this.inner!.onDatagram(dir, bytes, meta);
  }

  /** The dump needs every byte, whatever the inner handler wants. */
  wants(_dir: Dir): boolean {
    return true;
  }

  onClose(flow: FlowInfo): void {
    for (const f of this.file) if (f !== null) this.dumper.release(f);
    this.inner?.onClose(flow);
  }

  private passOn(dir: Dir): boolean {
    if (this.inner === undefined || !this.innerWants[dir]) return false;
    if (!this.inner.wants(dir)) this.innerWants[dir] = false;
    return this.innerWants[dir];
  }
}
