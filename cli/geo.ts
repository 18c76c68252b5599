import { NULL_GEO, openGeo, type GeoLookup } from '../geo/lookup.js';
import { UserError } from '../src/errors.js';

/** The geolocation the flags ask for: none, the bundled DB-IP + ASN data, or the user's MaxMind files. */
export function openGeoFromFlags(flags: { noGeo?: boolean; geoDb?: string; asnDb?: string }): GeoLookup {
  if (flags.noGeo) return NULL_GEO;
  try {
    return openGeo({ cityDb: flags.geoDb, asnDb: flags.asnDb });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}
