import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../../src/lib/time";
import { count, type Json, keptRecords, push, query, tpEvent } from "../../helpers";

const ndjson = { "content-type": "application/x-ndjson" };

describe("push: hostile bodies are kept in bounded form", () => {
  it("1 valid + 400,000 invalid NDJSON lines: kept as two entries (5,000 keyed, a block of the rest), counted 400,000 times", async () => {
    const before = await count("SELECT count(*) AS n FROM quarantine");
    const body = [
      JSON.stringify(tpEvent(800_000)),
      ...Array.from({ length: 400_000 }, (_, i) => `x${i}`),
    ].join("\n");
    const res = await push("tp-other", body, { token: "other-ingest-token", headers: ndjson });
    expect(await res.json()).toEqual({
      received: 400_001,
      inserted: 1,
      duplicates: 0,
      quarantined: 400_000,
    });
    expect(await count("SELECT count(*) AS n FROM quarantine")).toBe(before + 2);
    const keyed = await env.DB.prepare(
      "SELECT * FROM quarantine WHERE sourceID = 'tp-other' AND records = 5000",
    ).first<Json>();
    expect(keyed).toMatchObject({ errorCode: "invalid_json" });
    expect(String(keyed?.location)).toBe("line 2, line 3, line 4, line 5, line 6, …");
    const block = await env.DB.prepare(
      "SELECT * FROM quarantine WHERE sourceID = 'tp-other' AND records = 395000",
    ).first<Json>();
    expect(block).toMatchObject({ errorCode: "invalid_json", rawEncoding: "records+gzip" });
    expect(String(block?.location)).toBe(
      "line 5002, line 5003, line 5004, line 5005, line 5006, …",
    );
    const kept = await keptRecords("id = ?1", block?.id);
    expect(kept).toHaveLength(395_000);
    expect(kept[394_999]).toMatchObject({
      location: "line 400001",
      raw: "x399999",
      stage: "parse",
    });
  });
});

describe("the time rule", () => {
  it("stores no impossible time: year 9999, Feb 31, offset +99:99 are quarantined as invalid_time", async () => {
    const bad = [
      { ...tpEvent(810_000), occurred_at: "9999-12-31T23:59:59.999-14:00" },
      { ...tpEvent(810_001), occurred_at: "2026-02-31T10:00:00Z" },
      { ...tpEvent(810_002), occurred_at: "2026-03-01T10:00:00+99:99" },
      { ...tpEvent(810_003), occurred_at: "1969-12-31T23:59:59Z" },
      { ...tpEvent(810_004), occurred_at: new Date(Date.now() + 2 * 86_400_000).toISOString() },
    ];
    const ok = { ...tpEvent(810_005), occurred_at: "2026-03-01T10:00:00+14:00" };
    const res = await push("tp-other", JSON.stringify([...bad, ok]), {
      token: "other-ingest-token",
    });
    expect(await res.json()).toEqual({ received: 6, inserted: 1, duplicates: 0, quarantined: 5 });
    const kept = (await keptRecords("sourceID = 'tp-other'")).filter((r) =>
      r.raw.includes("user_8100"),
    );
    expect(kept.map((r) => r.errorCode)).toEqual(Array(5).fill("invalid_time"));
    const stats = await env.DB.prepare(
      "SELECT lastEventTime FROM source_stats WHERE sourceID = 'tp-other'",
    ).first<number>("lastEventTime");
    expect(stats).toBeLessThan(Date.now() + 86_400_000);
  });

  it("offsets are bounded and real: ±14:00 at most, minutes below 60", () => {
    expect(parseTimestamp("2026-03-01T10:00:00+14:00")).toBe(Date.UTC(2026, 2, 0, 20));
    expect(parseTimestamp("2026-03-01T10:00:00-14:01")).toBeNull();
    expect(parseTimestamp("2026-03-01T10:00:00+05:60")).toBeNull();
    expect(parseTimestamp("2026-02-29T10:00:00Z")).toBeNull();
  });

  it("from/to under the same rule: 400 naming the parameter", async () => {
    for (const [qs, name] of [
      ["from=2026-02-31", "from"],
      ["to=2026-03-01T00:00:00%2B99:99", "to"],
      ["from=9999-12-31T23:59:59Z", "from"],
      ["to=1969-01-01", "to"],
    ]) {
      const res = await query(`/v1/logs?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(((await res.json()) as { error: Json }).error.message).toContain(`"${name}"`);
    }
  });
});

describe("text that UTF-8 cannot carry", () => {
  it("ids differing only in lone surrogates stay distinct events, and read back escaped", async () => {
    const body = ["sur-\\ud800", "sur-\\udbff"]
      .map((id) => JSON.stringify({ ...tpEvent(820_000), id: "ID" }).replace('"ID"', `"${id}"`))
      .join("\n");
    const res = await push("tp-other", body, { token: "other-ingest-token", headers: ndjson });
    expect(await res.json()).toEqual({ received: 2, inserted: 2, duplicates: 0, quarantined: 0 });
    const rows = (await (await query("/v1/logs?sourceID=tp-other&limit=1000")).json()) as {
      data: Json[];
    };
    const ids = rows.data.map((r) => r.eventID).filter((id) => String(id).startsWith("sur-"));
    expect(ids.sort()).toEqual(["sur-\\ud800", "sur-\\udbff"]);
  });
});
