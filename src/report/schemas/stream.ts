/**
 * `streams`' records. Table: endpoints as `address:port` (`[2001:db8::1]:443`), packets and
 * payload both ways, decryption (narrow terminals drop End, Missed, Start, History, Packets,
 * Protocol, Decryption in that order; a time is shown whole or not at all). CSV: one value per
 * column, the record's own fields.
 */
import { formatEndpoint } from '../../decode/addr.js';
import type { Column, RecordSchema } from '../columns.js';
import type { StreamRecord } from '../../engine/streams.js';

/** The CSV's columns: every field of the record but `type` (always `stream`). */
const CSV_FIELDS = [
  'file',
  'proto',
  'id',
  'client',
  'client_port',
  'server',
  'server_port',
  'start',
  'end',
  'first_frame',
  'last_frame',
  'packets_out',
  'packets_in',
  'bytes_out',
  'bytes_in',
  'payload_out',
  'payload_in',
  'history',
  'missed_bytes',
  'protocol',
  'close_reason',
  'opaque_bytes',
  'decryption',
  'app',
  'app_uid',
] as const satisfies readonly (keyof StreamRecord)[];

// A field added to StreamRecord and not to CSV_FIELDS fails to compile here, naming it.
type MissingFromCsv = Exclude<keyof StreamRecord, (typeof CSV_FIELDS)[number] | 'type'>;
const csvCoversEveryField: [MissingFromCsv] extends [never] ? true : MissingFromCsv = true;
void csvCoversEveryField;

/** A CSV column holding one record field as it is. */
const fieldColumn = (key: keyof StreamRecord): Column<StreamRecord> => ({ key, header: key, csv: (s) => s[key] });

export const STREAM_SCHEMA: RecordSchema<StreamRecord> = {
  columns: [
    { key: 'stream', header: 'Stream', get: (s) => `${s.proto}.${s.id}`, csv: false, min: 6 },
    { key: 'client_endpoint', header: 'Client', get: (s) => formatEndpoint(s.client, s.client_port), csv: false, min: 15, want: 21 },
    { key: 'server_endpoint', header: 'Server', get: (s) => formatEndpoint(s.server, s.server_port), csv: false, min: 15, want: 21 },
    { key: 'start_time', header: 'Start', get: (s) => s.start, csv: false, drop: 3, min: 27 },
    { key: 'end_time', header: 'End', get: (s) => s.end, csv: false, drop: 1, min: 27 },
    { key: 'packets', header: 'Packets out/in', get: (s) => `${s.packets_out}/${s.packets_in}`, csv: false, drop: 5 },
    { key: 'payload', header: 'Payload out/in', get: (s) => `${s.payload_out}/${s.payload_in}`, csv: false },
    { key: 'history_text', header: 'History', get: (s) => s.history, csv: false, drop: 4, min: 7 },
    { key: 'missed', header: 'Missed', get: (s) => s.missed_bytes, csv: false, drop: 2, min: 6 },
    { key: 'protocol_name', header: 'Protocol', get: (s) => s.protocol, csv: false, drop: 6, min: 8 },
    { key: 'decryption_state', header: 'Decryption', get: (s) => s.decryption, csv: false, drop: 7, min: 9 },
    ...CSV_FIELDS.map(fieldColumn),
  ],
};
