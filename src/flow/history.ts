/**
 * Zeek-style connection history (conn.log `history`): one letter per kind of event, upper case
 * when the client (originator) did it, lower case for the server (responder), in the order the
 * events were first seen.
 *
 *   S  SYN without ACK            H  SYN+ACK                 A  pure ACK (no payload, no SYN/FIN/RST)
 *   D  packet with payload        F  FIN                     R  RST
 *   G  content gap (bytes lost)   T  retransmitted payload   W  zero window advertised
 *   Q  SYN together with FIN or RST (a multi-flag packet)
 *
 * What is implemented, and how it differs from Zeek:
 * - each letter is recorded at most once per direction (Zeek additionally repeats c/g/t/w when
 *   their count reaches 10, 100, 1000…; leakscope does not);
 * - within one packet the flag letters (S/H, F, R) come before D, so a FIN carrying the last
 *   bytes of a fresh direction reads `FD`;
 * - UDP flows use only D/d;
 * - client and server are decided when the flow is created (flow/table.ts), so there is no `^`
 *   (Zeek's "direction flipped") letter: a capture that starts with a SYN+ACK simply begins `h`;
 * - bad checksums (`c`) are not checked, and `i` (inconsistent flags) is reported as `q` only
 *   for SYN+FIN / SYN+RST.
 */
import { Dir } from './dir.js';

export const HistoryEvent = {
  Syn: 0,
  SynAck: 1,
  Ack: 2,
  Data: 3,
  Fin: 4,
  Rst: 5,
  Gap: 6,
  Retransmit: 7,
  ZeroWindow: 8,
  MultiFlag: 9,
} as const;
export type HistoryEvent = (typeof HistoryEvent)[keyof typeof HistoryEvent];

const SERVER_LETTERS = 'shadfrgtwq';
const CLIENT_LETTERS = SERVER_LETTERS.toUpperCase();
const EVENT_KINDS = SERVER_LETTERS.length;

const TCP_FIN = 0x01,
  TCP_SYN = 0x02,
  TCP_RST = 0x04,
  TCP_ACK = 0x10;

/** Records history letters into `target.history` (the flow's FlowInfo, updated in place). */
export class History {
  /** bit (dir * EVENT_KINDS + event) set once that letter has been written */
  private seen = 0;

  constructor(private readonly target: { history: string }) {}

  add(dir: Dir, event: HistoryEvent): void {
    const bit = 1 << (dir * EVENT_KINDS + event);
    if (this.seen & bit) return;
    this.seen |= bit;
    this.target.history += dir === Dir.ToServer ? CLIENT_LETTERS[event] : SERVER_LETTERS[event];
  }

  /** The letters a TCP segment's flags, payload length and window imply (not G or T: reassembly decides those). */
  addTcpSegment(dir: Dir, flags: number, payloadLen: number, window: number): void {
    const syn = (flags & TCP_SYN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    if (syn) {
      if (fin || rst) this.add(dir, HistoryEvent.MultiFlag);
      this.add(dir, flags & TCP_ACK ? HistoryEvent.SynAck : HistoryEvent.Syn);
    }
    if (fin) this.add(dir, HistoryEvent.Fin);
    if (rst) this.add(dir, HistoryEvent.Rst);
    if (payloadLen > 0) this.add(dir, HistoryEvent.Data);
    else if (flags & TCP_ACK && !syn && !fin && !rst) this.add(dir, HistoryEvent.Ack);
    if (window === 0 && !syn && !rst) this.add(dir, HistoryEvent.ZeroWindow);
  }
}
