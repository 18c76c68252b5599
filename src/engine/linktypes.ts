/** Names of the LINKTYPE_* values (tcpdump.org/linktypes.html) for `info` output. */
const NAMES = new Map<number, string>([
  [0, 'NULL (BSD loopback)'],
  [1, 'ETHERNET'],
  [12, 'RAW (IP)'],
  [14, 'RAW (IP, OpenBSD)'],
  [101, 'RAW'],
  [105, 'IEEE802_11'],
  [108, 'LOOP (OpenBSD loopback)'],
  [113, 'LINUX_SLL'],
  [127, 'IEEE802_11_RADIOTAP'],
  [228, 'IPV4'],
  [229, 'IPV6'],
  [276, 'LINUX_SLL2'],
]);

export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `LINKTYPE_${linkType}`;
}
