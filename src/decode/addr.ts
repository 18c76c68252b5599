/**
 * IP address text, as tshark prints it (reports and flow keys only: allocates a string).
 *
 * IPv6 follows RFC 5952: lowercase hex without leading zeros, the longest run of two or more
 * zero groups (the first of equal runs) as "::", and the last 32 bits as a dotted quad for
 * IPv4-mapped addresses (::ffff:a.b.c.d) and the deprecated IPv4-compatible ones (::a.b.c.d),
 * matching the inet_ntop that Wireshark/tshark print through.
 */
export function formatIp(buf: Uint8Array, off: number, version: 4 | 6): string {
  return version === 4 ? formatIpv4(buf, off) : formatIpv6(buf, off);
}

/**
 * IPv4 text by address: a capture names the same few addresses (the phone, its resolver, the
 * vendors' servers) for flow after flow and answer after answer. One shared string each, instead
 * of a new one per flow kept for the flow's life. Started over when full, like StringMemo.
 */
const ipv4Text = new Map<number, string>();
const IPV4_TEXT_MAX = 4096;

export function formatIpv4(b: Uint8Array, off: number): string {
  // (a range past the end is formatted as it reads, never cached under a real address)
  if (off < 0 || off + 4 > b.length) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  const key = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
  let text = ipv4Text.get(key);
  if (text === undefined) {
    text = `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
    if (ipv4Text.size >= IPV4_TEXT_MAX) ipv4Text.clear();
    ipv4Text.set(key, text);
  }
  return text;
}

export function formatIpv6(b: Uint8Array, off: number): string {
  const words: number[] = new Array(8);
  for (let i = 0; i < 8; i++) words[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];

  // longest run of zero groups (length ≥ 2), first one on ties
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;

  const embedsIpv4 = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff));
  const hexWords = embedsIpv4 ? 6 : 8;
  let s = '';
  for (let i = 0; i < hexWords; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += words[i].toString(16);
  }
  if (embedsIpv4) {
    if (!s.endsWith(':')) s += ':';
    s += `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  return s;
}

/**
 * Parses IPv4 dotted-quad or IPv6 text (with "::" and an embedded dotted quad) into bytes;
 * undefined when it is not an address. For builders, tests and command-line filters.
 */
export function parseIp(text: string): Uint8Array | undefined {
  if (!text.includes(':')) return parseIpv4(text);
  let head = text;
  let tail = '';
  const gap = text.indexOf('::');
  if (gap >= 0) {
    head = text.slice(0, gap);
    tail = text.slice(gap + 2);
    if (tail.includes('::')) return undefined;
  }
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (gap >= 0 ? missing < 1 : missing !== 0) return undefined;
  const words = [...h, ...new Array<number>(missing).fill(0), ...t];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i] >> 8;
    out[2 * i + 1] = words[i] & 0xff;
  }
  return out;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/**
 * An address and port as one piece of text: `192.0.2.1:443`, and for IPv6 the RFC 3986 /
 * RFC 5952 §6 form `[2001:db8::1]:443` (a bare `::1:443` cannot be told apart from an address).
 * Every report that joins an address and a port goes through here.
 */
export function formatEndpoint(ip: string, port: number | string | null | undefined): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port === null || port === undefined || port === '' ? host : `${host}:${port}`;
}
