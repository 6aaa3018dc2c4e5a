import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { inflated } from "../../../src/parse/gzip";
import { CHUNK_RECORDS } from "../../../src/transports/bucket/consumer";
import type { Continuation } from "../../../src/transports/bucket/messages";
import { deliver, putObject } from "../../bucket-helpers";
import { count, gzip, type Json, keptRecords } from "../../helpers";

afterEach(() => vi.restoreAllMocks());

const line = (prefix: string, i: number) =>
  JSON.stringify({
    id: `${prefix}-${i}`,
    version: 1,
    action: i % 3 === 0 ? "workflow.job.start" : "project.settings.update",
    actor: { id: `user-${i % 97}`, type: "user", name: `user${i % 97}` },
    target: { id: `project-${i % 13}`, type: "project", name: `p${i % 13}` },
    occurred_at: new Date(Date.UTC(2026, 7, 1) + i * 1000).toISOString(),
    success: i % 7 !== 0,
    request: { id: `req-${i}`, ip_address: "203.0.113.5" },
  });

/** Captures the continuation messages the consumer sends itself, instead of the real queue. */
function captureContinuations(): Continuation[] {
  const sent: Continuation[] = [];
  vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
    sent.push(body as Continuation);
    return undefined as never;
  });
  return sent;
}

