import { describe, expect, it } from 'vitest';
import { classifySpecial, SPECIAL_LABELS } from '../../../geo/special.js';

describe('classifySpecial', () => {
  it.each([
    // IPv4 special-purpose registry
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this-network'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.5', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['127.0.0.1', 'loopback'],
    ['169.254.10.1', 'link-local'],
    ['192.0.0.8', 'ietf-protocol'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.200', 'documentation'],
    ['192.88.99.1', 'deprecated'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IPv6 special-purpose registry
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%wlan0', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['fec0::1', 'site-local'],
    ['ff02::fb', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'teredo'],
    ['2001:2::1', 'benchmarking'],
    ['2001:10::1', 'deprecated'],
    ['2001:100::1', 'ietf-protocol'],
    ['2002:c000:204::1', '6to4'],
    ['64:ff9b:1::1', 'nat64-local'],
    ['100::1', 'discard'],
    ['100:0:0:1::1', 'dummy'],
    ['5f00::1', 'srv6'],
    ['::1.2.3.4', 'reserved'], // deprecated IPv4-compatible form
    ['4000::1', 'reserved'], // outside 2000::/3
    // IPv4 carried in IPv6 is classified by the IPv4 address
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::192.168.0.1', 'private'],
    // not addresses
    ['example.com', 'invalid'],
    ['', 'invalid'],
    ['1.2.3.256', 'invalid'],
  ])('%s → %s', (ip, label) => {
    expect(classifySpecial(ip)).toBe(label);
  });

  it.each([
    '8.8.8.8',
    '161.117.2.20',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.255',
    '192.0.3.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '192.31.196.1', // AS112: globally reachable
  ])('%s is public (null)', (ip) => {
    expect(classifySpecial(ip)).toBeNull();
  });

  it.each([
    '2a01:4f8::1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2001:1::1', // PCP anycast: globally reachable inside 2001::/23
    '2001:4:112::1', // AS112-v6
    '2001:20::1', // ORCHIDv2
  ])('%s is public (null)', (ip) => {
    expect(classifySpecial(ip)).toBeNull();
  });

  it('labels 192.0.0.9 with its /24 (only IPv6 anycast exceptions are carved out)', () => {
    expect(classifySpecial('192.0.0.9')).toBe('ietf-protocol');
  });

  it('every label it can return is documented', () => {
    const seen = ['10.0.0.1', '::1', 'x', '2002::1', '5f00::'].map(classifySpecial);
    for (const l of seen) expect(Object.keys(SPECIAL_LABELS)).toContain(l);
  });
});
