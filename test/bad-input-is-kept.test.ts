import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseTimestamp } from "../src/lib/time";
import {
  FileFormatError,
  MAX_RECORD_CHARS,
  readRecords,
  type StreamRecord,
} from "../src/parse/stream";
import { runDuePollers } from "../src/transports/poll/scheduler";
import { portsOf } from "../src/wiring";
import { deliver, putObject } from "./bucket-helpers";
import { ADMIN_TOKEN, call, count, type Json, keptRecords, push, tpEvent } from "./helpers";
import { cursorOf, type FakeApi, fakePlanetScale, psEvent, T0 } from "./poll-helpers";

afterEach(() => vi.restoreAllMocks());

const stream = (text: string) => new Blob([text]).stream();
async function collect(text: string): Promise<StreamRecord[]> {
  const out: StreamRecord[] = [];
  for await (const r of readRecords(stream(text), (o) => "action" in o)) out.push(r);
  return out;
}
const replay = (id: string) =>
  call(`/v1/quarantine/${id}/replay`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });

describe("bad input is kept aside, never dropped and never blocking the rest", () => {
  it("a PlanetScale page with one odd event stores the others, quarantines that one, and the walk completes", async () => {
    const events = Array.from({ length: 150 }, (_, k) => psEvent(149 - k, T0 + (149 - k) * 1000));
    (events[120] as Json).created_at = 1754006400;
    delete (events[60] as Json).id;
    fakePlanetScale({ requests: [], events } as FakeApi);
    const [report] = (await runDuePollers(env, portsOf(env), Date.UTC(2026, 10, 1))).filter(
      (r) => r.sourceID === "ps",
    );
    expect(report).toMatchObject({
      status: "polled",
      inserted: 148,
      quarantined: 2,
      complete: true,
    });
    expect(await cursorOf("ps")).toMatchObject({ highWaterId: "ev0000000149", windowNext: null });
  });

  it("a Turso entry without created_at is quarantined alone", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname !== "turso.test") return new Response("no", { status: 404 });
      return Response.json({
        audit_logs: [
          { code: "db-create", author: "a", created_at: "2026-08-21T10:15:02Z", data: {} },
          { code: "db-delete", author: "a", created_at: null, data: {} },
        ],
        pagination: { page: 1, page_size: 100, total_pages: 1, total_rows: 2 },
      });
    });
    const [report] = (await runDuePollers(env, portsOf(env), Date.UTC(2026, 10, 2))).filter(
      (r) => r.sourceID === "turso",
    );
    expect(report).toMatchObject({ status: "polled", inserted: 1, quarantined: 1, complete: true });
  });

  it("an unknown object with an empty or non-event array is quarantined whole, never dropped", async () => {
    const empty = { id: "evt_zz1", event: "user-added", when: "2026-04-13T14:22:08Z", targets: [] };
    expect(await (await push("turbopuffer", JSON.stringify(empty))).json()).toEqual({
      received: 1,
      inserted: 0,
      duplicates: 0,
      quarantined: 1,
    });
    const withTargets = { ...empty, id: "evt_zz2", targets: [{ type: "x", id: "t1" }] };
    expect(await (await push("turbopuffer", JSON.stringify(withTargets))).json()).toEqual({
      received: 1,
      inserted: 0,
      duplicates: 0,
      quarantined: 1,
    });
    const [kept] = (await keptRecords()).filter((r) => r.raw.includes("evt_zz2"));
    expect(JSON.parse(String(kept?.raw))).toEqual(withTargets);
    // A usual envelope name still unpacks, even when empty.
    expect(await (await push("turbopuffer", '{"data": []}')).json()).toEqual({
      received: 0,
      inserted: 0,
      duplicates: 0,
      quarantined: 0,
    });
  });

  it("replaying an entry that still cannot be stored answers 422 and keeps it pending", async () => {
    const big = {
      ...tpEvent(31_000),
      // its actor alone (name, and the same text as its email) is over a D1 statement's 90 KB
      actor: { type: "user", id: "u-big", name: `${"a".repeat(100_000)}@x.io` },
    };
    expect(await (await push("turbopuffer", JSON.stringify(big))).json()).toMatchObject({
      quarantined: 1,
    });
    const id = await env.DB.prepare(
      "SELECT id FROM quarantine WHERE errorCode = 'row_too_large'",
    ).first<string>("id");
    const stats = () =>
      env.DB.prepare(
        "SELECT received, inserted, duplicates, quarantined FROM source_stats WHERE sourceID = 'turbopuffer'",
      ).first();
    const before = await stats();
    const res = await replay(String(id));
    expect(res.status).toBe(422);
    expect(
      await env.DB.prepare("SELECT status FROM quarantine WHERE id = ?").bind(id).first("status"),
    ).toBe("pending");
    // kept again under the same entry: still one record received, quarantined
    expect(await stats()).toEqual(before);
  });

  it("replays an entry whose input was kept in the ARCHIVE bucket", async () => {
    const body = JSON.stringify([tpEvent(32_000), tpEvent(32_001)]);
    await env.ARCHIVE.put("quarantine/turbopuffer/q-big", body);
    await env.DB.prepare(
      `INSERT INTO quarantine (id, sourceID, sourceType, stage, errorCode, error, location, raw, rawRef, receivedAt, lastSeenAt)
       VALUES ('q-big', 'turbopuffer', 'turbopuffer', 'parse', 'invalid_json', 'old', 'body', NULL, 'quarantine/turbopuffer/q-big', 1, 1)`,
    ).run();
    const res = await replay("q-big");
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).result).toMatchObject({ inserted: 2 });
  });

  it("a compact one-line wrapper file is unpacked like its pretty-printed twin", async () => {
    const line = (id: string) => ({
      id,
      action: "org.rename",
      actor: { id: "u" },
      occurred_at: "2026-08-21T00:00:00Z",
    });
    await deliver([
      {
        body: await putObject(
          "circleci/compact.json",
          JSON.stringify({ items: [line("cmp-1"), line("cmp-2")] }),
        ),
      },
    ]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'cmp-%'")).toBe(2);
  });

  it("bounds CSV records inside quoted fields too: the long one is reported, the rest read", async () => {
    const csv = `A,B\n"${"x".repeat(MAX_RECORD_CHARS + 10)}",1\n2,3\n`;
    const out = await collect(csv);
    expect(out.map((r) => [r.location, r.ok])).toEqual([
      ["line 2", false],
      ["line 3", true],
    ]);
    expect(out[0]?.raw.length).toBeLessThanOrEqual(1024);
  });

  it("keeps NDJSON line numbers right after an oversized line", async () => {
    const ok = JSON.stringify({ action: "a" });
    const out = await collect([ok, "x".repeat(MAX_RECORD_CHARS + 10), ok, ok].join("\n"));
    expect(out.map((r) => r.location)).toEqual(["line 1", "line 2", "line 3", "line 4"]);
  });

  it("rejects an unbalanced '}' in a JSON array file", async () => {
    await expect(collect('[{"action":"a"}}, {"action":"b"}]')).rejects.toBeInstanceOf(
      FileFormatError,
    );
  });

  it("reads years below 100 as written", () => {
    expect(new Date(parseTimestamp("0024-05-01T00:00:00Z") as number).toISOString()).toBe(
      "0024-05-01T00:00:00.000Z",
    );
    expect(parseTimestamp("2025-02-29T00:00:00Z")).toBeNull();
    expect(parseTimestamp("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
  });
});
