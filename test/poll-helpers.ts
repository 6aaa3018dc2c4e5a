import { env } from "cloudflare:workers";
import { vi } from "vitest";

export type Json = Record<string, unknown>;

/** A PlanetScale audit-log event (every field of the OpenAPI schema), i-th newest at time t. */
export function psEvent(i: number, t: number): Json {
  return {
    id: `ev${String(i).padStart(10, "0")}`,
    type: "AuditLogEvent",
    actor_id: "f2h6n0c4xv7m",
    actor_type: "User",
    actor_display_name: "Tomás Alvarez",
    auditable_id: "d4t4b4s3x1y2",
    auditable_type: "Database",
    auditable_display_name: "orders",
    audit_action: "database.branch.created",
    action: "created",
    target_id: `br${i}`,
    target_type: "DatabaseBranch",
    target_display_name: `feature-${i}`,
    location: "Chicago, IL",
    remote_ip: "192.0.2.140",
    metadata: { from: "main" },
    created_at: new Date(t).toISOString(),
    updated_at: new Date(t).toISOString(),
  };
}

export interface FakeApi {
  requests: string[];
  /** Events newest first, as the vendor holds them right now (tests mutate it). */
  events: Json[];
}

/**
 * Stubs fetch with a PlanetScale-like API over `api.events` (newest first, cursor paging with
 * starting_after, has_next). `fail(n)` may answer the n-th request (1-based) differently.
 */
export function fakePlanetScale(
  api: FakeApi,
  fail?: (n: number, url: URL) => Response | Error | undefined,
) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "ps.test") return new Response("not this vendor", { status: 404 });
    api.requests.push(url.pathname + url.search);
    const special = fail?.(api.requests.length, url);
    if (special instanceof Error) throw special;
    if (special) return special;
    const auth = new Headers(init?.headers).get("authorization");
    if (auth !== "ps-id:ps-secret")
      return Response.json({ code: "unauthorized", message: "bad token" }, { status: 401 });
    const limit = Math.min(100, Number(url.searchParams.get("limit") ?? 25));
    const after = url.searchParams.get("starting_after");
    const start = after ? api.events.findIndex((e) => e.id === after) + 1 : 0;
    const data = api.events.slice(start, start + limit);
    return Response.json({
      type: "list",
      has_next: start + limit < api.events.length,
      has_prev: start > 0,
      cursor_start: data[0]?.id ?? null,
      cursor_end: data[data.length - 1]?.id ?? null,
      data,
    });
  });
}

export const T0 = Date.UTC(2026, 7, 1);

export async function psRows(sourceID = "ps"): Promise<string[]> {
  const r = await env.DB.prepare("SELECT eventID FROM logs WHERE sourceID = ? ORDER BY eventID")
    .bind(sourceID)
    .all<{ eventID: string }>();
  return r.results.map((x) => x.eventID);
}

export const cursorOf = (sourceID: string) =>
  env.DB.prepare("SELECT * FROM cursors WHERE sourceID = ?").bind(sourceID).first<Json>();
