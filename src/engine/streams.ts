/** `leakscope streams`: one record per TCP stream (and UDP flow on request). */
import { formatTimestamp } from '../capture/frame.js';
import type { FlowInfo } from '../flow/table.js';
import type { FlowSummaryExtra } from './app-handler.js';

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
    start: formatTimestamp(f.firstTs.sec, f.firstTs.nsec),
    end: formatTimestamp(f.lastTs.sec, f.lastTs.nsec),
    first_frame: f.firstFrame,
    last_frame: f.lastFrame,
    packets_out: f.packets[0],
    packets_in: f.packets[1],
    bytes_out: f.bytes[0],
    bytes_in: f.bytes[1],
    payload_out: f.payloadBytes[0],
    payload_in: f.payloadBytes[1],
    history: f.history,
    missed_bytes: f.missedBytes,
    protocol: extra.protocol,
    close_reason: f.closeReason,
    opaque_bytes: extra.opaqueBytes,
  };
}