describe("large and broken bucket files", () => {
  it("ingests a 6,000-event gzip NDJSON file completely, continuing across invocations", async () => {
    const sent = captureContinuations();
    const text = Array.from({ length: 6_000 }, (_, i) => line("big", i)).join("\n");
    const n = await putObject("circleci/big/2026-08-01.ndjson.gz", await gzip(text));
    await deliver([{ body: n }]);
    // The test config's budget is 2,500 records per invocation: two continuations follow.
    for (let i = 0; i < 5 && sent.length > i; i++) await deliver([{ body: sent[i] }]);
    expect(sent).toHaveLength(2);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'big-%'")).toBe(6_000);
    const progress = await env.DB.prepare("SELECT * FROM objects WHERE key = ?")
      .bind(n.object.key)
      .first<Json>();
    expect(progress).toMatchObject({
      status: "done",
      recordsCommitted: 6_000,
      received: 6_000,
      invocations: 3,
      framing: "ndjson",
    });
  });

  it("a continuation reads on from where the last one stopped (a Range read), never from byte 0", async () => {
    // Non-ASCII on every line and a byte order mark: byte offsets, not characters, must add up.
    const lines = Array.from({ length: 6_000 }, (_, i) =>
      // ~1 KB lines: the gzip reader keeps a restart point every MiB of output (POINT_SPAN).
      line("resume", i).replace('"type":"user"', `"type":"user","note":"Zoë ✓${" ".repeat(600)}"`),
    );
    lines[5_400] = "";
    // A bad line of its own in each file: the same text in both would be one record kept once.
    const textOf = (name: string) => {
      lines[3_050] = `not json, after the first continuation (${name})`;
      return `\uFEFF${lines.join("\r\n")}\r\n`;
    };
    for (const [name, body, text] of [
      ["gz", await gzip(textOf("gz")), textOf("gz")],
      ["plain", textOf("plain"), textOf("plain")],
    ] as const) {
      const sent = captureContinuations();
      const key = `circleci/resume/${name}.ndjson${name === "gz" ? ".gz" : ""}`;
      const ranges: unknown[] = [];
      const get = env.LANDING.get.bind(env.LANDING);
      vi.spyOn(env.LANDING, "get").mockImplementation(((k: string, o?: R2GetOptions) => {
        if (k === key) ranges.push(o?.range ?? null);
        return get(k, o);
      }) as typeof env.LANDING.get);
      const before = inflated.bytes;
      await deliver([{ body: await putObject(key, body) }]);
      const stored = await env.DB.prepare("SELECT resume FROM objects WHERE key = ?1")
        .bind(key)
        .first<{ resume: string | null }>();
      expect(stored?.resume, name).toBeTruthy();
      for (let i = 0; i < 5 && sent.length > i; i++) await deliver([{ body: sent[i] }]);
      expect(sent).toHaveLength(2);
      // The first read is whole; each continuation starts past what was committed.
      expect(ranges[0]).toBeNull();
      expect(ranges.slice(1)).toEqual([
        { offset: expect.any(Number) },
        { offset: expect.any(Number) },
      ]);
      const offsets = ranges.slice(1).map((r) => (r as { offset: number }).offset);
      expect(offsets[0]).toBeGreaterThan(0);
      expect(offsets[1]).toBeGreaterThan(offsets[0] as number);
      const size = new TextEncoder().encode(text).byteLength;
      if (name === "gz") expect((inflated.bytes - before) / size).toBeLessThan(1.2);
      const done =
        "SELECT count(*) AS n FROM objects WHERE key = ?1 AND status = 'done' AND resume IS NULL";
      expect(await count(done, key)).toBe(1);
      // 6,000 lines: one blank (no record), one bad (kept, with its true line number).
      expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'resume-%'")).toBe(
        5_998,
      );
      const kept = await keptRecords("location LIKE ?1", `${key}%`);
      expect(kept.map((r) => r.location)).toEqual(["line 3051"]);
      await env.DB.prepare("DELETE FROM events WHERE eventID LIKE 'resume-%'").run();
      vi.restoreAllMocks();
    }
  });

  it("shares one invocation's record budget between the messages of a batch", async () => {
    const sent = captureContinuations();
    const file = (p: string) => Array.from({ length: 2_000 }, (_, i) => line(p, i)).join("\n");
    const a = await putObject("circleci/budget/a.ndjson", file("bud-a"));
    const b = await putObject("circleci/budget/b.ndjson", file("bud-b"));
    await deliver([{ body: a }, { body: b }]);
    // Budget 2,500: a gets 2,000 (done), b the remaining 500 and a continuation.
    expect(sent).toEqual([expect.objectContaining({ key: "circleci/budget/b.ndjson" })]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'bud-b-%'")).toBe(500);
    await deliver([{ body: sent[0] }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'bud-%'")).toBe(4_000);
  });

  it("stores a file with 3 malformed lines and quarantines exactly those, with their line numbers", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => line("broken", i));
    lines[4] = '{"id": "broken-4", "action": ';
    lines[11] = "not json at all";
    lines[17] = JSON.stringify({
      id: "broken-17",
      action: "x",
      occurred_at: "not a time",
      actor: { id: "u" },
    });
    const n = await putObject("circleci/broken/file.ndjson", lines.join("\n"));
    await deliver([{ body: n }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'broken-%'")).toBe(17);
    // One entry for the chunk, holding the three bad lines, counted as three.
    const entry = await env.DB.prepare(
      "SELECT location, records, stage FROM quarantine WHERE location LIKE 'circleci/broken/file.ndjson%'",
    ).all<Json>();
    expect(entry.results).toEqual([
      {
        location: "circleci/broken/file.ndjson line 5, line 12, line 18",
        records: 3,
        stage: "mixed",
      },
    ]);
    const kept = await keptRecords("location LIKE 'circleci/broken/file.ndjson%'");
    expect(kept.map((r) => [r.location, r.stage, r.errorCode])).toEqual([
      ["line 5", "parse", "invalid_json"],
      ["line 12", "parse", "invalid_json"],
      ["line 18", "normalize", "invalid_time"],
    ]);
  });

  it("resumes a file after a crash mid-way and ends with every line exactly once", async () => {
    const total = CHUNK_RECORDS * 3 + 17;
    const n = await putObject(
      "circleci/crash/file.ndjson",
      Array.from({ length: total }, (_, i) => line("crash", i)).join("\n"),
    );
    const original = env.DB.batch.bind(env.DB);
    let commits = 0;
    vi.spyOn(env.DB, "batch").mockImplementation(async (statements) => {
      if (++commits === 3) throw new Error("D1_ERROR: worker crashed mid-file");
      return original(statements);
    });
    const first = await deliver([{ body: n }]);
    expect(first.retryMessages).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'crash-%'")).toBe(
      2 * CHUNK_RECORDS,
    );
    const half = await env.DB.prepare(
      "SELECT recordsCommitted, status, lastError FROM objects WHERE key = ?",
    )
      .bind(n.object.key)
      .first<Json>();
    expect(half).toMatchObject({ recordsCommitted: 2 * CHUNK_RECORDS, status: "in_progress" });
    expect(String(half?.lastError)).toContain("crashed mid-file");

    vi.restoreAllMocks();
    const before = await env.DB.prepare(
      "SELECT duplicates FROM source_stats WHERE sourceID = 'circleci'",
    ).first<number>("duplicates");
    const second = await deliver([{ body: n, attempts: 2 }]);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'crash-%'")).toBe(total);
    const after = await env.DB.prepare(
      "SELECT duplicates FROM source_stats WHERE sourceID = 'circleci'",
    ).first<number>("duplicates");
    expect(after).toBe(before); // resumed after the last commit: nothing re-read as a duplicate
    expect(
      await env.DB.prepare("SELECT status FROM objects WHERE key = ?")
        .bind(n.object.key)
        .first("status"),
    ).toBe("done");
  });

  it("streams a JSON array file element by element and reports a truncated array", async () => {
    const full = `[${Array.from({ length: 1200 }, (_, i) => line("arr", i)).join(",\n")}]`;
    await deliver([{ body: await putObject("circleci/array/full.json", full) }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'arr-%'")).toBe(1200);
    const truncated = `[${[line("trunc", 1), line("trunc", 2)].join(",")},{"id":"trunc-3","act`;
    await deliver([{ body: await putObject("circleci/array/truncated.json", truncated) }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'trunc-%'")).toBe(2);
    expect(
      await count(
        "SELECT count(*) AS n FROM quarantine WHERE location = 'circleci/array/truncated.json [2]'",
      ),
    ).toBe(1);
  });
});
