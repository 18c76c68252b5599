/**
 * The detection table (Zeek's dpd.sig): which analyzer a flow gets, recognised by content
 * (a port is a hint, never the rule). Rows are tried in order on the first bytes of a TCP
 * stream (each segment until one matches, within DETECTION_WINDOW_BYTES of the client's) or on
 * each UDP datagram until one matches. Adding a protocol: one analyzer file and one row here.
 */
import type { DetectionRow } from './analyzer.js';
import { DNS_TCP_ROW, DNS_UDP_ROW } from './dns.js';
import { HTTP_ROW } from './http.js';
import { MIPUSH_ROW } from './mipush.js';
import { HTTP2_ROW } from './http2.js';
import { HTTP3_ROW } from './http3.js';
import { QUIC_ROW } from './quic.js';
import { TLS_ROW } from './tls.js';

export const DETECTION_TABLE: readonly DetectionRow[] = [TLS_ROW, HTTP2_ROW, HTTP_ROW, MIPUSH_ROW, DNS_TCP_ROW, DNS_UDP_ROW, QUIC_ROW, HTTP3_ROW];
