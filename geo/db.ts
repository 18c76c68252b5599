/**
 * The two kinds of database behind a GeoLookup, whatever their file format: a city/country
 * database and an ASN database. Each is asked only about addresses already known to be public
 * and answers with plain fields, or null when it holds nothing for the address.
 */
/** Where a database came from, as the report header names it. */
export interface GeoSource {
  name: string;
  kind: 'city' | 'asn';
  /** npm package name for bundled data, the path as given for a user's file */
  file: string;
  /** package version or database build date (YYYY-MM-DD) */
  version: string | null;
  licence: string;
  attribution: string;
}

/** A database file that cannot be used, said in one line naming the file and what was expected. */
export class GeoDbError extends Error {
  override readonly name = 'GeoDbError';
}

/** A parsed public address; IPv4-mapped and NAT64 IPv6 addresses arrive here as IPv4. */
export interface PublicAddress {
  /** canonical text: dotted quad, or RFC 5952 IPv6 */
  text: string;
  family: 4 | 6;
  /** the address as uint32 when family is 4, else -1 */
  v4: number;
  /** the address bytes, network order: 4 for IPv4, 16 for IPv6 */
  bytes: Uint8Array;
}

export interface CityFields {
  country: string | null;
  countryName: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface CityDb {
  readonly source: GeoSource;
  find(addr: PublicAddress): CityFields | null;
}

export interface AsnFields {
  asn: number | null;
  org: string | null;
}

export interface AsnDb {
  readonly source: GeoSource;
  find(addr: PublicAddress): AsnFields | null;
}
