/** tcpflow-style dump: names, safety, layout of gaps, and byte-identical files on a real capture. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnomalyLog } from '../../../src/anomaly.js';
import { resolveLimits } from '../../../src/limits.js';
import { FlowTable, type FlowInfo } from '../../../src/flow/table.js';
import { StreamDumper, safeFileName, tcpflowEndpoint, tcpflowFileName } from '../../../src/flow/dump.js';
import { corpusFile } from '../../helpers/paths.js';
import { Dir, RecordingHandler, decodeSimple, meta, packet, readPcapFrames } from './helpers.js';

function flowInfo(o: Partial<FlowInfo>): FlowInfo {
  return {
    id: 0,
    proto: 'tcp',
    ipVersion: 4,
    client: '127.0.0.1',
    clientPort: 51000,
    server: '127.0.0.1',
    serverPort: 80,
    firstFrame: 1,
    lastFrame: 1,
    firstSec: 0,
    firstNsec: 0,
    lastSec: 0,
    lastNsec: 0,
    packetsToServer: 0,
    packetsToClient: 0,
    bytesToServer: 0,
    bytesToClient: 0,
    payloadToServer: 0,
    payloadToClient: 0,
    history: '',
    missedBytes: 0,
    retransmittedBytes: 0,
    closeReason: null,
    ...o,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'leakscope-dump-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('tcpflow names', () => {
  it.each([
    ['127.0.0.1', 51000, '127.000.000.001.51000'],
    ['10.99.99.45', 80, '010.099.099.045.00080'],
    ['2001:4860:4860::8888', 443, '2001:4860:4860::8888.00443'],
    ['::ffff:1.2.3.4', 7, '::ffff:1.2.3.4.00007'],
  ])('%s port %d → %s', (addr, port, want) => {
    expect(tcpflowEndpoint(addr, port)).toBe(want);
  });

  it('names each direction source first, with cN for later connections', () => {
    const f = flowInfo({});
    expect(tcpflowFileName(f, Dir.ToServer)).toBe('127.000.000.001.51000-127.000.000.001.00080');
    expect(tcpflowFileName(f, Dir.ToClient)).toBe('127.000.000.001.00080-127.000.000.001.51000');
    expect(tcpflowFileName(f, Dir.ToServer, 2)).toBe('127.000.000.001.51000-127.000.000.001.00080c2');
  });

  it.each([
    ['../../etc/passwd', '.._.._etc_passwd'],
    ['..', '_..'],
    ['.', '_.'],
    ['', '_'],
    ['a\u0000b\\c', 'a_b_c'],
  ])('safeFileName(%j) = %j', (name, want) => {
    expect(safeFileName(name)).toBe(want);
  });

  it('a hostile address string cannot put a file outside the directory', () => {
    const dumper = new StreamDumper(dir);
    const h = dumper.handler(flowInfo({ client: '../../../../tmp/x', server: '/etc/passwd' }));
    h.onData(Dir.ToServer, Uint8Array.of(1, 2), 0, 2, meta(1));
    h.onClose(flowInfo({}));
    dumper.closeAll();
    expect(dumper.files.map((f) => path.dirname(f))).toEqual([dir]);
    expect(readdirSync(dir)).toEqual(['.._.._.._.._tmp_x.51000-_etc_passwd.00080']);
  });
});

describe('StreamDumper', () => {
  it('writes each direction to its own file, leaves gaps as zero holes, and uses c1 on reuse', () => {
    const dumper = new StreamDumper(dir);
    const table = new FlowTable(resolveLimits(), new AnomalyLog(), (f) => dumper.handler(f, new RecordingHandler(f)));
    const c = { src: '127.0.0.1', dst: '127.0.0.1', sport: 51000, dport: 80 };
    const s = { src: '127.0.0.1', dst: '127.0.0.1', sport: 80, dport: 51000 };
    let frame = 0;
    const send = (spec: Parameters<typeof packet>[0]) => table.onPacket(packet(spec), meta(++frame));
    send({ ...c, flags: 'S', seq: 99 });
    send({ ...s, flags: 'SA', seq: 499, ack: 100 });
    send({ ...c, flags: 'PA', seq: 100, payload: 'ab' });
    send({ ...c, flags: 'PA', seq: 105, payload: 'fg' }); // 3 bytes lost before it
    send({ ...s, flags: 'PA', seq: 500, ack: 107, payload: 'OK' }); // acks past the hole
    send({ ...c, flags: 'FA', seq: 107, ack: 502 });
    send({ ...s, flags: 'FA', seq: 502, ack: 108 });
    send({ ...c, flags: 'S', seq: 7000 }); // port reuse: a second connection, same names
    send({ ...c, flags: 'PA', seq: 7001, payload: 'again' });
    table.finish();
    dumper.closeAll();
    const toServer = path.join(dir, '127.000.000.001.51000-127.000.000.001.00080');
    expect(readdirSync(dir).sort()).toEqual([
      '127.000.000.001.00080-127.000.000.001.51000',
      '127.000.000.001.51000-127.000.000.001.00080',
      '127.000.000.001.51000-127.000.000.001.00080c1',
    ]);
    expect([...readFileSync(toServer)]).toEqual([0x61, 0x62, 0, 0, 0, 0x66, 0x67]);
    expect(readFileSync(`${toServer}c1`, 'latin1')).toBe('again');
    expect(readFileSync(path.join(dir, '127.000.000.001.00080-127.000.000.001.51000'), 'latin1')).toBe('OK');
  });

  it('closes least recently opened files beyond maxOpenFiles and reopens them to append', () => {
    const dumper = new StreamDumper(dir, { maxOpenFiles: 1 });
    const a = dumper.handler(flowInfo({ clientPort: 1 }));
    const b = dumper.handler(flowInfo({ clientPort: 2 }));
    a.onData(Dir.ToServer, Uint8Array.of(0x41), 0, 1, meta(1));
    b.onData(Dir.ToServer, Uint8Array.of(0x42), 0, 1, meta(2));
    a.onData(Dir.ToServer, Uint8Array.of(0x43), 0, 1, meta(3));
    dumper.closeAll();
    expect(readFileSync(path.join(dir, '127.000.000.001.00001-127.000.000.001.00080'), 'latin1')).toBe('AC');
    expect(statSync(path.join(dir, '127.000.000.001.00002-127.000.000.001.00080')).size).toBe(1);
  });

  it('produces the same files as tcpflow 1.6.1 for zeek__tcp-fast-open.pcap', () => {
    const dumper = new StreamDumper(dir);
    const table = new FlowTable(resolveLimits(), new AnomalyLog(), (f) => dumper.handler(f));
    readPcapFrames(corpusFile('zeek__tcp-fast-open.pcap')).forEach((fr, i) => {
      const p = decodeSimple(fr.data, fr.linkType);
      if (p) table.onPacket(p, meta(i + 1, fr.tsSec, fr.tsNsec, fr.origlen));
    });
    table.finish();
    dumper.closeAll();
    const md5 = (name: string) =>
      createHash('md5')
        .update(readFileSync(path.join(dir, name)))
        .digest('hex');
    // `tcpflow -r zeek__tcp-fast-open.pcap -o OUT; md5sum OUT/010*`
    const want: Record<string, string> = {
      '010.099.099.001.55533-010.099.099.045.00080': 'f44fe0cc26ee30a4024f5d1e4ad141c6',
      '010.099.099.001.55534-010.099.099.045.00080': '1b08c63308003d98b31053078200da1b',
      '010.099.099.045.00080-010.099.099.001.55533': '8189e6885bdfdddc20faabed3715293c',
      '010.099.099.045.00080-010.099.099.001.55534': '9731e9cf6b69a0404642d6580f8ea4ab',
    };
    expect(
      Object.fromEntries(
        readdirSync(dir)
          .sort()
          .map((n) => [n, md5(n)]),
      ),
    ).toEqual(want);
  });
});
