import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { commit } from "../../src/store/ingest";
import { hotPageStatement, type LogQuery, logsQuery, queryHotPage } from "../../src/store/query";

/**
 * GET /v1/logs reads its page with queryHotPage, whose statement writes the row's columns as one
 * piece of text made once (src/store/query.ts PAGE_LIST): it must be the very statement drizzle
 * writes field by field, which is logsQuery's (the statement the benchmark's SQLite side runs)
 * with the cold-hour answer after the row's columns.
 */
const base: LogQuery = { timeField: "eventTime", order: "desc", limit: 101 };
const QUERIES: Array<[string, LogQuery, string[] | undefined]> = [
  ["no filter", base, undefined],
  ["source", { ...base, sourceID: "q1" }, ["q1"]],
  ["source type", { ...base, sourceType: "turbopuffer" }, ["turbopuffer", "tp-other"]],
  ["event name", { ...base, eventName: "api-key-created" }, undefined],
  ["actor", { ...base, actor: "user_1" }, undefined],
  ["time range", { ...base, from: Date.UTC(2026, 0, 11), to: Date.UTC(2026, 0, 11, 1) }, undefined],
  ["cursor", { ...base, after: { t: Date.UTC(2026, 0, 2), key: "123456789" } }, undefined],
  [
    "received, oldest first, cursor",
    {
      ...base,
      timeField: "receivedAt",
      order: "asc",
      from: 1.5,
      after: { t: Date.UTC(2026, 0, 2), key: "42" },
    },
    ["q2"],
  ],
  [
    "free text and exclusions",
    {
      ...base,
      q: "session",
      exclude: [
        { field: "eventName", value: "x" },
        { field: "actor", value: "y" },
      ],
    },
    [],
  ],
];

describe("queryHotPage's statement", () => {
  for (const [name, q, ids] of QUERIES) {
    it(`is the statement drizzle writes field by field: ${name}`, () => {
      const listed = hotPageStatement(q, ids);
      expect(listed).toEqual(hotPageStatement(q, ids, false));
      // logsQuery's statement, the cold-hour answer selected after the row's columns
      const plain = logsQuery(drizzle(env.DB), { ...q, skipColdHours: "ifAny" }).toSQL();
      const cold =
        ', EXISTS (SELECT 1 FROM received_hours WHERE cooled = 1 AND (? IS NULL OR sourceID IN (SELECT value FROM json_each(?)))) as "cold"';
      expect(listed.sql).toContain(`"key"${cold} from "events" where`);
      expect(listed.sql.replace(cold, "")).toBe(plain.sql);
      const ids_ = ids ? JSON.stringify(ids) : null;
      expect(listed.params).toEqual([ids_, ids_, ...plain.params]);
    });
  }

  beforeAll(async () => {
    const rows = [1, 2, 3].map((i) => ({
      id: `${i}`.padStart(32, "b"),
      workspaceID: "",
      sourceType: "turbopuffer",
      sourceID: "query-sql",
      sourceTTL: 0,
      receivedAt: Date.UTC(2026, 2, 1) + i * 1000 + 7,
      eventTime: Date.UTC(2026, 2, 1) + i * 1000,
      eventName: "session-created",
      eventID: `e${i}`,
      readOnly: i === 1 ? null : 0,
      srcIP: "203.0.113.9",
      srcASOrganization: null,
      srcASNumber: i === 2 ? 13335 : null,
      srcASCountryCode: null,
      srcCity: null,
      srcConnectionType: null,
      srcISP: null,
      srcLatitude: i === 3 ? 0.5 : null,
      srcLongitude: null,
      srcUserType: null,
      actor: "{}",
      tags: "{}",
      resources: "[]",
      serviceName: "turbopuffer",
      enrichments: "[]",
      rawLog: JSON.stringify({ action: "session-created", n: i }),
      rawLogRef: null,
      sourceFields: "{}",
    }));
    await commit(env, {
      sourceID: "query-sql",
      sourceType: "turbopuffer",
      rows,
      quarantine: [],
      received: rows.length,
      now: Date.now(),
    });
  });

  it("reads the rows logsQuery reads, as objects with its keys in its order", async () => {
    const q: LogQuery = { ...base, limit: 5 };
    const { rows } = await queryHotPage(env.DB, q, undefined);
    const plain = await logsQuery(drizzle(env.DB), { ...q, skipColdHours: "ifAny" });
    expect(rows).toHaveLength(3);
    expect(rows).toEqual(plain);
    for (const [i, r] of rows.entries())
      expect(Object.keys(r)).toEqual(Object.keys(plain[i] as object));
  });
});
