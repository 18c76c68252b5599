/**
 * IP address text for flow records, built once per new flow (never per packet). IPv6 follows
 * glibc's inet_ntop exactly (what tcpflow and tshark print): the longest run of two or more zero
 * groups becomes `::` (the first such run on a tie), hex in lower case, and the IPv4-mapped
 * (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms end in dotted quad.
 */

/** The address at buf[off, off+4) or buf[off, off+16); the caller has checked the length. */
export function formatIp(buf: Uint8Array, off: number, version: 4 | 6): string {
  return version === 4 ? formatIpv4(buf, off) : formatIpv6(buf, off);
}

export function formatIpv4(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function formatIpv6(buf: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((buf[off + 2 * i] << 8) | buf[off + 2 * i + 1]);

  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) { curBase = i; curLen = 1; } else curLen++;
      if (curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1; // a single zero group is written as 0, not ::

  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // glibc's embedded IPv4 forms: ::a.b.c.d and ::ffff:a.b.c.d
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += formatIpv4(buf, off + 12);
      break;
    }
    out += words[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}
