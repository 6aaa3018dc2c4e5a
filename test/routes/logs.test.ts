import { beforeAll, describe, expect, it } from "vitest";
import { call, type Json, push, query, tpEvent } from "../helpers";

const T0 = Date.UTC(2026, 0, 1);

async function data(res: Response): Promise<{ data: Json[]; nextCursor: string | null }> {
  expect(res.status).toBe(200);
  return (await res.json()) as { data: Json[]; nextCursor: string | null };
}

beforeAll(async () => {
  // 250 events one minute apart; every 50th shares its timestamp with the next (tie on time).
  const events = Array.from({ length: 250 }, (_, i) => {
    const e = tpEvent(i, T0 + (i - (i % 50 === 1 ? 1 : 0)) * 60_000);
    if (i % 2 === 0) e.action = "api-key-created";
    return e;
  });
  const res = await push("turbopuffer", JSON.stringify(events));
  expect(await res.json()).toMatchObject({ inserted: 250 });
  await push("tp-other", JSON.stringify([tpEvent(9999, T0)]), { token: "other-ingest-token" });
});

async function pageAll(path: string): Promise<Json[]> {
  const rows: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await data(
      await query(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ""}`),
    );
    rows.push(...page.data);
    cursor = page.nextCursor;
    if (++pages > 10) throw new Error("too many pages");
  } while (cursor);
  return rows;
}

describe("GET /v1/logs", () => {
  it("pages through 250 events with limit 100, each exactly once, newest first", async () => {
    const rows = await pageAll("/v1/logs?sourceID=turbopuffer&limit=100");
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((r) => r.id)).size).toBe(250);
    const keys = rows.map((r) => [r.eventTime as string, r.id as string] as const);
    const sorted = [...keys].sort((a, b) =>
      a[0] === b[0] ? b[1].localeCompare(a[1]) : b[0].localeCompare(a[0]),
    );
    expect(keys).toEqual(sorted);
  });

  it("pages oldest first with order=asc", async () => {
    const rows = await pageAll("/v1/logs?sourceID=turbopuffer&limit=100&order=asc");
    expect(rows).toHaveLength(250);
    expect(rows[0]?.eventTime).toBe(new Date(T0).toISOString());
  });

  it("returns nextCursor null on the last page", async () => {
    const page = await data(await query("/v1/logs?sourceID=turbopuffer&limit=250"));
    expect(page.data).toHaveLength(250);
    expect(page.nextCursor).toBeNull();
  });

  it("filters by time range (from inclusive, to exclusive) on eventTime", async () => {
    const from = new Date(T0 + 10 * 60_000).toISOString();
    const to = new Date(T0 + 20 * 60_000).toISOString();
    const page = await data(
      await query(`/v1/logs?sourceID=turbopuffer&from=${from}&to=${to}&limit=1000`),
    );
    expect(page.data).toHaveLength(10);
    for (const r of page.data) {
      const t = r.eventTime as string;
      expect(t >= from && t < to).toBe(true);
    }
  });

  it("reads a bare date as its midnight UTC", async () => {
    const page = await data(
      await query(
        "/v1/logs?sourceID=turbopuffer&from=2026-01-01&to=2026-01-01T00:10:00Z&limit=1000",
      ),
    );
    expect(page.data).toHaveLength(10);
  });

  it("filters on receivedAt with timeField=receivedAt", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const page = await data(await query(`/v1/logs?timeField=receivedAt&from=${future}`));
    expect(page.data).toHaveLength(0);
    const past = await data(
      // (The self-audit source holds this file's own queries: vendor rows only.)
      await query(
        "/v1/logs?timeField=receivedAt&from=2020-01-01T00:00:00Z&sourceType=turbopuffer&limit=1000",
      ),
    );
    expect(past.data).toHaveLength(251);
  });

  it("filters by eventName, actor, sourceType, sourceID and srcIP", async () => {
    expect(
      (await data(await query("/v1/logs?eventName=api-key-created&limit=1000"))).data,
    ).toHaveLength(125);
    const byActor = await data(await query("/v1/logs?actor=user7%40example.com"));
    expect(byActor.data.map((r) => (r.actor as Json).id)).toEqual(["user_7"]);
    expect((await data(await query("/v1/logs?sourceID=tp-other"))).data).toHaveLength(1);
    expect(
      (await data(await query("/v1/logs?sourceType=turbopuffer&limit=1000"))).data,
    ).toHaveLength(251);
    expect((await data(await query("/v1/logs?sourceType=circleci"))).data).toHaveLength(0);
    expect((await data(await query("/v1/logs?srcIP=203.0.113.7&limit=1000"))).data).toHaveLength(
      251,
    );
  });

  it("exports every matching row as NDJSON", async () => {
    const res = await query("/v1/logs?sourceID=turbopuffer", { accept: "application/x-ndjson" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = new TextDecoder()
      .decode(await res.arrayBuffer())
      .trim()
      .split("\n");
    expect(lines).toHaveLength(250);
    const ids = lines.map((l) => (JSON.parse(l) as Json).id);
    expect(new Set(ids).size).toBe(250);
  });

  it("names the bad parameter in a 400", async () => {
    const cases: Array<[string, string]> = [
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["from=yesterday", "from"],
      ["order=sideways", "order"],
      ["timeField=createdAt", "timeField"],
      ["cursor=garbage", "cursor"],
      ["sourceType=gitlab", "sourceType"],
      ["form=2026-01-01T00:00:00Z", "form"],
    ];
    for (const [qs, param] of cases) {
      const res = await query(`/v1/logs?${qs}`);
      expect(res.status, qs).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.message, qs).toContain(param);
    }
  });

  it("rejects a cursor reused with another sort order", async () => {
    const page = await data(await query("/v1/logs?limit=1"));
    const res = await query(`/v1/logs?limit=1&order=asc&cursor=${page.nextCursor}`);
    expect(res.status).toBe(400);
  });

  it("requires the query token", async () => {
    expect((await call("/v1/logs")).status).toBe(401);
    expect(
      (await call("/v1/logs", { headers: { authorization: "Bearer test-ingest-token" } })).status,
    ).toBe(401);
    expect((await call("/v1/logs/abc")).status).toBe(401);
  });
});

describe("GET /v1/logs/:id", () => {
  it("answers 404 for an unknown row", async () => {
    const res = await query("/v1/logs/0123456789abcdef0123456789abcdef");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("log_not_found");
  });
});

describe("service routes", () => {
  it("GET /healthz answers ok without a token", async () => {
    const res = await call("/healthz");
    expect(await res.json()).toEqual({ ok: true });
  });

  it("GET /v1/openapi.json describes the API", async () => {
    const spec = (await (await call("/v1/openapi.json")).json()) as {
      openapi: string;
      paths: Json;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        "/v1/ingest/{sourceId}",
        "/v1/logs",
        "/v1/logs/{id}",
        "/v1/sources",
        "/v1/sources/{sourceId}/files",
        "/v1/quarantine",
        "/v1/quarantine/{id}/replay",
      ]),
    );
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
