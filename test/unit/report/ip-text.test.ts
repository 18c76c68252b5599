/**
 * One place owns IP text (src/decode/addr.ts): the geolocation code and the capture decoder
 * write the same address the same way, and an address joined with a port is unambiguous.
 */
import { describe, expect, it } from 'vitest';
import { formatEndpoint, formatIp, parseIp } from '../../../src/decode/addr.js';
import { formatIPv6, parseIPv6 } from '../../../geo/ip.js';

describe('IP text', () => {
  it.each(['::ffff:1.2.3.4', '::1', '2001:db8::1', '64:ff9b::c000:221', 'fe80::1:2:3:4', '::'])('geo and decode write %s the same way', (text) => {
    const geoBytes = new Uint8Array(16);
    expect(parseIPv6(text, geoBytes)).toBe(true);
    const decoded = parseIp(text)!;
    expect(formatIPv6(geoBytes)).toBe(formatIp(decoded, 0, 6));
  });

  it('IPv6 with a port is bracketed (RFC 3986), IPv4 is not', () => {
    expect(formatEndpoint('2001:db8::1', 443)).toBe('[2001:db8::1]:443');
    expect(formatEndpoint('::1', 46752)).toBe('[::1]:46752');
    expect(formatEndpoint('::ffff:1.2.3.4', 80)).toBe('[::ffff:1.2.3.4]:80');
    expect(formatEndpoint('192.0.2.1', 443)).toBe('192.0.2.1:443');
  });
});
