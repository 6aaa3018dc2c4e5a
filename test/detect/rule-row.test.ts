import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ruleRow } from "../../src/catalog";
import { type Framed, framedText, framedValue } from "../../src/parse/json";
import { prepareRecords } from "../../src/pipeline/prepare";
import { lazyRuleRow, ruleRowFrom } from "../../src/pipeline/rule-row";
import { toRow } from "../../src/store/rows";
import type { LogRow } from "../../src/store/schema";
import { VENDORS, vendorOf } from "../../src/vendors";
import { VENDOR_FIXTURES } from "../vendors/manifest-fixtures";

/**
 * The commit matches rules against rows built from the events in memory (src/pipeline/rule-row.ts);
 * the backtest and every later read match them against stored rows (ruleRowOf). The two must
 * be the same row, or the commit and the backtest would judge an event differently.
 */

/** Every vendor's fixture events (as the contract suite, test/vendors/contract.test.ts). */
const FIXTURES: Record<string, unknown[]> = VENDOR_FIXTURES;

/** The rows of `framed` as the commit has them, each with what ruleRowFrom made of it. */
async function prepared(type: string, framed: Framed[], tags?: Record<string, string>) {
  const source = { id: `rule-row-${type}`, type };
  const p = await prepareRecords(env, source, framed, Date.now(), { tags });
  return p.rows.map((row) => {
    const origin = p.origins.get(row);
    if (!origin) throw new Error(`row ${row.id} has no origin`);
    const lazy = lazyRuleRow(row, p.view, origin, () => ruleRow(row));
    return { row, fast: ruleRowFrom(row, p.view, origin), lazy };
  });
}

/** Deep equality and the same keys in the same order, all the way down. */
function expectSame(a: unknown, b: unknown) {
  expect(a).toStrictEqual(b);
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
}

describe.each(VENDORS.map((v) => ({ type: v.type, events: FIXTURES[v.type] ?? [] })))(
  "rule rows from memory: $type",
  ({ type, events }) => {
    it("has fixture events", () => {
      expect(events.length).toBeGreaterThan(0);
    });

    for (const [how, frame] of [
      [
        "parsed values (a JSON array, a polled page)",
        (v: unknown, i: number) => framedValue(`[${i}]`, v),
      ],
      [
        "record texts (NDJSON lines)",
        (v: unknown, i: number) => framedText(`line ${i}`, JSON.stringify(v)),
      ],
    ] as const) {
      it(`equal ruleRowOf of the stored row for every fixture, from ${how}`, async () => {
        const rows = await prepared(type, events.map(frame));
        expect(rows).toHaveLength(events.length);
        for (const { row, fast, lazy } of rows) {
          // the fixtures are plain JSON: never left to ruleRowOf
          expect(fast).toBeDefined();
          expectSame(fast, ruleRow(row));
          // the commit's lazy row reads as the same plain object
          expectSame(lazy, ruleRow(row));
          expect(Object.getPrototypeOf(lazy)).toBe(Object.prototype);
        }
      });
    }

    it("equal ruleRowOf with a transport's extra tags", async () => {
      const rows = await prepared(
        type,
        events.map((v, i) => framedValue(`[${i}]`, v)),
        { auditflareOrigin: "upload" },
      );
      for (const { row, fast, lazy } of rows) {
        expect(fast?.tags).toMatchObject({ auditflareOrigin: "upload" });
        expectSame(fast, ruleRow(row));
        expectSame(lazy, ruleRow(row));
      }
    });
  },
);

