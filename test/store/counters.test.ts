import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deliver, putObject } from "../bucket-helpers";
import { type Json, push, tpEvent } from "../helpers";

async function stats(sourceID: string) {
  const row = await env.DB.prepare(
    "SELECT received, inserted, duplicates, quarantined FROM source_stats WHERE sourceID = ?1",
  )
    .bind(sourceID)
    .first<{ received: number; inserted: number; duplicates: number; quarantined: number }>();
  return row ?? { received: 0, inserted: 0, duplicates: 0, quarantined: 0 };
}

const delta = (a: Json, b: Json) =>
  Object.fromEntries(Object.keys(b).map((k) => [k, Number(b[k]) - Number(a[k] ?? 0)]));

afterEach(() => vi.restoreAllMocks());

describe("source counters equal the answers, whatever runs at once", () => {
  // Concurrent commits often share a millisecond; pin the clock so they always do.
  const sameMillisecond = () => vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2026, 10, 1));

  it("20 concurrent pushes of one 100-event batch: +100 inserted, +1,900 duplicates", async () => {
    const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => tpEvent(700_000 + i)));
    sameMillisecond();
    const before = await stats("tp-other");
    const answers = (await Promise.all(
      Array.from({ length: 20 }, () =>
        push("tp-other", body, { token: "other-ingest-token" }).then((r) => r.json()),
      ),
    )) as Array<{ inserted: number; duplicates: number }>;
    const after = await stats("tp-other");
    const answered = answers.reduce((n, a) => n + a.inserted, 0);
    expect(answered).toBe(100);
    expect(delta(before, after)).toEqual({
      received: 2000,
      inserted: 100,
      duplicates: 1900,
      quarantined: 0,
    });
  });

  it("overlapping concurrent batches: counters match the answers and the rows stored", async () => {
    const events = Array.from({ length: 300 }, (_, i) => tpEvent(710_000 + i));
    const bodies = Array.from({ length: 10 }, (_, k) =>
      JSON.stringify(events.slice(k * 25, k * 25 + 100)),
    );
    const before = await stats("tp-other");
    sameMillisecond();
    const answers = (await Promise.all(
      bodies.map((b) => push("tp-other", b, { token: "other-ingest-token" }).then((r) => r.json())),
    )) as Array<{ received: number; inserted: number; duplicates: number }>;
    const after = await stats("tp-other");
    const sum = (k: "received" | "inserted" | "duplicates") =>
      answers.reduce((n, a) => n + a[k], 0);
    expect(sum("inserted")).toBe(300);
    expect(delta(before, after)).toEqual({
      received: sum("received"),
      inserted: 300,
      duplicates: sum("duplicates"),
      quarantined: 0,
    });
  });

  it("a file that cannot be read counts as received and quarantined", async () => {
    const before = await stats("circleci");
    const n = await putObject("circleci/unreadable.bin", new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4]));
    await deliver([{ body: n }]);
    const after = await stats("circleci");
    const d = delta(before, after);
    expect(d.quarantined).toBe(1);
    expect(d.received).toBe(Number(d.inserted) + Number(d.duplicates) + Number(d.quarantined));
  });
});
