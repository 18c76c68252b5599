/** HTTPDNS requests and answers, as Alibaba's and Tencent's services document and send them. */
import { describe, expect, it } from 'vitest';
import { parseHttpDnsAnswer, parseHttpDnsQuery } from '../../../src/proto/httpdns.js';

describe('parseHttpDnsQuery', () => {
  it.each([
    ['/100000/d?host=appmarket.micloud.xiaomi.net', 'alibaba', ['appmarket.micloud.xiaomi.net']],
    ['/139450/sign_d?host=www.aliyun.com&t=1795502135&s=0f3a9c', 'alibaba', ['www.aliyun.com']],
    ['/139450/d?host=a.example.com,B.Example.com.&query=4,6', 'alibaba', ['a.example.com', 'b.example.com']],
    ['http://203.107.1.33/139450/d?host=api.io.mi.com', 'alibaba', ['api.io.mi.com']],
    ['/d?dn=www.qq.com&ttl=1', 'tencent', ['www.qq.com']],
    ['/d?dn=a.example.com,b.example.com', 'tencent', ['a.example.com', 'b.example.com']],
  ])('%s', (uri, service, names) => {
    expect(parseHttpDnsQuery('GET', uri)).toEqual({ service, names, encrypted: false });
  });

  it('Tencent with id= carries the name encrypted', () => {
    expect(parseHttpDnsQuery('GET', '/d?dn=9d4c3b2a1f&id=1234')).toEqual({ service: 'tencent', names: [], encrypted: true });
  });

  it.each([
    ['POST', '/100000/d?host=a.example.com'],
    ['GET', '/d?host=a.example.com'],
    ['GET', '/abc/d?host=a.example.com'],
    ['GET', '/100000/d?host=not a name'],
    ['GET', '/search?dn=a.example.com'],
    ['GET', '/100000/d'],
  ])('%s %s is not one', (m, uri) => {
    expect(parseHttpDnsQuery(m, uri)).toBeNull();
  });
});

describe('parseHttpDnsAnswer', () => {
  const ali = parseHttpDnsQuery('GET', '/100000/d?host=appmarket.micloud.xiaomi.net')!;
  it('Alibaba single-name JSON', () => {
    expect(
      parseHttpDnsAnswer(ali, '{"host":"appmarket.micloud.xiaomi.net","ips":["161.117.180.93","161.117.180.94"],"ipsv6":[],"ttl":60,"origin_ttl":60}'),
    ).toEqual([{ name: 'appmarket.micloud.xiaomi.net', addresses: ['161.117.180.93', '161.117.180.94'], ttl: 60 }]);
  });
  it('Alibaba batch JSON', () => {
    const q = parseHttpDnsQuery('GET', '/100000/d?host=a.example.com,b.example.com')!;
    expect(
      parseHttpDnsAnswer(
        q,
        '{"dns":[{"host":"a.example.com","ips":["192.0.2.1"],"type":1,"ttl":30},{"host":"b.example.com","ips":["2001:db8::1"],"type":28,"ttl":30}]}',
      ),
    ).toEqual([
      { name: 'a.example.com', addresses: ['192.0.2.1'], ttl: 30 },
      { name: 'b.example.com', addresses: ['2001:db8::1'], ttl: 30 },
    ]);
  });
  it('Tencent text, one line per name, with TTL', () => {
    const q = parseHttpDnsQuery('GET', '/d?dn=a.example.com,b.example.com&ttl=1')!;
    expect(parseHttpDnsAnswer(q, '192.0.2.1;192.0.2.2,120\n198.51.100.7,60')).toEqual([
      { name: 'a.example.com', addresses: ['192.0.2.1', '192.0.2.2'], ttl: 120 },
      { name: 'b.example.com', addresses: ['198.51.100.7'], ttl: 60 },
    ]);
  });
  it('garbage and non-addresses give nothing', () => {
    expect(parseHttpDnsAnswer(ali, '<html>')).toEqual([]);
    expect(parseHttpDnsAnswer(ali, '{"host":"x.example.com","ips":["<script>"]}')).toEqual([{ name: 'x.example.com', addresses: [], ttl: null }]);
  });
});
