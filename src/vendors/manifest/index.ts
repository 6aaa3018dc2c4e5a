import { z } from "zod";
import { commonFields, pollFields } from "../fields";
import { type MANIFEST_TYPES, MANIFESTS } from "../manifests.gen";
import type { Vendor } from "../types";
import { manifestNormalizer } from "./normalize";
import { manifestPoll } from "./poll";
import type { Manifest } from "./schema";
import { viewOf } from "./view";

export type { Manifest };

/**
 * Manifest vendors: each src/vendors/<type>/vendor.yaml, bundled into manifests.gen.ts
 * (scripts/vendors-bundle.mjs), becomes the same `Vendor` a TypeScript vendor exports: its
 * config, normalizer, view and page client. The registry (src/vendors/index.ts) lists them all.
 */

/** The config a manifest vendor's SOURCES entry takes, as the type system sees it. */
type ManifestConfig<T extends string> = z.ZodObject<
  typeof commonFields & { type: z.ZodLiteral<T> } & typeof pollFields
>;

type ManifestVendor<T extends string> = Vendor<T> & { config: ManifestConfig<T> };

function configOf<T extends string>(m: Manifest & { type: T }): ManifestConfig<T> {
  const own = Object.fromEntries(
    Object.entries(m.config).map(([k, f]) => {
      const s = z.string().min(1);
      return [
        k,
        f.pattern ? s.regex(new RegExp(`^(?:${f.pattern})$`), `must match ${f.pattern}`) : s,
      ];
    }),
  );
  const baseUrl = m.poll.baseUrl ? z.url().optional() : z.url();
  return z
    .object({ ...commonFields, type: z.literal(m.type), ...pollFields, baseUrl, ...own })
    .strict() as unknown as ManifestConfig<T>;
}

export function manifestVendor<T extends string>(m: Manifest & { type: T }): ManifestVendor<T> {
  const { paths: _paths, ...view } = viewOf(m);
  return {
    type: m.type,
    transports: ["poll"],
    config: configOf(m),
    normalizer: manifestNormalizer(m),
    view,
    poll: manifestPoll(m),
  };
}

/** One vendor per type, as a tuple (mapped over a type parameter, so it stays one). */
type VendorsOf<T extends readonly string[]> = {
  -readonly [K in keyof T]: ManifestVendor<T[K] & string>;
};

/** Every manifest vendor, in the order of their types (a tuple, so the config union stays typed). */
export const MANIFEST_VENDORS = MANIFESTS.map(manifestVendor) as unknown as VendorsOf<
  typeof MANIFEST_TYPES
>;

type ManifestType = (typeof MANIFEST_TYPES)[number];
/** A vendor per type of a union (distributed, so each keeps its own config type). */
type EachVendor<T extends string> = T extends string ? ManifestVendor<T> : never;

/**
 * The manifest vendors split for the registry: those of `types`, in that order (vendors that
 * keep a place of their own in it), and every other one, in the order of their types.
 */
export function manifestVendors<const T extends readonly ManifestType[]>(...types: T) {
  const byType = (t: string) => MANIFEST_VENDORS.find((v) => v.type === t);
  return {
    placed: types.map(byType) as unknown as { -readonly [K in keyof T]: EachVendor<T[K]> },
    others: MANIFEST_VENDORS.filter((v) => !types.includes(v.type)) as unknown as Array<
      EachVendor<Exclude<ManifestType, T[number]>>
    >,
  };
}
