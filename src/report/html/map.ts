/**
 * The report's world map: an inline SVG drawn when the report is written, from Natural Earth
 * country shapes (the `world-atlas` npm package, TopoJSON read with `topojson-client`) in the
 * Natural Earth projection of `d3-geo`. One mark per server location: the city's coordinates
 * from the geolocation database, else the centroid of the country's shape.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { geoCentroid, geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { HostRecord } from '../../engine/hosts.js';
import { countryName } from '../../../geo/countries.js';
import { isoNumeric } from './iso-numeric.js';
import { html, join, trusted, type Html } from './markup.js';

const require = createRequire(import.meta.url);

export const MAP_WIDTH = 960;
export const MAP_HEIGHT = 500;

/** A place servers were found at, with the hosts whose servers are there. */
export interface ServerLocation {
  /** `lat,lon` for city coordinates, `country:XX` for a country centroid */
  key: string;
  id: string;
  lat: number;
  lon: number;
  /** the coordinates are the country's centroid, not a city's */
  approximate: boolean;
  country: string | null;
  city: string | null;
  hosts: string[];
  ips: string[];
  /** `AS45102 Alibaba (US) Technology Co., Ltd.` for each distinct network there */
  networks: string[];
  bytesOut: number;
  /** a host served from here received personal data */
  leaked: boolean;
  /** the host the mark is labelled with: the first that received personal data, else the first */
  labelHost: string;
}

export interface Unplaced {
  host: string;
  ip: string;
  /** why it is not on the map: a special-purpose range, or no location in the database */
  reason: string;
}

type Atlas = Topology<{ countries: GeometryCollection<{ name: string }>; land: GeometryCollection }>;

const atlasCache = new Map<string, Atlas>();
function atlas(file: 'countries-110m.json' | 'countries-50m.json'): Atlas {
  let a = atlasCache.get(file);
  if (!a) {
    let text: string;
    try {
      text = readFileSync(require.resolve(`world-atlas/${file}`), 'utf8');
    } catch (err) {
      throw new Error(`the world map's data (world-atlas/${file}) is not installed: reinstall leakscope (${(err as Error).message.split('\n')[0]})`);
    }
    atlasCache.set(file, (a = JSON.parse(text) as Atlas));
  }
  return a;
}

const centroidCache = new Map<string, [number, number] | null>();
/**
 * The centroid of a country's shape. The 1:50m atlas is used because the 1:110m one drawn on
 * the map leaves out small countries (Singapore among them); Kosovo has no ISO numeric code.
 */
export function countryCentroid(alpha2: string): [number, number] | null {
  const code = alpha2.toUpperCase();
  if (centroidCache.has(code)) return centroidCache.get(code)!;
  const a = atlas('countries-50m.json');
  const numeric = isoNumeric(code);
  const geom = a.objects.countries.geometries.find(
    (g) => (numeric !== undefined && g.id === numeric) || (code === 'XK' && (g.properties as { name?: string } | undefined)?.name === 'Kosovo'),
  );
  const c = geom ? (geoCentroid(feature(a, geom)) as [number, number]) : null;
  centroidCache.set(code, c);
  return c;
}

function network(asn: number | null, org: string | null): string | null {
  if (asn === null && !org) return null;
  return asn === null ? org : `AS${asn}${org ? ' ' + org : ''}`;
}

/** Groups every host's servers by place. Servers with no place are listed apart, with the reason. */
export function serverLocations(hosts: readonly HostRecord[]): { locations: ServerLocation[]; unplaced: Unplaced[] } {
  const byKey = new Map<string, ServerLocation>();
  const unplaced: Unplaced[] = [];
  for (const h of hosts) {
    for (const s of h.servers ?? []) {
      let key: string;
      let lat: number;
      let lon: number;
      let approximate = false;
      if (s.special) {
        unplaced.push({ host: h.host, ip: s.ip, reason: `special-purpose address (${s.special})` });
        continue;
      }
      if (typeof s.latitude === 'number' && typeof s.longitude === 'number') {
        key = `${s.latitude},${s.longitude}`;
        lat = s.latitude;
        lon = s.longitude;
      } else if (s.country) {
        const c = countryCentroid(s.country);
        if (!c) {
          unplaced.push({ host: h.host, ip: s.ip, reason: `country ${s.country} has no shape on the map` });
          continue;
        }
        key = `country:${s.country}`;
        [lon, lat] = c;
        approximate = true;
      } else {
        unplaced.push({ host: h.host, ip: s.ip, reason: 'no location in the geolocation database' });
        continue;
      }
      let loc = byKey.get(key);
      if (!loc) {
        byKey.set(
          key,
          (loc = {
            key,
            id: '',
            lat,
            lon,
            approximate,
            country: s.country,
            city: approximate ? null : s.city,
            hosts: [],
            ips: [],
            networks: [],
            bytesOut: 0,
            leaked: false,
            labelHost: h.host,
          }),
        );
      }
      if (!loc.hosts.includes(h.host)) {
        loc.hosts.push(h.host);
        // a host's bytes are not known per server: they count once, at each place it was served from
        loc.bytesOut += h.bytes_out ?? 0;
        if (h.leaks.length > 0 && !loc.leaked) {
          loc.leaked = true;
          loc.labelHost = h.host;
        }
      }
      if (!loc.ips.includes(s.ip)) loc.ips.push(s.ip);
      const net = network(s.asn, s.org);
      if (net && !loc.networks.includes(net)) loc.networks.push(net);
    }
  }
  // the biggest marks first, so smaller ones are drawn on top of them
  const locations = [...byKey.values()].sort((a, b) => b.bytesOut - a.bytesOut || (a.key < b.key ? -1 : 1));
  locations.forEach((l, i) => (l.id = `loc-${i + 1}`));
  return { locations, unplaced };
}

