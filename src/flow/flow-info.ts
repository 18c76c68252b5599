/**
 * What the flow table tells the rest of the pipeline: a flow's facts (`FlowInfo`, also the
 * anomaly log's FlowRef) and the contract its handlers implement (`FlowHandler`: the
 * dispatcher of src/analyzers/, the stream dumper).
 */
import type { PacketMeta } from '../capture/frame.js';
import type { Dir } from './dir.js';

export interface FlowInfo {
  /** 0-based, in order of creation; TCP and UDP are counted separately */
  id: number;
  proto: 'tcp' | 'udp';
  ipVersion: 4 | 6;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  firstFrame: number;
  lastFrame: number;
  /** capture time of the first and the last packet: seconds since the epoch, nanoseconds */
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  // Counters as plain fields, not [to server, to client] pairs: a flow lives long enough to be
  // promoted to V8's old generation, and five small objects per flow were an eighth of its heap.
  packetsToServer: number;
  packetsToClient: number;
  /** IP bytes (header included, as the IP length fields report them) */
  bytesToServer: number;
  bytesToClient: number;
  /** transport payload bytes as reported on the wire (a snaplen may have cut some) */
  payloadToServer: number;
  payloadToClient: number;
  /** Zeek conn.log history letters (flow/history.ts) */
  history: string;
  /** TCP bytes the capture lost (skipped holes), both directions */
  missedBytes: number;
  /** TCP payload bytes that arrived again (retransmissions, overlaps), both directions: in the payload counts, delivered once */
  retransmittedBytes: number;
  closeReason: 'fin' | 'rst' | 'idle' | 'evicted' | 'end' | null;
  /** the app PCAPdroid's trailer named for this flow's packets (the first one that named any); null without trailers */
  app: string | null;
  /** its Linux uid (-1 when PCAPdroid did not know it); null without trailers */
  appUid: number | null;
}

export interface FlowHandler {
  /**
   * In-order bytes buf[from, to) of one direction, valid only during the call (a range, not a
   * view: the middle of a download is counted without making one). `meta` = the packet whose
   * arrival made these bytes deliverable (the flow's last packet when it closes).
   */
  onData(dir: Dir, buf: Uint8Array, from: number, to: number, meta: PacketMeta): void;
  /** bytes the capture lost before the next delivered byte */
  onGap(dir: Dir, missedBytes: number, meta: PacketMeta): void;
  /** one UDP datagram (payload view, valid only during the call) */
  onDatagram(dir: Dir, bytes: Uint8Array, meta: PacketMeta): void;
  /** false = stop delivering (and buffering) this direction's bytes; only count them. Once false, not asked again. */
  wants(dir: Dir): boolean;
  onClose(flow: FlowInfo): void;
}
