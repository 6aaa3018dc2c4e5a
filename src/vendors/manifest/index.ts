import { z } from "zod";
import { bucketFields, commonFields, oneBucket, pollFields, pushFields } from "../fields";
import { type MANIFEST_TRANSPORTS, type MANIFEST_TYPES, MANIFESTS } from "../manifests.gen";
import type { PushAuth, Vendor } from "../types";
import { manifestNormalizer } from "./normalize";
import { manifestPoll } from "./poll";
import type { Manifest } from "./schema";
import { viewOf } from "./view";

export type { Manifest };

/**
 * Manifest vendors: each src/vendors/<type>/vendor.yaml, bundled into manifests.gen.ts
 * (scripts/vendors-bundle.mjs), becomes the same `Vendor` a TypeScript vendor exports: its
 * config, normalizer, view, and its page client (poll), push auth (push) or skip rules (files).
 * The registry (src/vendors/index.ts) lists them all. The transports read only that `Vendor`: a
 * manifest adds data, never a path.
 */

type ManifestType = (typeof MANIFEST_TYPES)[number];
type Sections<T> = T extends keyof typeof MANIFEST_TRANSPORTS
  ? (typeof MANIFEST_TRANSPORTS)[T][number]
  : "poll";

/** The config a manifest vendor's SOURCES entry takes, as the type system sees it. */
type ManifestConfig<T extends string> = z.ZodObject<
  typeof commonFields & { type: z.ZodLiteral<T> } & ("poll" extends Sections<T>
      ? typeof pollFields
      : unknown) &
    ("push" extends Sections<T> ? typeof pushFields : unknown) &
    ("files" extends Sections<T> ? typeof bucketFields : unknown)
>;

type ManifestVendor<T extends string> = Vendor<T> & { config: ManifestConfig<T> };

/** The manifest's own config fields (GitHub's organization), with their patterns. */
function ownFields(m: Manifest) {
  return Object.fromEntries(
    Object.entries(m.config).map(([k, f]) => {
      const s = z.string().min(1);
      return [
        k,
        f.pattern ? s.regex(new RegExp(`^(?:${f.pattern})$`), `must match ${f.pattern}`) : s,
      ];
    }),
  );
}

/**
 * A SOURCES entry of the vendor: a polled one takes pollFields (baseUrl required when the
 * manifest names no default); a pushed one pushFields with its ingestTokenEnv; a files one
 * bucketFields with exactly one bucket; one that is both takes either or both.
 */
function configOf<T extends string>(m: Manifest & { type: T }): ManifestConfig<T> {
  const base = { ...commonFields, type: z.literal(m.type) };
  const own = ownFields(m);
  if (m.poll) {
    const baseUrl = m.poll.baseUrl ? z.url().optional() : z.url();
    return z
      .object({ ...base, ...pollFields, baseUrl, ...own })
      .strict() as unknown as ManifestConfig<T>;
  }
  if (m.push && m.files)
    return z
      .object({ ...base, ...pushFields, ...bucketFields, ...own })
      .strict()
      .refine(...oneBucket(true))
      .refine((s) => s.ingestTokenEnv || s.prefix || s.s3 || s.gcs || s.azure, {
        message: "needs ingestTokenEnv (push) or a bucket (prefix, s3, gcs or azure), or both",
        path: ["ingestTokenEnv"],
      }) as unknown as ManifestConfig<T>;
  if (m.push)
    return z
      .object({
        ...base,
        ...pushFields,
        ingestTokenEnv: pushFields.ingestTokenEnv.unwrap(),
        ...own,
      })
      .strict() as unknown as ManifestConfig<T>;
  return z
    .object({ ...base, ...bucketFields, ...own })
    .strict()
    .refine(...oneBucket(false)) as unknown as ManifestConfig<T>;
}

/** The push section's auth as the push route reads it (src/lib/signature.ts's scheme). */
function pushAuth(m: Manifest): PushAuth {
  const auth = m.push?.auth ?? { kind: "bearer" };
  if (auth.kind === "bearer") return auth;
  const { prefix, timestamp, signed, ...scheme } = auth;
  return {
    ...scheme,
    ...(prefix !== undefined && { prefix }),
    ...(timestamp && { timestamp }),
    ...(signed && { signed }),
  };
}

export function manifestVendor<T extends string>(m: Manifest & { type: T }): ManifestVendor<T> {
  const { paths: _paths, ...view } = viewOf(m);
  const transports = [
    ...(m.push ? (["push"] as const) : []),
    ...(m.files ? (["bucket"] as const) : []),
    ...(m.poll ? (["poll"] as const) : []),
  ];
  return {
    type: m.type,
    transports,
    config: configOf(m),
    normalizer: manifestNormalizer(m),
    view,
    ...(m.push && m.push.auth.kind !== "bearer" && { push: { auth: pushAuth(m) } }),
    ...(m.poll && { poll: manifestPoll(m) }),
    ...(m.files && {
      testObjectPrefixes: m.files.skip.prefixes,
      skipKeys: m.files.skip.keys.map((k) => new RegExp(`^(?:${k})$`)),
    }),
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
