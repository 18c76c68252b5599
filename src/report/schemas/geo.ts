/** `geo`'s records: ASNs are numbers in JSON and CSV and `AS45102` in the table, as in `analyze`. */
import type { RecordSchema } from '../columns.js';
import type { GeoInfo } from '../../../geo/lookup.js';

export const GEO_SCHEMA: RecordSchema<GeoInfo> = {
  columns: [
    { key: 'ip', header: 'Address', get: (g) => g.ip, min: 15 },
    { key: 'special', header: 'Range', get: (g) => g.special, drop: 2 },
    { key: 'country', header: 'Country', get: (g) => g.country, min: 7 },
    { key: 'city', header: 'City', get: (g) => g.city, drop: 1 },
    { key: 'asn', header: 'ASN', get: (g) => (g.asn ? `AS${g.asn}` : null), csv: (g) => g.asn ?? null },
    { key: 'org', header: 'Organisation', get: (g) => g.org },
  ],
};
