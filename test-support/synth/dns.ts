/** DNS message builders (RFC 1035 §4.1) for generated captures: queries and answers without compression. */

export const DNS_TYPE = { A: 1, CNAME: 5, AAAA: 28, HTTPS: 65 } as const;
export const DNS_RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface DnsAnswerSpec {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME';
  /** address text for A/AAAA, target name for CNAME */
  data: string;
  ttl?: number;
}

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.replace(/\.$/, '').split('.')) {
    if (!label) continue;
    const bytes = [...Buffer.from(label, 'ascii')];
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return out;
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map((x) => Number(x) & 0xff);
}

function ipv6Bytes(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [(n >> 8) & 0xff, n & 0xff];
  });
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

export function buildDnsQuery(id: number, name: string, qtype: keyof typeof DNS_TYPE = 'A'): Uint8Array {
  return Uint8Array.from([...u16(id), 0x01, 0x00, ...u16(1), ...u16(0), ...u16(0), ...u16(0), ...encodeName(name), ...u16(DNS_TYPE[qtype]), ...u16(1)]);
}

export function buildDnsResponse(
  id: number,
  name: string,
  qtype: keyof typeof DNS_TYPE,
  answers: DnsAnswerSpec[],
  rcode: keyof typeof DNS_RCODE = 'NOERROR',
): Uint8Array {
  const rrs: number[] = [];
  for (const a of answers) {
    const rdata = a.type === 'A' ? ipv4Bytes(a.data) : a.type === 'AAAA' ? ipv6Bytes(a.data) : encodeName(a.data);
    rrs.push(...encodeName(a.name), ...u16(DNS_TYPE[a.type]), ...u16(1), ...u32(a.ttl ?? 300), ...u16(rdata.length), ...rdata);
  }
  const flags = 0x8180 | DNS_RCODE[rcode];
  return Uint8Array.from([
    ...u16(id),
    ...u16(flags),
    ...u16(1),
    ...u16(answers.length),
    ...u16(0),
    ...u16(0),
    ...encodeName(name),
    ...u16(DNS_TYPE[qtype]),
    ...u16(1),
    ...rrs,
  ]);
}
