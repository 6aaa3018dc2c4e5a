import { z } from "zod";
import { type Cidr, parseCidr } from "./lib/ip";

/**
 * The SOURCES var (DESIGN §6): one entry per source. Push sources name the secret holding
 * their ingest token; bucket sources name their key prefix in the landing bucket; pollers
 * name the organization, the secret holding their API token and the API base URL.
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1-63 characters of a-z, 0-9, '_' or '-'");
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a variable name");
const cidr = z.string().refine((s) => parseCidr(s) !== null, "must be an IP address or CIDR");

const common = {
  id,
  /** Days a row is kept; 0 or absent keeps rows forever. */
  ttlDays: z.number().int().nonnegative().optional(),
  workspaceID: z.string().max(200).optional(),
};

const push = {
  ingestTokenEnv: envName.optional(),
  allowedIPs: z.array(cidr).optional(),
  /** Largest accepted request body, compressed or not. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(32 * 1024 * 1024)
    .optional(),
};
const bucket = {
  prefix: z.string().min(1, "must not be empty").optional(),
};
const poller = {
  organization: z.string().min(1),
  tokenEnv: envName,
  baseUrl: z.url().optional(),
  intervalSeconds: z.number().int().min(60).max(86_400).default(60),
};

const turbopuffer = z
  .object({ ...common, type: z.literal("turbopuffer"), ...push, ...bucket })
  .strict()
  .refine((s) => s.ingestTokenEnv || s.prefix, {
    message: "needs ingestTokenEnv (push) or prefix (bucket files), or both",
    path: ["ingestTokenEnv"],
  });
const circleci = z
  .object({ ...common, type: z.literal("circleci"), prefix: z.string().min(1) })
  .strict();
const airkit = z
  .object({ ...common, type: z.literal("airkit"), prefix: z.string().min(1) })
  .strict();
const planetscale = z.object({ ...common, type: z.literal("planetscale"), ...poller }).strict();
const turso = z.object({ ...common, type: z.literal("turso"), ...poller }).strict();

const sourceSchema = z.discriminatedUnion("type", [
  turbopuffer,
  circleci,
  airkit,
  planetscale,
  turso,
]);

export type SourceConfig = z.infer<typeof sourceSchema> & { allowedCidrs?: Cidr[] };
export type SourceType = SourceConfig["type"];
export const SOURCE_TYPES = ["turbopuffer", "circleci", "airkit", "planetscale", "turso"] as const;

export const DEFAULT_BASE_URLS = {
  planetscale: "https://api.planetscale.com/v1",
  turso: "https://api.turso.tech/v1",
} as const;

export class ConfigError extends Error {
  override name = "ConfigError";
}

function describeIssue(entries: unknown[], issue: z.core.$ZodIssue): string {
  const [index, ...path] = issue.path;
  const entry = typeof index === "number" ? entries[index] : undefined;
  const entryId =
    entry && typeof entry === "object" && "id" in entry ? ` (id ${JSON.stringify(entry.id)})` : "";
  const where = typeof index === "number" ? `SOURCES[${index}]${entryId}` : "SOURCES";
  const field = path.length ? ` field "${path.join(".")}"` : "";
  return `${where}${field}: ${issue.message}`;
}

export function parseSources(raw: unknown): SourceConfig[] {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new ConfigError(`SOURCES: not valid JSON (${(err as Error).message})`);
    }
  }
  if (!Array.isArray(value)) throw new ConfigError("SOURCES: must be a JSON array of sources");
  const result = z.array(sourceSchema).safeParse(value);
  if (!result.success) {
    const entries = value as unknown[];
    throw new ConfigError(result.error.issues.map((i) => describeIssue(entries, i)).join("; "));
  }
  const seen = new Set<string>();
  const prefixes: Array<[string, string]> = [];
  return result.data.map((source, index) => {
    if (seen.has(source.id)) {
      throw new ConfigError(
        `SOURCES[${index}] field "id": duplicate id ${JSON.stringify(source.id)}`,
      );
    }
    seen.add(source.id);
    const prefix = "prefix" in source ? source.prefix : undefined;
    if (prefix) {
      for (const [otherId, other] of prefixes) {
        if (prefix.startsWith(other) || other.startsWith(prefix)) {
          throw new ConfigError(
            `SOURCES[${index}] (id "${source.id}") field "prefix": "${prefix}" overlaps the prefix "${other}" of source "${otherId}"`,
          );
        }
      }
      prefixes.push([source.id, prefix]);
    }
    if ("allowedIPs" in source && source.allowedIPs) {
      return { ...source, allowedCidrs: source.allowedIPs.map((c) => parseCidr(c) as Cidr) };
    }
    return source;
  });
}

let cache: { raw: unknown; key: string; sources: SourceConfig[] } | undefined;

/** The parsed sources of this isolate's env (parsed once per distinct SOURCES value). */
export function loadSources(env: { SOURCES?: unknown }): SourceConfig[] {
  const raw = env.SOURCES ?? [];
  if (cache && cache.raw === raw) return cache.sources;
  const key = typeof raw === "string" ? raw : JSON.stringify(raw);
  if (cache && cache.key === key) return cache.sources;
  const sources = parseSources(raw);
  cache = { raw, key, sources };
  return sources;
}

export function findSource(env: { SOURCES?: unknown }, id: string): SourceConfig | undefined {
  return loadSources(env).find((s) => s.id === id);
}

/** A secret or var by name (names come from the config, so they are not in the Env type). */
export function readSecret(env: object, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = (env as Record<string, unknown>)[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
