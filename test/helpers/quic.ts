/**
 * A capture's UDP datagrams run through one QuicConnectionDecryptor per UDP flow (the side
 * that sent the flow's first datagram is the client), as the QUIC analyzer does per flow.
 */
import { AnomalyLog } from '../../src/anomaly.js';
import type { KeyLookup } from '../../src/decrypt/key-store.js';
import { QuicConnectionDecryptor, type QuicDir, type QuicStreamSink } from '../../src/decrypt/quic.js';
import { resolveLimits, type Limits } from '../../src/limits.js';
import { readSegments } from './capture.js';

export interface TestQuicFlow {
  key: string;
  client: string;
  decryptor: QuicConnectionDecryptor;
  /** every stream's bytes per direction, joined: `${dir}:${id}` → bytes, and whether FIN arrived */
  streams: Map<string, { data: Buffer[]; fin: boolean; aborted: boolean }>;
}

export function decryptCaptureQuic(
  file: string,
  keys: KeyLookup | undefined,
  limits: Limits = resolveLimits(),
  log = new AnomalyLog(),
  makeSink?: (flow: TestQuicFlow) => QuicStreamSink,
): { flows: TestQuicFlow[]; log: AnomalyLog } {
  const flows = new Map<string, TestQuicFlow>();
  for (const s of readSegments(file)) {
    if (s.proto !== 17) continue;
    const a = `${s.src}:${s.sport}`,
      b = `${s.dst}:${s.dport}`;
    const key = a < b ? `${a} ${b}` : `${b} ${a}`;
    let flow = flows.get(key);
    if (flow === undefined) {
      const f: TestQuicFlow = { key, client: a, decryptor: undefined as unknown as QuicConnectionDecryptor, streams: new Map() };
      const collect: QuicStreamSink = {
        onStreamData(dir: QuicDir, id: number, data: Uint8Array, fin: boolean) {
          const k = `${dir}:${id}`;
          const st = f.streams.get(k) ?? { data: [], fin: false, aborted: false };
          st.data.push(Buffer.from(data));
          st.fin ||= fin;
          f.streams.set(k, st);
        },
        onStreamAbort(dir: QuicDir, id: number) {
          const k = `${dir}:${id}`;
          const st = f.streams.get(k) ?? { data: [], fin: false, aborted: false };
          st.aborted = true;
          f.streams.set(k, st);
        },
      };
      f.decryptor = new QuicConnectionDecryptor(limits, log, makeSink ? makeSink(f) : collect, keys);
      flows.set(key, f);
      flow = f;
    }
    log.packet = s.frame;
    flow.decryptor.onDatagram(a === flow.client ? 0 : 1, s.payload, 0, s.payload.length);
  }
  for (const f of flows.values()) f.decryptor.finish();
  return { flows: [...flows.values()], log };
}
