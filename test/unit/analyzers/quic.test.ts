/**
 * The QUIC analyzer's ClientHellos, as tshark lists them. After a Retry the client starts over:
 * a new Initial under keys from the DCID the server chose, with the ClientHello again (RFC 9000
 * §17.2.5.3). tshark lists both; leakscope reported the first only (the Initial tracker found
 * the connection by the client's SCID and took it as already reported), one of the two
 * disagreements left in the keyed conformance run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Observation, QuicObservation } from '../../../src/engine/observations.js';
import { scanCapture } from '../../../src/engine/scan.js';
import { SHARED } from '../../helpers/paths.js';

const NAME = 'wireshark-wireshark__quic-fragmented-handshakes.pcapng';

describe('QUIC ClientHellos', () => {
  it(`${NAME}: every ClientHello tshark lists, the one after the Retry included (same server name, address and port, as a multiset)`, async () => {
    const oracle = readFileSync(`${SHARED}/keyed/corpus/oracle/${NAME}.tls.tsv`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const quic: QuicObservation[] = [];
    // the oracle lists ClientHellos with a server name (frame 17's has none)
    await scanCapture(`${SHARED}/keyed/corpus/files/${NAME}`, { onObservation: (o: Observation) => o.type === 'quic' && o.sni !== null && quic.push(o) });
    const key = (sni: string | null, dst: string, dport: number | string) => `${sni}|${dst}|${dport}`;
    expect(quic.map((q) => key(q.sni, q.dst, q.dport)).sort()).toEqual(oracle.map(([, , dst, dport, sni]) => key(sni!, dst!, dport!)).sort());
    // the Retried connection: the first Initial (frame 1) and the first one after the Retry
    // (frame 3). tshark names frame 5, a copy of that ClientHello sent again: it does not show
    // the handshake in frame 3, whose keys come from the Retry's connection id.
    const retried = quic.filter((q) => q.src === '10.9.0.1' && q.dst === '10.9.0.2');
    expect(retried.map((q) => q.frame)).toEqual([1, 3]);
    expect(oracle.filter((r) => r[1] === '10.9.0.1').map((r) => Number(r[0]))).toEqual([1, 5]);
  });
});
