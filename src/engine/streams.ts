/** `leakscope streams`: one record per TCP stream (and UDP flow on request). */
import { formatTimestamp } from '../capture/frame.js';
import type { FlowInfo } from '../flow/table.js';
import type { FlowSummaryExtra } from '../analyzers/analyzer.js';

export interface StreamRecord {
  type: 'stream';
  file: string;
  proto: 'tcp' | 'udp';
  id: number;
  client: string;
  client_port: number;
  server: string;
  server_port: number;
  start: string;
  end: string;
  first_frame: number;
  last_frame: number;
  packets_out: number;
  packets_in: number;
  bytes_out: number;
  bytes_in: number;
  payload_out: number;
  payload_in: number;
  history: string;
  missed_bytes: number;
  protocol: string;
  close_reason: string | null;
  opaque_bytes: number;
  /** TLS/QUIC with keys given: decrypted, no_key (no source had its secrets), failed (wrong key); null otherwise */
  decryption: 'decrypted' | 'no_key' | 'failed' | null;
  /** the app PCAPdroid's trailer named for the flow (null without trailers), and its uid */
  app: string | null;
  app_uid: number | null;
}

export function streamRecord(file: string, f: FlowInfo, extra: FlowSummaryExtra): StreamRecord {
  return {
    type: 'stream',
    file,
    proto: f.proto,
    id: f.id,
    client: f.client,
    client_port: f.clientPort,
    server: f.server,
    server_port: f.serverPort,
    start: formatTimestamp(f.firstSec, f.firstNsec),
    end: formatTimestamp(f.lastSec, f.lastNsec),
    first_frame: f.firstFrame,
    last_frame: f.lastFrame,
    packets_out: f.packetsToServer,
    packets_in: f.packetsToClient,
    bytes_out: f.bytesToServer,
    bytes_in: f.bytesToClient,
    payload_out: f.payloadToServer,
    payload_in: f.payloadToClient,
    history: f.history,
    missed_bytes: f.missedBytes,
    protocol: extra.protocol,
    close_reason: f.closeReason,
    opaque_bytes: extra.opaqueBytes,
    decryption: extra.decryption ?? null,
    app: f.app,
    app_uid: f.appUid,
  };
}
