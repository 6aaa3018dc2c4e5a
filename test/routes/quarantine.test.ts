import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deliver, putObject } from "../bucket-helpers";
import {
  ADMIN_TOKEN,
  call,
  count,
  countsChange,
  type Json,
  push,
  QUERY_TOKEN,
  query,
  sourceCounts,
  tpEvent,
} from "../helpers";

afterEach(() => vi.restoreAllMocks());

const replay = (id: string) =>
  call(`/v1/quarantine/${id}/replay`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });

async function list(qs = ""): Promise<{ data: Json[]; nextCursor: string | null }> {
  const res = await query(`/v1/quarantine${qs}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { data: Json[]; nextCursor: string | null };
}

describe("GET /v1/quarantine", () => {
  it("lists entries newest first with their input, error and location, and pages", async () => {
    await push("turbopuffer", JSON.stringify([tpEvent(1), { action: "x", occurred_at: "never" }]));
    await push("turbopuffer", JSON.stringify([tpEvent(2), { action: "y" }]));
    const page = await list("?sourceID=turbopuffer&limit=1");
    expect(page.data).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const all = [
      ...page.data,
      ...(await list(`?sourceID=turbopuffer&cursor=${page.nextCursor}`)).data,
    ];
    expect(all.map((e) => e.location)).toEqual(["[1]", "[1]"]);
    expect(all[0]).toMatchObject({
      stage: "normalize",
      errorCode: "invalid_event",
      status: "pending",
      seen: 1,
      records: 1,
    });
    expect(all[1]).toMatchObject({ errorCode: "invalid_time" });
    expect(String(all[0]?.receivedAt)).toMatch(/Z$/);
    expect((await call("/v1/quarantine")).status).toBe(401);
  });
});

describe("POST /v1/quarantine/:id/replay", () => {
  it("stores a kept event that now passes, once, and marks the entry replayed", async () => {
    const event = tpEvent(42);
    await env.DB.prepare(
      `INSERT INTO quarantine (id, sourceID, sourceType, stage, errorCode, error, location, raw, receivedAt, lastSeenAt)
       VALUES ('q-fixed', 'turbopuffer', 'turbopuffer', 'normalize', 'invalid_event', 'rejected by an older version', '[0]', ?, 1, 1)`,
    )
      .bind(JSON.stringify(event))
      .run();
    const res = await replay("q-fixed");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: "q-fixed",
      status: "replayed",
      result: { received: 1, inserted: 1, duplicates: 0 },
    });
    expect(
      await count("SELECT count(*) AS n FROM logs WHERE json_extract(actor, '$.id') = 'user_42'"),
    ).toBe(1);
    expect((await list("?status=replayed")).data.map((e) => e.id)).toContain("q-fixed");
    const again = await replay("q-fixed");
    expect(((await again.json()) as Json).result).toEqual({
      received: 1,
      inserted: 0,
      duplicates: 1,
    });
  });

  it("answers 422 and stores nothing when the input still fails", async () => {
    await push("turbopuffer", "{broken");
    const [entry] = (await list("?stage=parse")).data;
    const res = await replay(String(entry?.id));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    expect((await replay("nope")).status).toBe(404);
  });

  it("re-enqueues a dead-lettered file, which then lands", async () => {
    const start = await sourceCounts("circleci");
    const n = await putObject(
      "circleci/replay/one.ndjson",
      JSON.stringify({
        id: "rp-1",
        action: "org.rename",
        actor: { id: "u" },
        occurred_at: "2026-08-21T00:00:00Z",
      }),
    );
    await deliver([{ body: n, attempts: 6 }], "auditflare-bucket-events-dlq");
    const entry = (await list("?stage=dead-letter")).data.find(
      (e) => e.location === "circleci/replay/one.ndjson",
    ) as Json;
    const sent: unknown[] = [];
    vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
      sent.push(body);
      return undefined as never;
    });
    const res = await replay(String(entry.id));
    expect(res.status).toBe(202);
    expect(sent).toHaveLength(1);
    await deliver([{ body: sent[0] }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID = 'rp-1'")).toBe(1);
    expect(countsChange(start, await sourceCounts("circleci"))).toMatchObject({
      received: 1,
      inserted: 1,
      quarantined: 0,
    });
  });
});

describe("quarantine roles and parameters", () => {
  it("replay needs the admin token: the query token gets 403", async () => {
    const res = await call("/v1/quarantine/whatever/replay", {
      method: "POST",
      headers: { authorization: `Bearer ${QUERY_TOKEN}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: Json }).error.code).toBe("admin_required");
  });

  it("an unknown parameter is a 400 naming it", async () => {
    const res = await query("/v1/quarantine?foo=1");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "unknown_parameter", message: 'unknown query parameter "foo"' },
    });
  });

  it("a malformed Authorization header is called malformed, not missing", async () => {
    const res = await call("/v1/quarantine", { headers: { authorization: "Bearer tok x" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: Json }).error.code).toBe("malformed_authorization");
  });
});

