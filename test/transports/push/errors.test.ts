import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, count, gzip, type Json, keptRecords, push, tpEvent } from "../../helpers";

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(typeof body.error.message).toBe("string");
  return body.error;
}

describe("push ingest: authentication", () => {
  const body = JSON.stringify(tpEvent(1));

  it("rejects a missing token with 401", async () => {
    const res = await push("turbopuffer", body, { token: null });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("missing_token");
  });

  it("rejects a wrong token with 401", async () => {
    const res = await push("turbopuffer", body, { token: "nope" });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("invalid_token");
  });

  it("rejects another source's token with 401", async () => {
    const res = await push("turbopuffer", body, { token: "other-ingest-token" });
    expect(res.status).toBe(401);
    expect(await push("tp-other", body, { token: "test-ingest-token" }).then((r) => r.status)).toBe(
      401,
    );
  });

  it("answers 404 for an unknown source", async () => {
    const res = await push("nope", body);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("source_not_found");
  });

  it("stores nothing for a rejected request", async () => {
    expect(
      await count("SELECT count(*) AS n FROM logs WHERE json_extract(actor, '$.id') = 'user_1'"),
    ).toBe(0);
  });
});

describe("push ingest: IP allow-list", () => {
  const body = JSON.stringify(tpEvent(2));
  const opts = (ip?: string) => ({
    token: "allowlist-token",
    headers: (ip ? { "cf-connecting-ip": ip } : {}) as Record<string, string>,
  });

  it("accepts an address inside an allowed CIDR (IPv4 and IPv6)", async () => {
    expect((await push("tp-allowlist", body, opts("203.0.113.9"))).status).toBe(200);
    expect((await push("tp-allowlist", body, opts("2001:db8::42"))).status).toBe(200);
  });

  it("rejects an address outside the allow-list with 403", async () => {
    const res = await push("tp-allowlist", body, opts("198.51.100.1"));
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("ip_not_allowed");
    expect((await push("tp-allowlist", body, opts())).status).toBe(403);
  });
});

describe("push ingest: body checks", () => {
  it("rejects an unsupported content type with 415", async () => {
    const res = await push("turbopuffer", "<xml/>", {
      headers: { "content-type": "application/xml" },
    });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_content_type");
  });

  it("rejects an unsupported content encoding with 415", async () => {
    const res = await push("turbopuffer", "{}", { headers: { "content-encoding": "br" } });
    expect(res.status).toBe(415);
  });

  it("rejects a body over the source's limit with 413", async () => {
    const big = JSON.stringify(Array.from({ length: 40 }, (_, i) => tpEvent(300 + i)));
    const res = await push("tp-small", big, { token: "small-token" });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("body_too_large");
  });

  it("rejects a gzip body that inflates past the limit with 413", async () => {
    const bomb = await gzip(" ".repeat(200_000));
    const res = await push("tp-small", bomb, {
      token: "small-token",
      headers: { "content-encoding": "gzip" },
    });
    expect(res.status).toBe(413);
  });

  it("answers 400 for invalid JSON and keeps the body in quarantine", async () => {
    const bad = '{"action": "api-key-created", "occurred_at": ';
    const res = await push("turbopuffer", bad);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_json");
    const q = await env.DB.prepare("SELECT * FROM quarantine WHERE raw = ?")
      .bind(bad)
      .first<Json>();
    expect(q).toMatchObject({
      sourceID: "turbopuffer",
      stage: "parse",
      errorCode: "invalid_json",
      seen: 1,
    });
    await push("turbopuffer", bad);
    expect(
      await env.DB.prepare("SELECT seen FROM quarantine WHERE raw = ?").bind(bad).first("seen"),
    ).toBe(2);
  });

  it("answers 400 for bad gzip and keeps the bytes (base64) in quarantine", async () => {
    const bytes = new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6]);
    const res = await push("turbopuffer", bytes, { headers: { "content-encoding": "gzip" } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_gzip");
    expect(
      await count(
        "SELECT count(*) AS n FROM quarantine WHERE errorCode = 'invalid_gzip' AND rawEncoding = 'base64'",
      ),
    ).toBe(1);
  });

  it("answers 400 for invalid UTF-8", async () => {
    const res = await push("turbopuffer", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_utf8");
  });

  it("quarantines the one invalid event of an array and stores the rest", async () => {
    const events = [
      tpEvent(400),
      { action: "api-key-created", occurred_at: "yesterday" },
      tpEvent(401),
    ];
    const res = await push("turbopuffer", JSON.stringify(events));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 3, inserted: 2, duplicates: 0, quarantined: 1 });
    const q = await env.DB.prepare("SELECT * FROM quarantine WHERE location = '[1]'").first<Json>();
    expect(q).toMatchObject({
      stage: "normalize",
      errorCode: "invalid_time",
      sourceID: "turbopuffer",
      records: 1,
    });
    expect(String(q?.error)).toContain("occurred_at");
    const [kept] = await keptRecords("id = ?1", q?.id);
    expect(kept).toMatchObject({ location: "[1]", stage: "normalize", errorCode: "invalid_time" });
    expect(JSON.parse(String(kept?.raw))).toEqual(events[1]);
  });

  it("quarantines a malformed NDJSON line with its line number and stores the others", async () => {
    const body = [JSON.stringify(tpEvent(500)), "{not json", JSON.stringify(tpEvent(501))].join(
      "\n",
    );
    const res = await push("turbopuffer", body, {
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(await res.json()).toEqual({ received: 3, inserted: 2, duplicates: 0, quarantined: 1 });
    const kept = await keptRecords("location = 'line 2'");
    expect(kept.filter((r) => r.raw === "{not json" && r.location === "line 2")).toHaveLength(1);
  });

  it("rejects absurdly deep nesting with 400, without a 5xx", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const res = await push("turbopuffer", deep);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("nesting_too_deep");
  });

  it("counts everything in source health", async () => {
    const res = await call("/v1/sources", {
      headers: { authorization: "Bearer test-query-token" },
    });
    const sources = ((await res.json()) as { data: Json[] }).data;
    const tp = sources.find((s) => s.id === "turbopuffer") as Json;
    expect(tp.transport).toBe("push");
    const counts = tp.counts as {
      received: number;
      inserted: number;
      duplicates: number;
      quarantined: number;
      skipped: number;
    };
    expect(counts.inserted).toBe(
      await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'turbopuffer'"),
    );
    expect(counts.received).toBe(counts.inserted + counts.duplicates + counts.quarantined);
  });
});
