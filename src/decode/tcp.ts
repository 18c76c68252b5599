/**
 * TCP (RFC 9293):
 *
 *   0               2               4                               8
 *   +---------------+---------------+-------------------------------+
 *   | source port   | dest port     | sequence number               |
 *   +---------------+---------------+-------------------------------+
 *   | acknowledgment number         |off|rsv|flags  | window        |
 *   +-------------------------------+-------+-------+---------------+
 *   | checksum      | urgent pointer| options ((off−5)·4) …         |
 *
 * Options are walked like gopacket's: EOL ends the list, NOP is one byte, every other kind
 * has a length byte; a length below 2 is malformed (and would loop forever), one longer
 * than the header's remaining space is malformed, or truncated when the snaplen cut the
 * header. A bad option keeps the ports, sequence numbers and payload usable.
 */
import { Layer, pushLayer, type DecodedPacket } from './packet.js';
import { DONE, MALFORMED, TRUNCATED, u16, u32, type DecodeContext } from './context.js';

export const TCP_MIN_HEADER_LEN = 20;
export const TCP_OPTION_EOL = 0;
export const TCP_OPTION_NOP = 1;

export function decodeTcp(b: Uint8Array, off: number, end: number, out: DecodedPacket, ctx: DecodeContext): number {
  if (end - off < TCP_MIN_HEADER_LEN) {
    if (ctx.wireEnd - off < TCP_MIN_HEADER_LEN) {
      ctx.anomaly('tcp_header_beyond_segment', off, `${ctx.wireEnd - off} byte segment`);
      return MALFORMED;
    }
    out.truncated = true;
    return TRUNCATED;
  }
  out.transportOff = off;
  out.srcPort = u16(b, off);
  out.dstPort = u16(b, off + 2);
  out.tcpSeq = u32(b, off + 4);
  out.tcpAck = u32(b, off + 8);
  out.tcpFlags = b[off + 13];
  out.tcpWindow = u16(b, off + 14);
  const headerLen = (b[off + 12] >> 4) * 4;
  if (headerLen < TCP_MIN_HEADER_LEN) {
    ctx.anomaly('tcp_data_offset_lt_5', off + 12, String(headerLen / 4));
    return MALFORMED;
  }
  if (off + headerLen > ctx.wireEnd) {
    ctx.anomaly('tcp_header_beyond_segment', off + 12, `${headerLen} > ${ctx.wireEnd - off}`);
    return MALFORMED;
  }
  pushLayer(out, Layer.tcp);
  out.transportOk = true;
  const headerEnd = off + headerLen;
  if (headerEnd > end) {
    // the snaplen cut the options: ports and sequence numbers are still good
    out.truncated = true;
    out.payloadOff = end;
    out.payloadEnd = end;
    walkTcpOptions(b, off + TCP_MIN_HEADER_LEN, end, true, out, ctx);
    return DONE;
  }
  out.payloadOff = headerEnd;
  out.payloadEnd = end;
  if (headerLen > TCP_MIN_HEADER_LEN) walkTcpOptions(b, off + TCP_MIN_HEADER_LEN, headerEnd, false, out, ctx);
  return DONE;
}

/**
 * Checks the option list in b[off, end). `cut` says the snaplen ended the header early, so an
 * option running past `end` is truncation rather than damage. Returns DONE, MALFORMED or
 * TRUNCATED.
 */
export function walkTcpOptions(b: Uint8Array, off: number, end: number, cut: boolean, out: DecodedPacket, ctx: DecodeContext): number {
  let p = off;
  while (p < end) {
    const kind = b[p];
    if (kind === TCP_OPTION_EOL) return DONE;
    if (kind === TCP_OPTION_NOP) {
      p++;
      continue;
    }
    if (end - p < 2) return optionPastEnd(p, kind, cut, out, ctx);
    const len = b[p + 1];
    if (len < 2) {
      ctx.anomaly('tcp_option_length_lt_2', p, `kind ${kind} length ${len}`);
      return MALFORMED;
    }
    if (len > end - p) return optionPastEnd(p, kind, cut, out, ctx);
    p += len;
  }
  return DONE;
}

function optionPastEnd(p: number, kind: number, cut: boolean, out: DecodedPacket, ctx: DecodeContext): number {
  if (cut) {
    out.truncated = true;
    return TRUNCATED;
  }
  ctx.anomaly('tcp_option_beyond_header', p, `kind ${kind}`);
  return MALFORMED;
}