export function placeName(l: ServerLocation): string {
  const country = l.country ? (countryName(l.country) ?? l.country) : '';
  return l.city ? `${l.city}, ${country}` : `${country} (country)`;
}

function shortHost(s: string, max = 30): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** The map as inline SVG; each mark links to its row in the locations table below it. */
export function worldMapSvg(locations: readonly ServerLocation[]): Html {
  const a = atlas('countries-110m.json');
  const projection = geoNaturalEarth1().fitExtent(
    [
      [4, 4],
      [MAP_WIDTH - 4, MAP_HEIGHT - 4],
    ],
    { type: 'Sphere' },
  );
  const path = geoPath(projection).digits(1);
  const countries = feature(a, a.objects.countries);
  const served = new Set(locations.map((l) => (l.country ? isoNumeric(l.country) : undefined)).filter((x): x is string => x !== undefined));
  const highlighted = countries.features.filter((f) => f.id !== undefined && served.has(String(f.id)));
  const maxBytes = Math.max(1, ...locations.map((l) => l.bytesOut));

  const marks = locations.map((l) => {
    const p = projection([l.lon, l.lat]);
    if (!p) return '';
    const [x, y] = [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10];
    const r = Math.round((4 + 14 * Math.sqrt(l.bytesOut / maxBytes)) * 10) / 10;
    const label = shortHost(l.labelHost) + (l.hosts.length > 1 ? ` +${l.hosts.length - 1}` : '');
    // the visible label (host, network) starts the accessible name, as WCAG 2.5.3 asks
    const netLabel = l.networks[0] ? shortHost(l.networks[0], 34) + (l.networks.length > 1 ? ` +${l.networks.length - 1}` : '') : '';
    const summary = `${placeName(l)}${l.approximate ? ' (country centre)' : ''}: ${l.hosts.length} host(s), ${l.bytesOut} bytes sent${l.leaked ? ', personal data' : ''}`;
    const tip = [`${placeName(l)}`, ...l.hosts.slice(0, 8), ...(l.hosts.length > 8 ? [`… ${l.hosts.length - 8} more`] : []), ...l.networks.slice(0, 2)];
    const tipH = tip.length * 15 + 8;
    const tipW = Math.min(360, 12 + 7 * Math.max(...tip.map((t) => t.length)));
    const tx = x + tipW + 12 > MAP_WIDTH ? x - tipW - 8 : x + 8;
    const ty = Math.min(Math.max(4, y - tipH / 2), MAP_HEIGHT - tipH - 4);
    // labels go left of marks that would push them off the map's right edge (~6.5 px a character)
    const labelW = 6.5 * Math.max(label.length, Math.min(34, l.networks[0]?.length ?? 0) * 0.85);
    const lx = x + r + 3 + labelW > MAP_WIDTH ? x - r - 3 : x + r + 3;
    return html`<a class="mark${l.leaked ? ' leaked' : ''}" href="#${l.id}" data-location="${l.key}" aria-label="${label}${netLabel ? ` ${netLabel}` : ''}: ${summary}"><title>${summary}
${l.hosts.join('\n')}
${l.networks.join('\n')}</title><circle cx="${x}" cy="${y}" r="${r}"/><text class="label" x="${lx}" y="${y + 1}"${lx < x ? trusted(' text-anchor="end"') : ''}>${label}${netLabel ? html`<tspan class="net" x="${lx}" dy="12"> ${netLabel}</tspan>` : ''}</text><g class="tip"><rect x="${tx}" y="${ty}" width="${tipW}" height="${tipH}" rx="4"/>${tip.map((t, i) => html`<text x="${tx + 6}" y="${ty + 18 + i * 15}">${shortHost(t, 48)}</text>`)}</g></a>`;
  });

  return html`<svg class="map" viewBox="0 0 ${MAP_WIDTH} ${MAP_HEIGHT}" role="group" aria-labelledby="map-caption">
<path class="sphere" d="${path({ type: 'Sphere' }) ?? ''}"/>
<path class="land" d="${path(feature(a, a.objects.land)) ?? ''}"/>
${join(highlighted.map((f) => html`<path class="served" d="${path(f) ?? ''}"><title>${f.properties?.name ?? ''}</title></path>`))}
<path class="borders" d="${path(mesh(a, a.objects.countries, (x, y) => x !== y)) ?? ''}"/>
${join(marks)}
</svg>`;
}
