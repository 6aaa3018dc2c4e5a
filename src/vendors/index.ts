import { z } from "zod";
import { auditflare } from "./auditflare";
import type { Normalizer } from "./event";
import { manifestVendors } from "./manifest";
import type { Vendor } from "./types";

/**
 * The one list of vendors. Adding a vendor: a folder with a manifest (src/vendors/<vendor>/
 * vendor.yaml, listed by MANIFEST_VENDORS with no edit here), or a TypeScript folder and one
 * entry here; everything else is derived (docs/adding-a-vendor.md).
 */
// The seed manifests keep their place: the `logs` view's CASE follows this order, so moving
// them would rewrite that view in a migration for nothing.
const manifests = manifestVendors("turbopuffer", "circleci", "airkit", "planetscale", "turso");

// biome-ignore format: one vendor a line, so adding one is a one-line diff
export const VENDORS = [
  ...manifests.placed,
  auditflare,
  ...manifests.others,
] as const;

export type SourceType = (typeof VENDORS)[number]["type"];
export const SOURCE_TYPES = VENDORS.map((v) => v.type) as unknown as readonly [
  SourceType,
  ...SourceType[],
];

/** Each vendor's config schema, in registry order: the tuple zod's union needs, from the list. */
type ConfigsOf<T extends readonly Vendor[]> = { -readonly [K in keyof T]: T[K]["config"] };
type Configs = ConfigsOf<typeof VENDORS>;

/** A SOURCES entry of any vendor, told apart by `type`. */
export const sourceSchema = z.discriminatedUnion(
  "type",
  VENDORS.map((v) => v.config) as unknown as Configs,
);

const byType = new Map<string, Vendor>(VENDORS.map((v) => [v.type, v]));

export function vendorOf(type: string): Vendor {
  const vendor = byType.get(type);
  if (!vendor) throw new Error(`unknown source type "${type}"`);
  return vendor;
}

/** The vendor of a source type, if it is one (rows of a type since removed have none). */
export function findVendor(type: string): Vendor | undefined {
  return byType.get(type);
}

export function normalizerFor(type: string): Normalizer {
  return vendorOf(type).normalizer;
}

const TEST_OBJECT_PREFIXES = VENDORS.flatMap(
  (v) => ("testObjectPrefixes" in v ? v.testObjectPrefixes : []) as readonly string[],
);

const SKIP_KEYS = VENDORS.flatMap((v) => ("skipKeys" in v ? v.skipKeys : []) as readonly RegExp[]);

/**
 * Objects vendors write to check they can write, and keys a manifest's `files.skip.keys` names:
 * skipped, never parsed.
 */
export function isVendorTestObject(key: string): boolean {
  const name = key.slice(key.lastIndexOf("/") + 1);
  return TEST_OBJECT_PREFIXES.some((p) => name.startsWith(p)) || SKIP_KEYS.some((k) => k.test(key));
}
