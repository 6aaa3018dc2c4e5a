import { z } from "zod";
import { AppError, AuditflareError } from "./lib/errors";
import { type Cidr, parseCidr } from "./lib/ip";
import { SOURCE_TYPES, type SourceType, sourceSchema } from "./vendors";

/**
 * The SOURCES var (DESIGN §6): one entry per source, each checked by its vendor's schema
 * (src/vendors/<vendor>/index.ts). Push sources name the secret holding their ingest token;
 * bucket sources name their key prefix in the landing bucket; pollers name the organization,
 * the secret holding their API token and the API base URL.
 */

export type SourceConfig = z.infer<typeof sourceSchema> & { allowedCidrs?: Cidr[] };
export type { SourceType };
export { SOURCE_TYPES };

export class ConfigError extends AuditflareError {
  constructor(message: string) {
    super("config_invalid", message);
  }
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
  // The built-in source of the collector's own audit trail is always there (listed: its settings).
  const data = result.data.some((s) => s.type === "auditflare")
    ? result.data
    : [...result.data, { id: "auditflare", type: "auditflare" as const }];
  return data.map((source, index) => {
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

/**
 * The source a route serves by id: 404 `source_not_found` when no source has it, else 404 `code`
 * when it is not of the kind the route takes (the message says what it lacks).
 */
export function routeSource<T extends SourceConfig>(
  env: { SOURCES?: unknown },
  id: string,
  takes: (s: SourceConfig) => s is T,
  code: "not_a_push_source" | "not_a_bucket_source",
  lacks: string,
): T {
  const source = findSource(env, id);
  if (!source) throw new AppError("source_not_found", `no source with id "${id}"`);
  if (!takes(source)) throw new AppError(code, `source "${id}" (${source.type}) ${lacks}`);
  return source;
}
