/**
 * Special-purpose address ranges: addresses that have no place on a map (private, loopback,
 * documentation, multicast …). They are labelled and never looked up, so a report never shows
 * a "country" for 10.0.0.1 that some database happened to hold.
 *
 * Sources: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates),
 * the IPv4 multicast registry and the IPv6 address-space registry. Ranges the registries mark
 * globally reachable (AS112, AMT, ORCHIDv2, the PCP/TURN anycast addresses …) are ordinary
 * public addresses here and are looked up. Addresses that carry an IPv4 address which is the
 * real peer (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) are classified by that
 * IPv4 address.
 */
import { embeddedIPv4, parseIPv4, parseIPv6 } from './ip.js';

/** Every label `classifySpecial` returns, with a one-line meaning (for docs and --help). */
export const SPECIAL_LABELS = {
  unspecified: 'the unspecified address (0.0.0.0, ::)',
  'this-network': '"this network" 0.0.0.0/8 (RFC 791)',
  private: 'private-use space 10/8, 172.16/12, 192.168/16 (RFC 1918)',
  cgnat: 'shared address space for carrier-grade NAT 100.64/10 (RFC 6598)',
  loopback: 'loopback 127/8, ::1',
  'link-local': 'link-local 169.254/16, fe80::/10',
  'ietf-protocol': 'IETF protocol assignments 192.0.0.0/24, 2001::/23 (RFC 6890)',
  documentation: 'documentation 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20',
  benchmarking: 'benchmarking 198.18/15, 2001:2::/48 (RFC 2544, RFC 5180)',
  multicast: 'multicast 224/4, ff00::/8',
  broadcast: 'limited broadcast 255.255.255.255',
  reserved: 'reserved by IANA: 240/4, IPv6 outside 2000::/3 and the other listed blocks',
  deprecated: 'deprecated blocks: 6to4 relay anycast 192.88.99/24, ORCHID 2001:10::/28',
  'unique-local': 'IPv6 unique local addresses fc00::/7 (RFC 4193)',
  'site-local': 'deprecated IPv6 site-local fec0::/10',
  teredo: 'Teredo tunnelling 2001::/32 (RFC 4380)',
  '6to4': '6to4 tunnelling 2002::/16 (RFC 3056)',
  'nat64-local': 'local-use IPv4/IPv6 translation 64:ff9b:1::/48 (RFC 8215)',
  discard: 'discard-only 100::/64 (RFC 6666)',
  dummy: 'dummy IPv6 prefix 100:0:0:1::/64 (RFC 9780)',
  srv6: 'SRv6 segment identifiers 5f00::/16 (RFC 9602)',
  invalid: 'not an IP address',
} as const;

export type SpecialLabel = keyof typeof SPECIAL_LABELS;

// [network, prefix length, label]; the first match wins, so more specific entries come first
const V4_RANGES: ReadonlyArray<readonly [string, number, SpecialLabel]> = [
  ['0.0.0.0', 32, 'unspecified'],
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'ietf-protocol'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'deprecated'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

// Globally reachable entries are listed with label null so they stop the search before a
// covering block (2001::/23) labels them.
const V6_RANGES: ReadonlyArray<readonly [string, number, SpecialLabel | null]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'nat64-local'],
  ['100::', 64, 'discard'],
  ['100:0:0:1::', 64, 'dummy'],
  ['2001:1::1', 128, null], // PCP anycast
  ['2001:1::2', 128, null], // TURN anycast
  ['2001:1::3', 128, null], // DNS-SD service registration protocol anycast
  ['2001:3::', 32, null], // AMT
  ['2001:4:112::', 48, null], // AS112-v6
  ['2001:20::', 28, null], // ORCHIDv2
  ['2001:30::', 28, null], // drone remote ID
  ['2001::', 32, 'teredo'],
  ['2001:2::', 48, 'benchmarking'],
  ['2001:10::', 28, 'deprecated'],
  ['2001:db8::', 32, 'documentation'],
  ['2001::', 23, 'ietf-protocol'],
  ['2002::', 16, '6to4'],
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'srv6'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

interface V4Range {
  base: number;
  mask: number;
  label: SpecialLabel;
}
interface V6Range {
  bytes: Uint8Array;
  bits: number;
  label: SpecialLabel | null;
}

function v4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

const V4: V4Range[] = V4_RANGES.map(([net, bits, label]) => {
  const mask = v4Mask(bits);
  return { base: (parseIPv4(net) & mask) >>> 0, mask, label };
});

const V6: V6Range[] = V6_RANGES.map(([net, bits, label]) => {
  const bytes = new Uint8Array(16);
  if (!parseIPv6(net, bytes)) throw new Error(`bad table entry ${net}`); // a bug in this file
  return { bytes, bits, label };
});

function v6HasPrefix(addr: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  let k = 0;
  for (; bits >= 8; bits -= 8, k++) if (addr[k] !== prefix[k]) return false;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (addr[k] & mask) === (prefix[k] & mask);
}

/** Label of an IPv4 address given as uint32, or null when it is an ordinary public address. */
export function classifyIPv4(v: number): SpecialLabel | null {
  for (const r of V4) if ((v & r.mask) >>> 0 === r.base) return r.label;
  return null;
}

/**
 * Where an IPv6 address really points to IPv4 (mapped `::ffff:0:0/96`, NAT64 well-known prefix
 * `64:ff9b::/96`), that IPv4 address as uint32; otherwise -1.
 */
export function ipv4BehindIPv6(b: Uint8Array): number {
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b;
  for (let k = nat64 ? 4 : 0; k < 10; k++) if (b[k] !== 0) return -1;
  if (nat64) return b[10] === 0 && b[11] === 0 ? embeddedIPv4(b) : -1;
  return b[10] === 0xff && b[11] === 0xff ? embeddedIPv4(b) : -1;
}

/** Label of an IPv6 address (16 bytes), or null when it is an ordinary public address. */
export function classifyIPv6(b: Uint8Array): SpecialLabel | null {
  const v4 = ipv4BehindIPv6(b);
  if (v4 >= 0) return classifyIPv4(v4);
  for (const r of V6) if (v6HasPrefix(b, r.bytes, r.bits)) return r.label;
  // global unicast is 2000::/3; IANA reserves the rest of the space not listed above
  return (b[0] & 0xe0) === 0x20 ? null : 'reserved';
}

const scratch6 = new Uint8Array(16);

/**
 * The special-purpose label of an address (`'loopback'`, `'private'`, `'documentation'` … see
 * SPECIAL_LABELS), null for an ordinary public address, or `'invalid'` when the text is not
 * an IPv4 or IPv6 address.
 */
export function classifySpecial(ip: string): SpecialLabel | null {
  const v4 = parseIPv4(ip);
  if (v4 >= 0) return classifyIPv4(v4);
  return parseIPv6(ip, scratch6) ? classifyIPv6(scratch6) : 'invalid';
}
