import { parseIP, unmapIPv4 } from "../lib/ip";
import type { Endpoint, NormalizedEvent } from "../vendors/event";
import { type Ipdb, type IpInfo, lookupIp } from "./ipdb";
import { getIpdb, type IpdbState } from "./load";
import { specialPurpose } from "./reserved";

/**
 * The enrichment stage (DESIGN §2): srcIP → AS number, AS organization (also the ISP column),
 * the IP's country and, when the operator built the database with a city CSV, city and
 * coordinates. Offline: one binary search in an in-memory table per event.
 *
 * Vendor-provided values always win: a field the normalizer filled is never overwritten.
 */

/** Look up one address: null for unparsable, special-purpose or unknown addresses. */
export function lookup(db: Ipdb, ip: string): IpInfo | null {
  const parsed = parseIP(ip);
  if (!parsed) return null;
  const addr = unmapIPv4(parsed);
  if (specialPurpose(addr)) return null;
  return lookupIp(db, addr);
}

/** The `enrichments` entry recording which dataset filled which columns. */
interface IpdbEnrichment {
  type: "ipdb";
  version: string;
  field: "srcIP";
  filled: string[];
}

const isSet = (v: unknown) => v !== null && v !== undefined && v !== "";

/**
 * Fill the empty location fields of an endpoint from the database. Returns the names of the
 * row columns it filled (prefixed with `prefix`), empty if it filled none.
 */
export function enrichEndpoint(db: Ipdb, e: Endpoint, prefix = "src"): string[] {
  if (!e.ip) return [];
  const info = lookup(db, e.ip);
  if (!info) return [];
  const filled: string[] = [];
  // The AS number and organization are one fact: take both from us only if the vendor gave
  // neither, so a row never pairs a vendor's AS with our name for another.
  if (!isSet(e.asNumber) && !isSet(e.asOrganization) && info.asNumber !== null) {
    e.asNumber = info.asNumber;
    filled.push(`${prefix}ASNumber`);
    if (info.asOrganization !== null) {
      e.asOrganization = info.asOrganization;
      filled.push(`${prefix}ASOrganization`);
      if (!isSet(e.isp)) {
        e.isp = info.asOrganization;
        filled.push(`${prefix}ISP`);
      }
    }
  }
  if (!isSet(e.asCountryCode) && info.countryCode !== null) {
    e.asCountryCode = info.countryCode;
    filled.push(`${prefix}ASCountryCode`);
  }
  // Likewise city and coordinates: all ours or all the vendor's.
  if (!isSet(e.city) && !isSet(e.latitude) && !isSet(e.longitude)) {
    if (info.city !== null) {
      e.city = info.city;
      filled.push(`${prefix}City`);
    }
    if (info.latitude !== null && info.longitude !== null) {
      e.latitude = info.latitude;
      e.longitude = info.longitude;
      filled.push(`${prefix}Latitude`, `${prefix}Longitude`);
    }
  }
  return filled;
}

/** Enrich each event's source endpoint in place with a loaded database. */
function enrichWith(db: Ipdb, events: NormalizedEvent[]): void {
  const version = db.header.version;
  for (const event of events) {
    const filled = enrichEndpoint(db, event.src);
    if (filled.length === 0) continue;
    const entry: IpdbEnrichment = { type: "ipdb", version, field: "srcIP", filled };
    event.enrichments = [...event.enrichments, entry];
  }
}

/**
 * Enrich events with the database from the IPDB bucket. Never fails: without a database (or
 * if anything goes wrong) the events keep null location fields, and the state says why.
 */
export async function enrichEvents(
  env: { IPDB?: R2Bucket },
  events: NormalizedEvent[],
): Promise<IpdbState | null> {
  if (!events.some((e) => e.src.ip)) return null;
  const state = await getIpdb(env.IPDB);
  if (state.status !== "ok") return state;
  try {
    enrichWith(state.db, events);
  } catch (e) {
    // A bug here must not lose events: log it, store them unenriched.
    console.error("ipdb: enrichment failed, storing events without it", e);
  }
  return state;
}
