import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_DOCUMENT_CHARS, readRecords } from "../../../src/parse/stream";
import { deliver, putObject } from "../../bucket-helpers";
import { count, gzip, type Json, keptRecords } from "../../helpers";

const HEADER = "ID,ACTION,ACTOR,OCCURRED_AT,PAYLOAD";
const csvRow = (id: string, payload = "{}") =>
  `${id},project.settings.update,"{""id"":""u-1"",""type"":""user""}",2026-08-22T10:00:00Z,"${payload.replaceAll('"', '""')}"`;

const line = (id: string) =>
  JSON.stringify({
    id,
    action: "context.secrets.accessed",
    actor: { id: "u-1", type: "user" },
    occurred_at: "2026-08-22T10:00:00Z",
  });

async function sourceStats(sourceID: string) {
  return (
    (await env.DB.prepare("SELECT * FROM source_stats WHERE sourceID = ?1")
      .bind(sourceID)
      .first<Json>()) ?? {}
  );
}

async function objectStatus(key: string) {
  return env.DB.prepare("SELECT status, recordsCommitted FROM objects WHERE key = ?1")
    .bind(key)
    .first<Json>();
}

describe("one bad record never blocks a file", () => {
  it("a CSV cell nested 100,000 deep is quarantined with its line; the other rows are stored, the message acked", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const csv = [HEADER, csvRow("deep-ok-1"), csvRow("deep-bad", deep), csvRow("deep-ok-2")].join(
      "\n",
    );
    const n = await putObject("circleci/hostile/deep.csv", csv);
    const result = await deliver([{ body: n }]);
    expect(result.explicitAcks).toEqual([expect.any(String)]);
    expect(result.retryMessages).toEqual([]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'deep-ok-%'")).toBe(2);
    const kept = await keptRecords("location LIKE 'circleci/hostile/deep.csv%'");
    expect(kept.map((r) => [r.location, r.errorCode])).toEqual([["line 3", "nesting_too_deep"]]);
    expect(await objectStatus("circleci/hostile/deep.csv")).toMatchObject({ status: "done" });
  });

  it("an NDJSON file whose first line is bad is still NDJSON: every good line is stored", async () => {
    const lines = [
      '{"id": "broken',
      ...Array.from({ length: 50 }, (_, i) => line(`first-bad-${i}`)),
    ];
    const n = await putObject("circleci/hostile/first-bad.ndjson", lines.join("\n"));
    await deliver([{ body: n }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'first-bad-%'")).toBe(50);
    const kept = await keptRecords("location LIKE 'circleci/hostile/first-bad.ndjson%'");
    expect(kept.map((r) => [r.location, r.errorCode])).toEqual([["line 1", "invalid_json"]]);
  });

  it("framing does not depend on the first record: a file over 32 MB with a bad first line is NDJSON", async () => {
    const good = `${line("big-first-bad")}\n`;
    const lines = Math.ceil(MAX_DOCUMENT_CHARS / good.length) + 10;
    const encoder = new TextEncoder();
    let sent = -1;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent === -1) c.enqueue(encoder.encode('{"id": "broken\n'));
        else if (sent < lines) c.enqueue(encoder.encode(good.repeat(Math.min(2000, lines - sent))));
        else return c.close();
        sent = sent === -1 ? 0 : sent + 2000;
      },
    });
    let framing = "";
    let ok = 0;
    let bad = 0;
    for await (const r of readRecords(
      body,
      () => true,
      (f) => {
        framing = f;
      },
    )) {
      if (r.ok) ok++;
      else bad++;
    }
    expect(framing).toBe("ndjson");
    expect(bad).toBe(1);
    expect(ok).toBe(lines);
  });

  it("CSV and NDJSON with CR-only line endings are read, not marked done with 0 records", async () => {
    const csv = [HEADER, csvRow("cr-csv-1"), csvRow("cr-csv-2"), csvRow("cr-csv-3")].join("\r");
    await deliver([{ body: await putObject("circleci/hostile/cr.csv", csv) }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'cr-csv-%'")).toBe(3);
    const ndjson = [line("cr-nd-1"), line("cr-nd-2")].join("\r");
    await deliver([{ body: await putObject("circleci/hostile/cr.ndjson", ndjson) }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'cr-nd-%'")).toBe(2);
    const mixed = [line("mix-1"), line("mix-2"), line("mix-3")].join("\r\n").concat("\n");
    await deliver([{ body: await putObject("circleci/hostile/crlf.ndjson", mixed) }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'mix-%'")).toBe(3);
  });

  it("a gzip file with trailing garbage or no trailer: every decodable record, every run, and the file flagged", async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => line(`gz-${i}`)).join("\n");
    const whole = await gzip(lines);
    const garbage = new Uint8Array([...whole, ...new TextEncoder().encode("garbage after it")]);
    const noTrailer = whole.slice(0, whole.length - 8);
    for (const [name, bytes] of [
      ["garbage", garbage],
      ["no-trailer", noTrailer],
    ] as const) {
      const key = `circleci/hostile/${name}.ndjson.gz`;
      await deliver([{ body: await putObject(key, bytes) }]);
      expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'gz-%'")).toBe(2000);
      const entry = await env.DB.prepare(
        "SELECT errorCode, status, rawRef FROM quarantine WHERE location = ?1",
      )
        .bind(key)
        .first<Json>();
      expect(entry).toMatchObject({ errorCode: "invalid_gzip", status: "pending" });
      expect(await objectStatus(key)).toMatchObject({ status: "failed", recordsCommitted: 2000 });
    }
  });

  it("damaged gzip gives the same records whatever the chunking", async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => line(`chunk-${i}`)).join("\n");
    const whole = await gzip(lines);
    const garbage = new Uint8Array([...whole, ...new TextEncoder().encode("garbage after it")]);
    const chunked = (size: number) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < garbage.length; i += size) c.enqueue(garbage.slice(i, i + size));
          c.close();
        },
      });
    for (const size of [997, 4096, 65_536, 1 << 20]) {
      const ok: string[] = [];
      let error = "";
      try {
        for await (const r of readRecords(chunked(size), () => true)) if (r.ok) ok.push(r.location);
      } catch (err) {
        error = (err as { code?: string }).code ?? "";
      }
      expect(ok.length, `chunks of ${size}`).toBe(2000);
      expect(new Set(ok).size).toBe(2000);
      expect(error).toBe("invalid_gzip");
    }
  });

  it("a truncated gzip file stores every complete line and flags the file", async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => line(`cut-${i}`)).join("\n");
    const whole = await gzip(lines);
    const key = "circleci/hostile/cut.ndjson.gz";
    await deliver([{ body: await putObject(key, whole.slice(0, Math.floor(whole.length * 0.7))) }]);
    const stored = await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'cut-%'");
    expect(stored).toBeGreaterThan(1000);
    // Deterministic: the same bytes give the same records, whatever the chunking.
    const again = "circleci/hostile/cut-again.ndjson.gz";
    await deliver([
      { body: await putObject(again, whole.slice(0, Math.floor(whole.length * 0.7))) },
    ]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'cut-%'")).toBe(stored);
    expect(await objectStatus(key)).toMatchObject({ status: "failed" });
  });

  it("counters add up for files: received = inserted + duplicates + quarantined", async () => {
    const s = await sourceStats("circleci");
    expect(Number(s.received)).toBe(
      Number(s.inserted) + Number(s.duplicates) + Number(s.quarantined),
    );
  });
});
