/**
 * Geolocation of server addresses: country, city, autonomous system and organisation.
 *
 * `openGeo()` works out of the box with the databases bundled as npm dependencies (DB-IP City
 * Lite and the ip-location-db ASN tables, CC BY 4.0); a user's MaxMind files replace either.
 * Opening is synchronous and cheap: the big files are read on the first lookup that needs
 * them. Special-purpose addresses (private, loopback, documentation …) are labelled and never
 * looked up.
 *
 * `lookup` never throws for its input: text that is not an IP address gives a result with
 * `special: 'invalid'` and every other field null.
 */
import { bundledAsnDb, bundledCityDb } from './bundled.js';
import type { AsnDb, CityDb, GeoSource, PublicAddress } from './db.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.js';
import { userAsnDb, userCityDb } from './mmdb.js';
import { classifyIPv4, classifyIPv6, ipv4BehindIPv6 } from './special.js';

export interface GeoInfo {
  /** the address as given */
  ip: string;
  /** ISO 3166-1 alpha-2 */
  country: string | null;
  /** English country name */
  countryName?: string | null;
  city: string | null;
  /** first-level subdivision (state, province), English */
  region?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  asn: number | null;
  org: string | null;
  /** special-purpose range label (see SPECIAL_LABELS in special.ts), null for public addresses */
  special: string | null;
}

export type { GeoSource } from './db.js';

export interface GeoLookup {
  lookup(ip: string): GeoInfo;
  readonly sources: GeoSource[];
}

/** Which part of an address a database should be asked about, or the label that stops it. */
type Parsed = { special: string } | { special: null; addr: PublicAddress };

function v4Address(v4: number): PublicAddress {
  const bytes = new Uint8Array([v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff]);
  return { text: formatIPv4(v4), family: 4, v4, bytes };
}

/** Parses and classifies; IPv4-mapped and NAT64 addresses continue as their IPv4 address. */
function parse(ip: string): Parsed {
  const v4 = parseIPv4(ip);
  if (v4 >= 0) {
    const special = classifyIPv4(v4);
    return special ? { special } : { special: null, addr: v4Address(v4) };
  }
  const bytes = new Uint8Array(16);
  if (!parseIPv6(ip, bytes)) return { special: 'invalid' };
  const special = classifyIPv6(bytes);
  if (special) return { special };
  const inner = ipv4BehindIPv6(bytes);
  if (inner >= 0) return { special: null, addr: v4Address(inner) };
  return { special: null, addr: { text: formatIPv6(bytes), family: 6, v4: -1, bytes } };
}

function emptyInfo(ip: string, special: string | null): GeoInfo {
  return {
    ip,
    country: null,
    countryName: null,
    city: null,
    region: null,
    latitude: null,
    longitude: null,
    asn: null,
    org: null,
    special,
  };
}

class DatabaseGeo implements GeoLookup {
  readonly sources: GeoSource[];

  constructor(
    private readonly city: CityDb,
    private readonly asn: AsnDb,
  ) {
    this.sources = [city.source, asn.source];
  }

  lookup(ip: string): GeoInfo {
    const parsed = parse(ip);
    const info = emptyInfo(ip, parsed.special);
    if (parsed.special !== null) return info;
    const c = this.city.find(parsed.addr);
    if (c) {
      info.country = c.country;
      info.countryName = c.countryName;
      info.city = c.city;
      info.region = c.region;
      info.latitude = c.latitude;
      info.longitude = c.longitude;
    }
    const a = this.asn.find(parsed.addr);
    if (a) {
      info.asn = a.asn;
      info.org = a.org;
    }
    return info;
  }
}

/** Labels special-purpose ranges and looks nothing up (for `--no-geo`, tests, or no data). */
export const NULL_GEO: GeoLookup = Object.freeze({
  sources: [] as GeoSource[],
  lookup(ip: string): GeoInfo {
    return emptyInfo(ip, parse(ip).special);
  },
});

/**
 * Opens geolocation: `cityDb` is a MaxMind GeoLite2/GeoIP2 City or Country .mmdb (or DB-IP's
 * MaxMind-format download), `asnDb` a MaxMind ASN .mmdb; each defaults to the bundled DB-IP /
 * ip-location-db data. A user's file is read and checked here, so a wrong file fails at once
 * with a GeoDbError naming it; the bundled files are read on first use.
 */
export function openGeo(opts: { cityDb?: string; asnDb?: string } = {}): GeoLookup {
  const city = opts.cityDb !== undefined ? userCityDb(opts.cityDb) : bundledCityDb();
  const asn = opts.asnDb !== undefined ? userAsnDb(opts.asnDb) : bundledAsnDb();
  return new DatabaseGeo(city, asn);
}
