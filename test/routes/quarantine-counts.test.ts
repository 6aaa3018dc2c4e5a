import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { recordKey } from "../../src/store/quarantine";
import { ADMIN_TOKEN, call, countsChange, type Json, sourceCounts, tpEvent } from "../helpers";

/**
 * A replay counts each record received once, however its entry was counted (this file's own
 * database: the counters are read whole). Entries are written as the store keeps them.
 */

const replay = (id: string) =>
  call(`/v1/quarantine/${id}/replay`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });

const counts = () => sourceCounts("turbopuffer");

const kept = (raw: string) =>
  JSON.stringify({
    location: "[0]",
    stage: "normalize",
    errorCode: "invalid_event",
    error: "rejected by an older version",
    raw,
    json: true,
  });

/** A group entry of `raws`, owning the keys of `owned`, counted as the commit that kept it did. */
async function entry(id: string, raws: string[], owned: string[]) {
  await env.DB.prepare(
    `INSERT INTO quarantine (id, sourceID, sourceType, stage, errorCode, error, location, raw, rawEncoding, receivedAt, lastSeenAt, records)
     VALUES (?1, 'turbopuffer', 'turbopuffer', 'normalize', 'invalid_event', 'older', 'body', ?2, 'records', 1, 1, ?3)`,
  )
    .bind(id, `${raws.map(kept).join("\n")}\n`, raws.length)
    .run();
  for (const raw of owned)
    await env.DB.prepare(
      "INSERT INTO quarantine_keys (sourceID, hash, entryID) VALUES ('turbopuffer', ?1, ?2)",
    )
      .bind(await recordKey(raw), id)
      .run();
  await env.DB.prepare(
    `INSERT INTO source_stats (sourceID, received, quarantined, duplicates) VALUES ('turbopuffer', ?1, ?2, ?3)
     ON CONFLICT(sourceID) DO UPDATE SET received = received + ?1, quarantined = quarantined + ?2,
       duplicates = duplicates + ?3`,
  )
    .bind(raws.length, owned.length, raws.length - owned.length)
    .run();
}

it("a replay that stores some records and keeps one aside again: each record received once, the kept one quarantined under an entry of its own", async () => {
  const good = JSON.stringify(tpEvent(700_001));
  const big = JSON.stringify({
    ...tpEvent(700_002),
    actor: { type: "user", id: "u-big", name: `${"a".repeat(100_000)}@example.com` },
  });
  await entry("g1", [good, big], [good, big]);
  const before = await counts();
  const res = await replay("g1");
  expect(res.status).toBe(422);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("still_not_storable");
  expect(body.error.message).toContain("the other 1 were stored (1 new, 0 already there)");
  expect({ before, after: await counts() }).toEqual({
    before: { received: 2, inserted: 0, duplicates: 0, quarantined: 2 },
    after: { received: 2, inserted: 1, duplicates: 0, quarantined: 1 },
  });
  const entries = await env.DB.prepare(
    "SELECT id, status, errorCode FROM quarantine ORDER BY id = 'g1' DESC",
  ).all<Json>();
  expect(entries.results).toEqual([
    { id: "g1", status: "replayed", errorCode: "invalid_event" },
    expect.objectContaining({ status: "pending", errorCode: "row_too_large" }),
  ]);
});

it("an entry some of whose records a concurrent input kept first (counted as duplicates): replayed with the other, each record counted as the vendor sent it", async () => {
  const [a, b, c, d] = [1, 2, 3, 4].map((i) => JSON.stringify(tpEvent(710_000 + i))) as [
    string,
    string,
    string,
    string,
  ];
  const start = await counts();
  // two inputs, looked up before either committed: E1 kept a, b, c; E2 (b, c, d) only d's key
  await entry("E1", [a, b, c], [a, b, c]);
  await entry("E2", [b, c, d], [d]);
  expect(countsChange(start, await counts())).toEqual({
    received: 6,
    inserted: 0,
    duplicates: 2,
    quarantined: 4,
  });
  expect((await replay("E2")).status).toBe(200);
  expect((await replay("E1")).status).toBe(200);
  // six records sent, four distinct events: b and c twice
  expect(countsChange(start, await counts())).toEqual({
    received: 6,
    inserted: 4,
    duplicates: 2,
    quarantined: 0,
  });
});
