import { prepareRecords } from "../src/pipeline/prepare";
import { storedMaps } from "../src/store/derived";
import { commit } from "../src/store/ingest";
import { vendorOf } from "../src/vendors";
/**
 * Fixture-shaped events for the benchmarks (bench/*.bench.ts and scripts/bench-*.mjs): the
 * fields and sizes of the vendors' real events (src/vendors/<vendor>/fixtures/), numbered.
 */
export function benchEvent(type: string, i: number): Record<string, unknown> {
  const t = Date.UTC(2026, 7, 1) + i * 37;
  if (type === "circleci")
    return {
      id: `5e0d2c1b-aaaa-4bbb-8ccc-${String(i).padStart(12, "0")}`,
      version: 1,
      action: ["workflow.job.start", "context.secrets.accessed", "project.settings.update"][i % 3],
      actor: {
        id: `8a1f33e0-user-4c2b-9d11-${String(i % 5000).padStart(12, "0")}`,
        type: "user",
        name: `user-${i % 5000}`,
      },
      target: {
        id: `0b7e9d52-proj-4f60-8a77-${String(i % 300).padStart(12, "0")}`,
        type: "project",
        name: `project-${i % 300}`,
      },
      scope: { id: "6f2c0c4e-9b1a-4f55-8d7e-3a0b2e9c1d44", type: "account", name: "acme" },
      payload: {
        job_name: `build-${i % 40}`,
        workflow_id: `c3d4e5f6-${String(i).padStart(8, "0")}`,
      },
      occurred_at: new Date(t).toISOString(),
      metadata: { source: i % 2 ? "api" : "web-ui" },
      success: i % 11 !== 0,
      request: { id: `r-${String(i).padStart(16, "0")}`, ip_address: `198.51.100.${i % 250}` },
    };
  return {
    action: "session-created",
    occurred_at: new Date(t).toISOString(),
    actor: {
      type: "user",
      id: `user_${String(i).padStart(26, "0")}`,
      name: `user${i % 5000}@example.com`,
    },
    targets: [
      {
        type: "session",
        id: `session_${String(i).padStart(26, "0")}`,
        name: `session ${i}`,
        metadata: { user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" },
      },
    ],
    context: { location: `203.0.113.${i % 250}` },
    metadata: { session_id: `session_${String(i).padStart(26, "0")}` },
  };
}

/** The query benchmark's data set: this many events over QUERY_SOURCES sources. */
/** `n` bench events of a vendor from id `from`, framed as the pipeline takes them. */
export function framedBenchEvents(type: string, from: number, n: number) {
  return Array.from({ length: n }, (_, i) => {
    const value = benchEvent(type, from + i);
    return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
  });
}

/** Stores `n` bench events of `type` (from index `from`) for `sourceID`, 1,000 a commit. */
export async function storeBenchEvents(
  env: Env,
  sourceID: string,
  type: string,
  n: number,
  from: number,
): Promise<void> {
  for (let b = 0; b < n; b += 1000) {
    const framed = framedBenchEvents(type, from + b, Math.min(1000, n - b));
    const prepared = await prepareRecords(env, { id: sourceID, type }, framed, Date.now());
    await commit(env, {
      sourceID,
      sourceType: type,
      ...prepared,
      received: framed.length,
      now: Date.now(),
    });
  }
}

export const QUERY_EVENTS = 1_000_000;
export const QUERY_SOURCES = ["q0", "q1", "q2", "q3"];
const ACTIONS = [
  "session-created",
  "session-revoked",
  "api-key-created",
  "api-key-deleted",
  "namespace-created",
  "namespace-deleted",
  "member-invited",
  "member-removed",
  "billing-updated",
  "sso-configured",
];
/** One event every 3 s from 2026-01-01: 1 M events span ~35 days. */
export const QUERY_T0 = Date.UTC(2026, 0, 1);

/** Event i of the query benchmark (its source is QUERY_SOURCES[i % 4]). */
export function queryEvent(i: number): Record<string, unknown> {
  const e = benchEvent("turbopuffer", i);
  const user = `user_${String(i % 5000).padStart(26, "0")}`;
  return {
    ...e,
    action: ACTIONS[i % ACTIONS.length],
    occurred_at: new Date(QUERY_T0 + i * 3000).toISOString(),
    actor: { type: "user", id: user, name: `${user}@example.com` },
  };
}

/** The filters of `query_p50_ratio`, as GET /v1/logs parameters (newest first, 100 a page). */
export const QUERY_FILTERS: Record<string, Record<string, string>> = {
  source: { sourceID: "q1" },
  eventName: { eventName: "api-key-created" },
  actor: { actor: `user_${"7".padStart(26, "0")}` },
  time: {
    from: new Date(QUERY_T0 + 10 * 86_400_000).toISOString(),
    to: new Date(QUERY_T0 + 10 * 86_400_000 + 3_600_000).toISOString(),
  },
};

/** A 32-bit mix of i (deterministic ids for rows built without hashing). */
function mix(i: number, seed: number): string {
  let h = Math.imul(i ^ seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, "0");
}

/**
 * Row i of the query benchmark, built directly (as toRow would from queryEvent(i)), so both
 * sides of query_p50_ratio load the same million rows in seconds rather than normalizing them.
 */
export function queryRow(i: number) {
  const e = queryEvent(i) as {
    action: string;
    actor: { id: string; type: string; name: string };
    context: { location: string };
    metadata: { session_id: string };
  };
  const id = [1, 2, 3, 4].map((s) => mix(i, s)).join("");
  // the maps as the normalizer writes them, stored as toRow stores them (src/store/derived.ts)
  const maps = storedMaps(vendorOf("turbopuffer").view, e, JSON.stringify(e), {
    actor: JSON.stringify({
      id: e.actor.id,
      type: e.actor.type,
      name: e.actor.name,
      email: e.actor.name,
    }),
    tags: JSON.stringify({ session_id: e.metadata.session_id }),
    resources: JSON.stringify([`session:${e.metadata.session_id}`]),
  });
  return {
    id,
    workspaceID: "",
    sourceType: "turbopuffer",
    sourceID: QUERY_SOURCES[i % QUERY_SOURCES.length] as string,
    sourceTTL: 0,
    receivedAt: QUERY_T0 + i * 3000 + 500,
    eventTime: QUERY_T0 + i * 3000,
    eventName: e.action,
    eventID: `${id}${id}`,
    readOnly: 0,
    srcIP: e.context.location,
    srcASOrganization: null,
    srcASNumber: null,
    srcASCountryCode: null,
    srcCity: null,
    srcConnectionType: null,
    srcISP: null,
    srcLatitude: null,
    srcLongitude: null,
    srcUserType: null,
    ...maps,
    serviceName: "turbopuffer",
    enrichments: "[]",
    rawLog: JSON.stringify(e),
    rawLogRef: null,
    sourceFields: "{}",
  };
}

/** Stores rows 0 … n-1 of the query data set (queryRow), 4,000 at a time per source. */
export async function storeQueryRows(env: Env, n: number): Promise<void> {
  for (let b = 0; b < n; b += 4000) {
    for (const [k, sourceID] of QUERY_SOURCES.entries()) {
      const rows = [];
      for (let i = b + k; i < Math.min(b + 4000, n); i += QUERY_SOURCES.length)
        rows.push(queryRow(i));
      await commit(env, {
        sourceID,
        sourceType: "turbopuffer",
        rows,
        quarantine: [],
        received: rows.length,
        now: Date.now(),
      });
    }
  }
}
