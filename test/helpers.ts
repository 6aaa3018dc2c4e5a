import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../src/index";
import { UPDATE_EVERY_MS } from "../src/store/alerts";
import { groupRecords, type QuarantinedRecord } from "../src/store/quarantine";

export const QUERY_TOKEN = "test-query-token";
export const ADMIN_TOKEN = "test-admin-token";
export const INGEST_TOKEN = "test-ingest-token";
export const BASE = "https://auditflare.test";

export type Json = Record<string, unknown>;

/**
 * Calls the Worker's fetch handler in this workerd isolate. (Going through `exports.default` or
 * SELF gets slower with every request in vitest-pool-workers 0.15, which a 1,200-request
 * property test cannot afford; the handler, bindings and runtime are the same.)
 */
export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export function push(
  sourceId: string,
  body: BodyInit,
  opts: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  const token = opts.token === undefined ? INGEST_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return call(`/v1/ingest/${sourceId}`, { method: "POST", body, headers });
}

export function query(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, { headers: { authorization: `Bearer ${QUERY_TOKEN}`, ...headers } });
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function count(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A source's counters (received, inserted, duplicates, quarantined) as source_stats holds them. */
export async function sourceCounts(sourceID: string): Promise<Json> {
  const row = await env.DB.prepare(
    "SELECT received, inserted, duplicates, quarantined FROM source_stats WHERE sourceID = ?",
  )
    .bind(sourceID)
    .first<Json>();
  return row ?? {};
}

/** What a source's counters did between two readings of sourceCounts. */
export function countsChange(before: Json, after: Json): Json {
  const d: Json = {};
  for (const k of ["received", "inserted", "duplicates", "quarantined"])
    d[k] = Number(after[k] ?? 0) - Number(before[k] ?? 0);
  return d;
}

/** A distinct, valid turbopuffer event (i makes it unique; t its occurred_at). */
export function tpEvent(i: number, t = Date.UTC(2026, 3, 1) + i * 1000): Json {
  return {
    action: "session-created",
    occurred_at: new Date(t).toISOString().replace(".000Z", "Z"),
    actor: { type: "user", id: `user_${i}`, name: `user${i}@example.com` },
    targets: [
      { type: "session", id: `sess_${i}`, name: `sess_${i}`, metadata: { user_agent: "test" } },
    ],
    context: { location: "203.0.113.7" },
    metadata: { session_id: `sess_${i}` },
  };
}

/** Every bad record kept in quarantine groups whose rows match `where` (SQL on quarantine). */
export async function keptRecords(
  where = "true",
  ...params: unknown[]
): Promise<QuarantinedRecord[]> {
  const { results } = await env.DB.prepare(
    `SELECT raw, rawRef, rawEncoding FROM quarantine WHERE rawEncoding LIKE 'records%' AND (${where})`,
  )
    .bind(...params)
    .all<{ raw: string | null; rawRef: string | null; rawEncoding: string }>();
  const out: QuarantinedRecord[] = [];
  for (const row of results) for (const r of (await groupRecords(env, row)) ?? []) out.push(r);
  return out;
}

/**
 * The test env with some vars added or replaced, the shared env untouched. (Assigning on an
 * object whose prototype is the env would go through the env proxy and change it for all.)
 */
export function envWith(vars: Record<string, unknown>): Env {
  const e = Object.create(env) as Env;
  for (const [k, v] of Object.entries(vars))
    Object.defineProperty(e, k, { value: v, enumerable: true });
  return e;
}

/**
 * A minute passes for the alert outbox: the alerts' last notification (of those of `dedupKey`,
 * or all) moves UPDATE_EVERY_MS back, so their next version may go (an update within the minute
 * waits, coalesced).
 */
export async function aMinuteLater(dedupKey?: string): Promise<void> {
  await env.DB.prepare(
    `UPDATE alerts SET notifiedAt = notifiedAt - ?1
     WHERE notifiedAt IS NOT NULL AND (?2 IS NULL OR dedupKey = ?2)`,
  )
    .bind(UPDATE_EVERY_MS, dedupKey ?? null)
    .run();
}
