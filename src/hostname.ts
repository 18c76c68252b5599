/**
 * A host name as matched and reported: lowercase, without a port, IPv6 brackets or trailing
 * dots. Used for TLS/QUIC server names, HTTP Host headers and DNS names alike.
 */
export function normaliseHost(name: string): string {
  let s = name.trim().toLowerCase();
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    return end > 0 ? s.slice(1, end) : s;
  }
  const colon = s.indexOf(':');
  if (colon >= 0 && s.indexOf(':', colon + 1) < 0) s = s.slice(0, colon);
  while (s.endsWith('.')) s = s.slice(0, -1);
  return s;
}

/** Whether a normalised host is an IPv4 or IPv6 address literal rather than a name. */
export function isIpLiteral(host: string): boolean {
  return host.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}
