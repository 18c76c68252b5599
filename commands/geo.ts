import { Args } from '@oclif/core';
import { Flags } from '@oclif/core';
import { LeakscopeCommand } from '../cli/base.js';
import { openGeoFromFlags } from '../cli/geo.js';
import type { GeoInfo } from '../geo/lookup.js';
import { createWriter } from '../src/report/writers/index.js';
import { GEO_SCHEMA } from '../src/report/schemas/geo.js';
import { UserError } from '../src/errors.js';
import { isIP } from 'node:net';

export default class Geo extends LeakscopeCommand {
  static override summary = 'geolocate addresses: country, city, ASN and organisation';
  static override description =
    'Uses the bundled DB-IP Lite City and ASN data (CC BY 4.0), or your own MaxMind databases. Private, loopback, documentation and other special ranges are labelled, not looked up.';
  static override examples = ['<%= config.bin %> geo 161.117.2.20 2a01:4f8::1', '<%= config.bin %> geo 8.8.8.8 --format json'];
  static override strict = false;
  static override args = { ip: Args.string({ description: 'IPv4 or IPv6 address(es)', required: true }) };
  static override flags = {
    'geo-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 City or Country .mmdb' }),
    'asn-db': Flags.string({ summary: 'a MaxMind GeoLite2/GeoIP2 ASN .mmdb' }),
  };

  async run(): Promise<GeoInfo[]> {
    const { argv, flags } = await this.parse(Geo);
    this.limitsFrom(flags);
    const ips = argv as string[];
    for (const ip of ips) if (!isIP(ip)) throw new UserError(`not an IP address: "${ip}"`, 2, ['give IPv4 (161.117.2.20) or IPv6 (2a01:4f8::1) addresses']);
    const geo = openGeoFromFlags({ geoDb: flags['geo-db'], asnDb: flags['asn-db'] });
    const format = this.outputFormat(flags);
    const writer = await createWriter<GeoInfo>(format, this.stdoutSink(flags), {
      ...GEO_SCHEMA,
      jsonSingle: ips.length === 1,
      table: { footer: () => geo.sources.map((s) => s.attribution) },
    });
    const out = ips.map((ip) => geo.lookup(ip));
    for (const g of out) writer.write(g);
    writer.end();
    return out;
  }
}