describe("rule rows from memory, where a JSON round trip would change a value", () => {
  const view = vendorOf("turbopuffer").view;
  const source = { id: "turbopuffer", type: "turbopuffer" };
  const tp = {
    action: "invitation-created",
    occurred_at: "2026-01-02T03:04:05.678Z",
    actor: { type: "user", id: "u1", name: "a@example.com" },
    targets: [{ type: "session", id: "s1", name: "s1" }],
    context: { location: "203.0.113.9" },
    metadata: { session_id: "s1" },
  };

  /** A row made by toRow from `event` (altered after normalizing), with its origin. */
  async function rowOf(alter: (e: Record<string, unknown>) => void, value: unknown = tp) {
    const raw = JSON.stringify(value);
    const n = vendorOf("turbopuffer").normalizer.normalize({ value, raw });
    if (!n.ok) throw new Error(n.message);
    alter(n.event as unknown as Record<string, unknown>);
    const record = { parsed: value };
    const row: LogRow = toRow(source, n.event, Date.now(), { view, parsed: value });
    let fullCalls = 0;
    const lazy = lazyRuleRow(row, view, { event: n.event, record }, () => {
      fullCalls++;
      return ruleRow(row);
    });
    return {
      row,
      fast: ruleRowFrom(row, view, { event: n.event, record }),
      lazy,
      fullCalls: () => fullCalls,
    };
  }

  it.each([
    [
      "an undefined member",
      (e: Record<string, unknown>) => (e.actor = { id: "u1", gone: undefined }),
    ],
    ["a NaN", (e: Record<string, unknown>) => (e.tags = { n: Number.NaN })],
    ["a -0", (e: Record<string, unknown>) => (e.resources = [-0])],
    ["a Date", (e: Record<string, unknown>) => (e.enrichments = [{ at: new Date(0) }])],
    [
      "an array hole",
      (e: Record<string, unknown>) => (e.resources = Object.assign(new Array(2), { 1: "x" })),
    ],
    ["a class instance", (e: Record<string, unknown>) => (e.actor = new URL("https://a.example/"))],
    ["an object without prototype", (e: Record<string, unknown>) => (e.tags = Object.create(null))],
  ])("reads the stored text for %s", async (_what, alter) => {
    const { row, fast, lazy } = await rowOf(alter);
    expect(fast).toBeDefined();
    expectSame(fast, ruleRow(row));
    expectSame(lazy, ruleRow(row));
  });

  it("leaves to ruleRowOf a map stored as a marker whose value in memory a round trip changes", async () => {
    // the actor the view builds from rawLog, plus an undefined member: JSON.stringify writes the
    // built map's text, so toRow stores the marker, and the stored text has no map to read
    let built: unknown;
    const { row, fast } = await rowOf((e) => {
      built = e.actor;
      e.actor = { ...(e.actor as Record<string, unknown>), gone: undefined };
    });
    expect(["", "@"]).toContain(row.actor);
    expect(fast).toBeUndefined();
    expect(ruleRow(row).actor).toStrictEqual(built);
  });

  it("a lazy row reads from memory what it can, and asks ruleRowOf once for the rest", async () => {
    const { row, lazy, fullCalls } = await rowOf((e) => {
      e.actor = { ...(e.actor as Record<string, unknown>), gone: undefined };
    });
    expect(lazy.eventName).toBe("invitation-created");
    expect(lazy.sessionId).toBe("s1");
    expect(lazy.tags).toStrictEqual({ session_id: "s1" });
    expect(fullCalls()).toBe(0); // none of those needed the stored row read again
    expect(lazy.actor).toStrictEqual(ruleRow(row).actor); // the marker's map: ruleRowOf's
    expect(lazy.actor).toBe(lazy.actor); // read once, kept
    expectSame(lazy, ruleRow(row));
    expect(fullCalls()).toBe(1);
    expect("eventName" in lazy && !("rid" in lazy) && !("sourceFields" in lazy)).toBe(true);
    expect(Object.hasOwn(lazy, "targets")).toBe(true);
  });

  it("leaves to ruleRowOf a vendor column whose record value a round trip changes", async () => {
    // targets[].name undefined: the stored rawLog has no `name`, the record in memory has one
    const value = { ...tp, targets: [{ type: "session", id: "s1", name: undefined }] };
    const { row, fast, lazy } = await rowOf(() => {}, value);
    expect(fast).toBeUndefined();
    expectSame(lazy, ruleRow(row));
    expect((ruleRow(row).targets as Record<string, unknown>[])[0]).toStrictEqual({
      type: "session",
      id: "s1",
    });
  });

  it("leaves to ruleRowOf a row whose rawLog is not the record's text", async () => {
    const { row } = await rowOf(() => {});
    const n = vendorOf("turbopuffer").normalizer.normalize({ value: tp, raw: "{}" });
    if (!n.ok) throw new Error(n.message);
    expect(n.event.rawLog).not.toBe(row.rawLog);
    expect(ruleRowFrom(row, view, { event: n.event, record: { parsed: tp } })).toBeUndefined();
    const lazy = lazyRuleRow(row, view, { event: n.event, record: { parsed: tp } }, () =>
      ruleRow(row),
    );
    expectSame(lazy, ruleRow(row));
  });

  it("reads the record's values where the row reads rawLog", async () => {
    const { row, fast } = await rowOf(() => {});
    expect(fast?.targets).toStrictEqual(tp.targets);
    expect(fast?.sessionId).toBe("s1");
    expect(fast?.impersonator).toBeNull();
    expectSame(fast, ruleRow(row));
  });
});
