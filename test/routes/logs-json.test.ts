import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { queryTiers } from "../../src/archive/tiers";
import { present } from "../../src/catalog";
import { encodeCursor } from "../../src/lib/cursor";
import { commit } from "../../src/store/ingest";
import type { LogQuery } from "../../src/store/query";
import { query } from "../helpers";

/**
 * GET /v1/logs writes each row's JSON text directly (src/store/present.ts presentedJson, the
 * stored JSON columns spliced as they are): it must be the very text of
 * `{ data: rows.map(present), nextCursor, meta }` serialized, for rows whose stored text is
 * anything the table can hold (the JSON columns as JSON.stringify wrote them, src/store/rows.ts).
 */
const T0 = Date.UTC(2026, 2, 1);
const RAW = {
  action: "session-created",
  occurred_at: "2026-03-01T00:00:00.000Z",
  actor: { type: "user", id: "u1", name: "Zoë \u2028 \u0001" },
  targets: [{ type: "session", id: "s1", n: 1.5 }],
  context: { location: "203.0.113.9" },
  metadata: { session_id: "s-1", "2": "integer-like key", impersonator: null },
};

function row(i: number, over: Record<string, unknown>) {
  return {
    id: `${i}`.padStart(32, "a"),
    workspaceID: "",
    sourceType: "turbopuffer",
    sourceID: "json-page",
    sourceTTL: 0,
    receivedAt: T0 + i * 1000 + 7,
    eventTime: T0 + i * 1000,
    eventName: "session-created",
    eventID: `e${i}`,
    readOnly: 0,
    srcIP: "203.0.113.9",
    srcASOrganization: null,
    srcASNumber: null,
    srcASCountryCode: null,
    srcCity: null,
    srcConnectionType: null,
    srcISP: null,
    srcLatitude: null,
    srcLongitude: null,
    srcUserType: null,
    actor: JSON.stringify({ id: "u1", email: "u1@example.com" }),
    tags: JSON.stringify({ session_id: "s-1" }),
    resources: JSON.stringify(["session:s-1"]),
    serviceName: "turbopuffer",
    enrichments: "[]",
    rawLog: JSON.stringify(RAW),
    rawLogRef: null,
    sourceFields: "{}",
    ...over,
  };
}

/** Stored texts of every kind the presenter reads (valid, empty, invalid, not canonical). */
const ROWS = [
  row(1, {}),
  row(2, { readOnly: null, actor: "", tags: "", resources: "not json", enrichments: "" }),
  row(3, { readOnly: 1, srcLatitude: 0.1 + 0.2, srcLongitude: -122.419416, srcASNumber: 13335 }),
  row(4, { eventName: 'tab\tnewline\n\u0000 quote" backslash\\ emoji 🦀 \u2028 é' }),
  // not canonical JSON in rawLog: the vendor columns read from it are JSON.stringify's text
  row(5, {
    rawLog:
      '{ "action" : "x", "occurred_at":"2026-03-01T00:00:00Z", "actor":{"type":"u\\u00e9","id":1.0,"name":1e2}, "targets":[ ], "metadata":{"b":1,"1":2,"session_id":12345678901234567890}}',
  }),
  row(6, { rawLog: "not json at all", sourceFields: '{"action":"kept"}' }),
  row(7, { sourceFields: '{"action":"override","extra":1}' }),
  row(8, {
    sourceFields: JSON.stringify({
      action: "a",
      occurredAt: "o",
      actorType: "t",
      actorId: "i",
      actorName: "n",
      targets: [],
      contextLocation: "l",
      sessionId: "s",
      impersonator: null,
      impersonationReason: null,
      extra: true,
    }),
  }),
  row(9, { sourceFields: "not json" }),
  row(10, { sourceFields: "", rawLog: "[1,2]" }),
  row(11, {
    sourceType: "no-such-vendor",
    sourceFields: JSON.stringify({ z: 1, a: [1.5e300, "\u2028"], 3: null }),
  }),
  row(12, { sourceType: "circleci", rawLog: JSON.stringify({ id: "c", actor: { id: "x" } }) }),
  row(13, { eventTime: T0 + 13 * 1000 + 999, receivedAt: 1 }),
  // as JSON.stringify writes them (src/store/rows.ts toRow), whatever they hold
  row(14, {
    actor: JSON.stringify({ b: 1, a: "é\u0001\ud800 🦀", 2: "x", n: 1e21, f: 0.1 + 0.2 }),
    tags: "{}",
    resources: "[]",
    enrichments: JSON.stringify([{ k: 1, nested: { "10": [null, true, -0.5e-7] } }]),
  }),
  row(15, { srcLatitude: 37, srcLongitude: 1e-7 }),
  // maps stored as markers (src/store/derived.ts), rebuilt from rawLog when presented
  row(16, { actor: "@", tags: "", resources: "" }),
  row(17, { actor: "@", tags: "", resources: "", rawLog: "not json at all" }),
  row(18, { actor: "", tags: "{}", resources: "", sourceType: "no-such-vendor" }),
  row(19, {
    sourceType: "circleci",
    actor: "@",
    tags: "",
    resources: "",
    rawLog: JSON.stringify({ id: "c2", actor: { id: "x", name: "n\u00e9" }, target: { id: "t" } }),
  }),
];

beforeAll(async () => {
  for (const type of new Set(ROWS.map((r) => r.sourceType))) {
    const rows = ROWS.filter((r) => r.sourceType === type);
    await commit(env, {
      sourceID: "json-page",
      sourceType: type,
      rows,
      quarantine: [],
      received: rows.length,
      now: Date.now(),
    });
  }
});

/** The body GET /v1/logs gave before it wrote rows directly: the rows presented, serialized. */
async function expected(q: LogQuery): Promise<string> {
  const page = await queryTiers(env, q);
  const nextCursor = page.next ? encodeCursor({ f: q.timeField, o: q.order, ...page.next }) : null;
  return JSON.stringify({ data: page.rows.map(present), nextCursor, meta: page.meta });
}

/** `actual` against `wanted`, failing with the text around their first difference. */
function same(actual: string, wanted: string) {
  let i = 0;
  while (i < actual.length && actual[i] === wanted[i]) i++;
  expect(actual.slice(Math.max(0, i - 150), i + 150)).toBe(
    wanted.slice(Math.max(0, i - 150), i + 150),
  );
  expect(actual).toBe(wanted);
}

describe("GET /v1/logs written row by row", () => {
  it("is the text of the rows presented in JS, for every kind of stored text", async () => {
    for (const order of ["desc", "asc"] as const)
      for (const limit of [100, 5]) {
        const res = await query(`/v1/logs?sourceID=json-page&order=${order}&limit=${limit}`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("application/json");
        const text = await res.text();
        same(text, await expected({ sourceID: "json-page", timeField: "eventTime", order, limit }));
        expect((JSON.parse(text) as { data: unknown[] }).data).toHaveLength(
          Math.min(limit, ROWS.length),
        );
      }
  });

  it("pages by receivedAt with the same cursor as the rows", async () => {
    const q: LogQuery = { sourceID: "json-page", timeField: "receivedAt", order: "asc", limit: 4 };
    const res = await query("/v1/logs?sourceID=json-page&timeField=receivedAt&order=asc&limit=4");
    same(await res.text(), await expected(q));
  });

  it("answers an empty page as the rows did", async () => {
    const res = await query("/v1/logs?sourceID=json-page&eventName=none");
    expect(await res.text()).toBe(
      await expected({
        sourceID: "json-page",
        eventName: "none",
        timeField: "eventTime",
        order: "desc",
        limit: 100,
      }),
    );
  });
});
