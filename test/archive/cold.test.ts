import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { runArchive } from "../../src/archive/job";
import { prepareRecords } from "../../src/pipeline/prepare";
import { HOUR, hourOf } from "../../src/store/archive";
import { commit } from "../../src/store/ingest";
import { call, QUERY_TOKEN, query, tpEvent } from "../helpers";

const DAY = 86_400_000;
const NOW = Date.now();
const HOUR0 = hourOf(NOW) - 3 * HOUR;

beforeAll(async () => {
  const framed = Array.from({ length: 6 }, (_, i) => {
    const value = tpEvent(100 + i, NOW - 60 * DAY + i * 1000);
    return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
  });
  const source = { id: "turbopuffer", type: "turbopuffer" as const };
  const prepared = await prepareRecords(env, source, framed, HOUR0 + 1000);
  await commit(env, {
    sourceID: "turbopuffer",
    sourceType: "turbopuffer",
    ...prepared,
    received: 6,
    now: HOUR0 + 1000,
  });
  await runArchive(env, NOW);
});

const near = (iso: unknown, t: number) =>
  expect(Math.abs(Date.parse(String(iso)) - t)).toBeLessThan(120_000);

it("POST /v1/sql says coldFrom when the range reaches below the hot tier (GET /v1/logs reads the archive itself: test/archive/read.test.ts)", async () => {
  const recent = new Date(NOW - 10 * DAY).toISOString();
  const sql = async (q: string) =>
    (
      (await (
        await call("/v1/sql", {
          method: "POST",
          headers: { authorization: `Bearer ${QUERY_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ query: q }),
        })
      ).json()) as { meta: { coldFrom?: string } }
    ).meta;
  near((await sql("SELECT count(*) FROM logs")).coldFrom, NOW - 30 * DAY);
  const day = recent.slice(0, 10);
  expect(
    (await sql(`SELECT count(*) FROM logs WHERE eventTime >= '${day}'`)).coldFrom,
  ).toBeUndefined();
  expect(
    (
      await sql(
        `SELECT count(*) FROM logs a JOIN logs b ON a.id = b.id WHERE a.eventTime >= '${day}'`,
      )
    ).coldFrom,
    "a join is not bounded: the answer may miss cold events",
  ).toBeDefined();
});

it("shows per source the time through which everything is archived", async () => {
  const { data } = (await (await query("/v1/sources")).json()) as {
    data: Array<{ id: string; archivedThrough: string | null }>;
  };
  expect(data.find((s) => s.id === "turbopuffer")?.archivedThrough).toBe(
    new Date(HOUR0 + HOUR).toISOString(),
  );
  expect(data.find((s) => s.id === "circleci")?.archivedThrough).toBeNull();
});