describe("replay runs the stage that failed, on the same record", () => {
  it("an NDJSON line holding an array, or [], stays one record: replay refuses it and stores nothing", async () => {
    const a = { ...tpEvent(900_001), id: "arr-a" };
    const b = { ...tpEvent(900_002), id: "arr-b" };
    const body = [JSON.stringify(tpEvent(900_000)), JSON.stringify([a, b]), "[]"].join("\n");
    const res = await push("turbopuffer", body, {
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(await res.json()).toMatchObject({ received: 3, inserted: 1, quarantined: 2 });
    const entry = (await list("?sourceID=turbopuffer")).data.find(
      (e) => e.location === "line 2, line 3",
    ) as Json;
    expect(entry).toMatchObject({ records: 2, errorCode: "invalid_event", stage: "normalize" });
    const replayed = await replay(String(entry.id));
    expect(replayed.status).toBe(422);
    expect(((await replayed.json()) as { error: Json }).error.code).toBe("invalid_event");
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID IN ('arr-a', 'arr-b')")).toBe(
      0,
    );
    expect((await list("?status=pending")).data.map((e) => e.id)).toContain(entry.id);
  });

  it("a group whose records now pass is stored whole and marked replayed", async () => {
    const records = [tpEvent(900_010), tpEvent(900_011)].map((e, i) =>
      JSON.stringify({
        location: `line ${i + 1}`,
        stage: "normalize",
        errorCode: "invalid_event",
        error: "rejected by an older version",
        raw: JSON.stringify(e),
        json: true,
      }),
    );
    await env.DB.prepare(
      `INSERT INTO quarantine (id, sourceID, sourceType, stage, errorCode, error, location, raw, rawEncoding, records, receivedAt, lastSeenAt)
       VALUES ('q-group', 'turbopuffer', 'turbopuffer', 'normalize', 'invalid_event', 'older', 'line 1, line 2', ?, 'records', 2, 1, 1)`,
    )
      .bind(`${records.join("\n")}\n`)
      .run();
    const res = await replay("q-group");
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).result).toEqual({
      received: 2,
      inserted: 2,
      duplicates: 0,
    });
  });
});

describe("a replayed record is received once", () => {
  it("leaves quarantined for inserted; a second replay counts a duplicate received again", async () => {
    const bad = { ...tpEvent(900_020), occurred_at: "never" };
    const start = await sourceCounts("turbopuffer");
    await push("turbopuffer", JSON.stringify([tpEvent(900_021), bad]));
    expect(countsChange(start, await sourceCounts("turbopuffer"))).toEqual({
      received: 2,
      inserted: 1,
      duplicates: 0,
      quarantined: 1,
    });
    const entry = (await list("?sourceID=turbopuffer")).data[0] as Json;
    // today's code reads the kept record (here: the record as the vendor meant it)
    const fixed = JSON.stringify({
      location: "[1]",
      stage: "normalize",
      errorCode: "invalid_time",
      error: "older",
      raw: JSON.stringify(tpEvent(900_020)),
      json: true,
    });
    await env.DB.prepare("UPDATE quarantine SET raw = ? WHERE id = ?")
      .bind(`${fixed}\n`, entry.id)
      .run();
    expect((await replay(String(entry.id))).status).toBe(200);
    expect(countsChange(start, await sourceCounts("turbopuffer"))).toEqual({
      received: 2,
      inserted: 2,
      duplicates: 0,
      quarantined: 0,
    });
    expect((await replay(String(entry.id))).status).toBe(200);
    expect(countsChange(start, await sourceCounts("turbopuffer"))).toEqual({
      received: 3,
      inserted: 2,
      duplicates: 1,
      quarantined: 0,
    });
  });

  it("a body that could not be framed, replayed as two records, counts two received in all", async () => {
    const start = await sourceCounts("turbopuffer");
    await push("turbopuffer", "{broken2");
    expect(countsChange(start, await sourceCounts("turbopuffer"))).toMatchObject({
      received: 1,
      quarantined: 1,
    });
    const entry = (await list("?stage=parse")).data.find((e) => e.raw === "{broken2") as Json;
    await env.DB.prepare("UPDATE quarantine SET raw = ? WHERE id = ?")
      .bind(JSON.stringify([tpEvent(900_030), tpEvent(900_031)]), entry.id)
      .run();
    expect((await replay(String(entry.id))).status).toBe(200);
    expect(countsChange(start, await sourceCounts("turbopuffer"))).toEqual({
      received: 2,
      inserted: 2,
      duplicates: 0,
      quarantined: 0,
    });
  });

  it("a replay that fails changes no counter", async () => {
    await push("turbopuffer", "{broken3");
    const before = await sourceCounts("turbopuffer");
    const entry = (await list("?stage=parse")).data.find((e) => e.raw === "{broken3") as Json;
    expect((await replay(String(entry.id))).status).toBe(422);
    expect(await sourceCounts("turbopuffer")).toEqual(before);
  });
});

describe("a file that fails again after a replay", () => {
  it("goes back to pending with the new error and time", async () => {
    const key = "circleci/replay/unreadable.ndjson.gz";
    const start = await sourceCounts("circleci");
    await deliver([{ body: await putObject(key, new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3])) }]);
    const first = (await list("?sourceID=circleci")).data.find((e) => e.location === key) as Json;
    expect(first).toMatchObject({ status: "pending", errorCode: "invalid_gzip" });
    const sent: unknown[] = [];
    vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
      sent.push(body);
      return undefined as never;
    });
    expect((await replay(String(first.id))).status).toBe(202);
    expect((await list("?status=replayed")).data.map((e) => e.id)).toContain(first.id);
    await new Promise((r) => setTimeout(r, 5));
    await deliver([{ body: sent[0] }]);
    const again = (await list("?sourceID=circleci")).data.find((e) => e.id === first.id) as Json;
    expect(again).toMatchObject({ status: "pending", errorCode: "invalid_gzip", seen: 2 });
    // re-enqueued, the file left the counters; failing again, it is one record received again
    expect(countsChange(start, await sourceCounts("circleci"))).toMatchObject({
      received: 1,
      quarantined: 1,
    });
    expect(Date.parse(String(again.lastSeenAt))).toBeGreaterThan(
      Date.parse(String(first.lastSeenAt)),
    );
    expect((await list("?status=pending")).data.map((e) => e.id)).toContain(first.id);
  });
});
