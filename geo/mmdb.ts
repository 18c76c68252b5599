/**
 * MaxMind DB (.mmdb) files through MmdbReader: opening with clear errors, and
 * mapping the two record layouts we meet to our fields.
 *
 * Layouts:
 * - MaxMind GeoIP2/GeoLite2 City and Country (and DB-IP's own MaxMind-compatible downloads):
 *   `{country: {iso_code, names: {en}}, city: {names: {en}}, subdivisions: [{names: {en}}],
 *   location: {latitude, longitude}}`.
 * - ip-location-db's DB-IP City Lite build (the bundled default): a flat
 *   `{country_code, state1, state2, city, postcode, latitude, longitude, timezone}`.
 * - ASN (MaxMind GeoLite2-ASN, ip-location-db asn-mmdb): `{autonomous_system_number,
 *   autonomous_system_organization}`.
 * The layout is recognised per record, so either City layout works through either path.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { GeoDbError, type AsnDb, type AsnFields, type CityDb, type CityFields, type GeoSource, type PublicAddress } from './db.js';
import { countryName } from './countries.js';
import { MmdbFormatError, MmdbReader, type MmdbValue } from './mmdb-reader.js';

type AnyRecord = Record<string, unknown>;

export type MmdbRole = 'city' | 'asn';

const EXPECTED: Record<MmdbRole, { what: string; type: RegExp; option: string }> = {
  city: { what: 'a City or Country database (GeoLite2-City, GeoIP2-City, GeoLite2-Country, DB-IP City Lite)', type: /city|country/i, option: '--geo-db' },
  asn: { what: 'an ASN database (GeoLite2-ASN, DB-IP ASN Lite)', type: /asn/i, option: '--asn-db' },
};

/**
 * Opens a .mmdb file (reading only its metadata; records are read on demand). Every way it can
 * be wrong becomes a one-line GeoDbError naming the file and what was expected. `role` checks
 * the database type.
 */
export function loadMmdb(file: string, role: MmdbRole): MmdbReader {
  const expected = EXPECTED[role];
  let reader: MmdbReader;
  try {
    if (startsWithGzip(file))
      throw new GeoDbError(`${file} is gzip-compressed; unpack the .mmdb file from it first (MaxMind downloads are .tar.gz: tar xzf FILE)`);
    reader = new MmdbReader(file);
  } catch (err) {
    if (err instanceof GeoDbError) throw err;
    if (err instanceof MmdbFormatError)
      throw new GeoDbError(`${file} is not a usable MaxMind database (${err.message}); ${expected.option} expects ${expected.what} in .mmdb format`);
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new GeoDbError(`cannot read ${file} (${why}); ${expected.option} expects ${expected.what} in .mmdb format`);
  }
  const type = reader.metadata.databaseType;
  if (!expected.type.test(type)) {
    const other = role === 'city' ? EXPECTED.asn : EXPECTED.city;
    const hint = other.type.test(type) ? `; give it with ${other.option} instead` : '';
    throw new GeoDbError(`${file} is a "${type}" database, not ${expected.what}${hint}`);
  }
  return reader;
}

function startsWithGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(3);
    return readSync(fd, head, 0, 3, 0) === 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08;
  } finally {
    closeSync(fd);
  }
}

/** The record for an address as a plain object; null when there is none, or it is not a map or is damaged. */
export function recordFor(reader: MmdbReader, addr: PublicAddress): AnyRecord | null {
  let rec: MmdbValue;
  try {
    rec = reader.get(addr.bytes);
  } catch (err) {
    if (err instanceof MmdbFormatError) return null; // a damaged record: no data for this address
    throw err;
  }
  return rec !== null && typeof rec === 'object' && !Array.isArray(rec) && !Buffer.isBuffer(rec) ? (rec as AnyRecord) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function obj(v: unknown): AnyRecord | null {
  return v !== null && typeof v === 'object' ? (v as AnyRecord) : null;
}
function englishName(v: unknown): string | null {
  return str(obj(obj(v)?.names)?.en);
}

/** A City/Country record of either layout → our fields (null where the record has nothing). */
export function mapCityRecord(rec: AnyRecord): CityFields {
  if ('country_code' in rec) {
    // ip-location-db flat layout (DB-IP City Lite)
    const country = str(rec.country_code);
    return {
      country,
      countryName: countryName(country),
      region: str(rec.state1),
      city: str(rec.city),
      latitude: num(rec.latitude),
      longitude: num(rec.longitude),
    };
  }
  const countryObj = obj(rec.country);
  const country = str(countryObj?.iso_code);
  const subdivisions = Array.isArray(rec.subdivisions) ? rec.subdivisions : [];
  const location = obj(rec.location);
  return {
    country,
    countryName: countryName(country) ?? englishName(countryObj),
    region: englishName(subdivisions[0]),
    city: englishName(rec.city),
    latitude: num(location?.latitude),
    longitude: num(location?.longitude),
  };
}

export function mapAsnRecord(rec: AnyRecord): AsnFields {
  return { asn: num(rec.autonomous_system_number), org: str(rec.autonomous_system_organization) };
}

/** Describes a user's database for the report header: its type, build date and licence. */
export function userSource(file: string, reader: MmdbReader, kind: 'city' | 'asn'): GeoSource {
  const type = reader.metadata.databaseType || 'unknown';
  const epoch = reader.metadata.buildEpoch;
  const version = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000).toISOString().slice(0, 10) : null;
  let licence = 'as licensed by its provider';
  let attribution = `${type} database (${file})`;
  if (/^GeoLite2/i.test(type)) {
    licence = 'MaxMind GeoLite2 End User License Agreement';
    attribution = `This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com (${type}, ${version ?? 'unknown date'})`;
  } else if (/^GeoIP2/i.test(type)) {
    licence = 'MaxMind commercial licence';
    attribution = `MaxMind ${type} (${version ?? 'unknown date'})`;
  } else if (/dbip|db-ip/i.test(type)) {
    licence = 'CC BY 4.0 (DB-IP Lite)';
    attribution = 'IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0';
  }
  return { name: type, kind, file, version, licence, attribution };
}

/** A user's City/Country .mmdb as a CityDb. */
export function userCityDb(file: string): CityDb {
  const reader = loadMmdb(file, 'city');
  return {
    source: userSource(file, reader, 'city'),
    find(addr: PublicAddress) {
      const rec = recordFor(reader, addr);
      return rec ? mapCityRecord(rec) : null;
    },
  };
}

/** A user's ASN .mmdb as an AsnDb. */
export function userAsnDb(file: string): AsnDb {
  const reader = loadMmdb(file, 'asn');
  return {
    source: userSource(file, reader, 'asn'),
    find(addr: PublicAddress) {
      const rec = recordFor(reader, addr);
      return rec ? mapAsnRecord(rec) : null;
    },
  };
}
