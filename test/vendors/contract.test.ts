import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { present as presentRow } from "../../src/catalog";
import type { SourceType } from "../../src/config";
import { prepareRecords } from "../../src/pipeline/prepare";
import { commit } from "../../src/store/ingest";
import { getLog } from "../../src/store/query";
import { normalizerFor, VENDORS, vendorOf } from "../../src/vendors";
import type { ViewDefinition } from "../../src/vendors/types";
import { VENDOR_FIXTURES } from "./manifest-fixtures";

/**
 * Every vendor's fixture events, from its folder (src/vendors/<vendor>/fixtures/index.ts, or a
 * manifest vendor's fixtures/page*.json read through its record selector); the first test fails
 * for a vendor in the registry without them.
 */
const FIXTURES = VENDOR_FIXTURES as Partial<Record<SourceType, unknown[]>>;

/** One suite every vendor passes: its fixtures, its view, and the normalizer's promises. */
const vendors = VENDORS.map((v) => ({
  type: v.type,
  view: v.view.name,
  events: FIXTURES[v.type] ?? [],
}));

const COMMON = new Set([
  "id",
  "workspaceID",
  "sourceType",
  "sourceID",
  "sourceTTL",
  "receivedAt",
  "eventTime",
  "eventName",
  "eventID",
  "readOnly",
  ...["src", "dst"].flatMap((p) =>
    [
      "IP",
      "ASOrganization",
      "ASNumber",
      "ASCountryCode",
      "City",
      "ConnectionType",
      "ISP",
      "Latitude",
      "Longitude",
      "UserType",
    ].map((c) => p + c),
  ),
  "actor",
  "tags",
  "resources",
  "serviceName",
  "enrichments",
  "rawLog",
]);

const reorder = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(reorder)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reorder(x)]),
        )
      : v;

describe.each(vendors)("vendor contract: $type", ({ type, view, events }) => {
  const normalizer = normalizerFor(type);

  it("has fixture events in its folder", () => {
    expect(events.length, `src/vendors/${type}/fixtures/index.ts`).toBeGreaterThan(1);
  });

  it("normalizes every fixture event, deterministically, to distinct event ids", async () => {
    const ids = new Set<string>();
    for (const value of events) {
      const raw = JSON.stringify(value);
      const a = normalizer.normalize({ value, raw });
      const b = normalizer.normalize({ value: reorder(value), raw });
      if (!a.ok || !b.ok) throw new Error(`${type}: ${a.ok ? "" : a.message}`);
      expect(b.event).toEqual(a.event);
      expect(a.event.rawLog).toBe(raw);
      expect(Number.isFinite(a.event.eventTime)).toBe(true);
      expect(a.event.eventName.length).toBeGreaterThan(0);
      expect(a.event.serviceName).toBe(type);
      for (const v of [...Object.values(a.event.actor), ...Object.values(a.event.tags)])
        expect(typeof v).toBe("string");
      ids.add(a.event.eventID);
    }
    expect(ids.size).toBe(events.length);
  });

  it("fills exactly the vendor columns of its view", async () => {
    const { results } = await env.DB.prepare(`PRAGMA table_info(${view})`).all<{ name: string }>();
    const vendorColumns = results.map((r) => r.name).filter((n) => !COMMON.has(n));
    const first = normalizer.normalize({ value: events[0], raw: JSON.stringify(events[0]) });
    if (!first.ok) throw new Error(first.message);
    expect(Object.keys(first.event.sourceFields).sort()).toEqual(vendorColumns.sort());
  });

  it("stores its events so that the view and the API show the normalizer's vendor columns", async () => {
    // Vendor columns the view reads from rawLog are not stored twice (src/store/source-fields.ts):
    // reading them back must give exactly what the normalizer said.
    const source = { id: `contract-${type}`, type };
    const framed = events.map((value, i) => ({
      ok: true as const,
      value,
      raw: JSON.stringify(value),
      location: `[${i}]`,
    }));
    const prepared = await prepareRecords(env, source, framed, Date.now());
    expect(prepared.rows).toHaveLength(events.length);
    await commit(env, {
      sourceID: source.id,
      sourceType: type,
      ...prepared,
      received: events.length,
      now: Date.now(),
    });
    let elided = 0;
    const asJson = (v: unknown) => (v !== null && typeof v === "object" ? JSON.stringify(v) : v);
    for (const value of events) {
      const n = normalizer.normalize({ value, raw: JSON.stringify(value) });
      if (!n.ok) throw new Error(n.message);
      const row = prepared.rows.find((r) => r.eventID === n.event.eventID);
      const stored = await getLog(env.DB, row?.id ?? "");
      if (!stored) throw new Error(`${type}: ${n.event.eventID} not stored`);
      expect(presentRow(stored).sourceFields).toEqual(n.event.sourceFields);
      elided +=
        Object.keys(n.event.sourceFields).length -
        Object.keys(JSON.parse(stored.sourceFields)).length;
      const viewed = await env.DB.prepare(`SELECT * FROM ${view} WHERE id = ?1`)
        .bind(stored.id)
        .first<Record<string, unknown>>();
      // the `logs` view (POST /v1/sql) shows the same vendor columns as one JSON object
      const all = await env.DB.prepare("SELECT sourceFields, eventTime FROM logs WHERE id = ?1")
        .bind(stored.id)
        .first<{ sourceFields: string; eventTime: string }>();
      expect(JSON.parse(all?.sourceFields ?? "null"), `logs.sourceFields`).toEqual(
        JSON.parse(JSON.stringify(n.event.sourceFields)),
      );
      expect(all?.eventTime).toBe(new Date(stored.eventTime).toISOString());
      for (const [k, v] of Object.entries(n.event.sourceFields)) {
        const shown = viewed?.[k];
        const expected = typeof v === "boolean" ? Number(v) : asJson(v);
        expect(
          typeof shown === "string" && typeof expected === "string" && /^[[{]/.test(shown)
            ? JSON.parse(shown)
            : shown,
          `${view}.${k}`,
        ).toEqual(
          typeof expected === "string" && /^[[{]/.test(expected) ? JSON.parse(expected) : expected,
        );
      }
    }
    const paths = (vendorOf(type).view as ViewDefinition).rawPaths;
    if (paths) expect(elided, "vendor columns read from rawLog, not stored").toBeGreaterThan(0);
  });

  it("rejects a non-object and an empty object with a reason, never a throw", async () => {
    for (const value of [null, 42, "text", [], {}]) {
      const r = normalizer.normalize({ value, raw: JSON.stringify(value) });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
    }
  });
});
