/**
 * TLS connections of a real capture, decrypted with the project's own parts: the capture
 * parser (Decryption Secrets Blocks included), the packet decoder, the flow table's TCP
 * reassembly, the record splitter and the decryptor. Every record's outcome is kept, and the
 * decrypted application data of each direction is joined.
 */
import { readFileSync } from 'node:fs';
import { AnomalyLog } from '../../src/anomaly.js';
import { CaptureParser } from '../../src/capture/parser.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { KeyStore, EMBEDDED_SOURCE } from '../../src/decrypt/key-sources.js';
import { TlsDecryptor, type RecordStatus, type DecryptionOutcome } from '../../src/decrypt/tls.js';
import { TlsRecordSplitter } from '../../src/decrypt/tls-records.js';
import { Dir, FlowTable, type FlowHandler, type FlowInfo } from '../../src/flow/table.js';
import { resolveLimits } from '../../src/limits.js';

export interface DecryptedConnection {
  flow: FlowInfo;
  decryptor: TlsDecryptor;
  outcome: DecryptionOutcome;
  records: { fromClient: boolean; status: RecordStatus; contentType: number; length: number }[];
  /** decrypted application data, client to server and back */
  clientData: Buffer;
  serverData: Buffer;
}

export function decryptCapture(
  file: string,
  keylogs: string[] = [],
  opts: { embedded?: boolean } = {},
): { connections: DecryptedConnection[]; store: KeyStore } {
  const limits = resolveLimits();
  const store = new KeyStore({ maxLineBytes: limits.maxKeyLogLineBytes, maxFileBytes: limits.maxKeyLogBytes });
  for (const k of keylogs) store.addFile(k);
  const bytes = readFileSync(file);
  if (opts.embedded !== false) {
    // the pre-pass: every DSB of the file before the first packet is looked at
    const pre = new CaptureParser(file, () => {}, {
      onSecrets: (_t, data) => {
        store.addText(Buffer.from(data).toString('utf8'), EMBEDDED_SOURCE, { lenient: true });
      },
    });
    pre.push(bytes);
    pre.end();
  }
  const anomalies = new AnomalyLog();
  const decoder = new PacketDecoder(limits, anomalies);
  const connections: DecryptedConnection[] = [];
  const table = new FlowTable(limits, anomalies, (flow): FlowHandler => {
    if (flow.proto !== 'tcp') return { onData() {}, onGap() {}, onDatagram() {}, wants: () => false, onClose() {} };
    const decryptor = new TlsDecryptor(store, {
      maxHandshakeBytes: limits.maxTlsHandshakeBytes,
      maxCompressedBytes: limits.maxTlsCompressedBytes,
      maxDecompressedBytes: limits.maxDecompressedBytes,
    });
    const conn: DecryptedConnection = { flow, decryptor, outcome: null, records: [], clientData: Buffer.alloc(0), serverData: Buffer.alloc(0) };
    const client: Buffer[] = [],
      server: Buffer[] = [];
    const splitter = (fromClient: boolean): TlsRecordSplitter =>
      new TlsRecordSplitter(
        (header, fragment) => {
          const r = decryptor.record(fromClient, header, fragment);
          conn.records.push({ fromClient, status: r.status, contentType: r.contentType, length: r.data.length });
          if (r.status === 'decrypted' && r.contentType === 23) (fromClient ? client : server).push(Buffer.from(r.data));
        },
        fromClient ? (body) => decryptor.ssl2ClientHello(body) : undefined,
      );
    const splitters = [splitter(true), splitter(false)];
    connections.push(conn);
    return {
      onData(dir, buf, from, to) {
        splitters[dir === Dir.ToServer ? 0 : 1]!.push(buf.subarray(from, to));
      },
      onGap(dir) {
        splitters[dir === Dir.ToServer ? 0 : 1]!.gap();
      },
      onDatagram() {},
      wants: () => true,
      onClose() {
        conn.outcome = decryptor.outcome;
        conn.clientData = Buffer.concat(client);
        conn.serverData = Buffer.concat(server);
      },
    };
  });
  const meta = { frame: 0, tsSec: 0, tsNsec: 0, wireLen: 0 };
  const parser = new CaptureParser(file, (f) => {
    const pkt = decoder.decode(f.buf, f.linkType, f.tsSec, f.offset, f.offset + f.caplen);
    meta.frame = f.index;
    meta.tsSec = f.tsSec;
    meta.tsNsec = f.tsNsec;
    meta.wireLen = f.origlen;
    if (pkt.transportOk) table.onPacket(pkt, meta);
  });
  parser.push(bytes);
  parser.end();
  table.finish();
  return { connections, store };
}
