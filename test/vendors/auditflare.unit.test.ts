import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../src/lib/time";
import ndjson from "../../src/vendors/auditflare/fixtures/events.ndjson?raw";
import { auditEvent, auditflare } from "../../src/vendors/auditflare/normalize";
import { accepted, sourceIp, zodFailure } from "../../src/vendors/event";

/**
 * The auditflare normalizer checks a valid event by hand and asks zod only when that says no:
 * its answers are the zod-only normalizer's (below, as it was), on the fixtures and on every
 * field of them set to values of every JSON type.
 */
async function reference(value: unknown, raw: string) {
  const parsed = auditEvent.safeParse(value);
  if (!parsed.success) return zodFailure(parsed.error.issues);
  const e = parsed.data;
  const actor: Record<string, string> = { name: e.actor.name, type: e.actor.via };
  if (e.actor.name.includes("@")) actor.email = e.actor.name;
  if (e.actor.client) actor.client = e.actor.client;
  return accepted({
    eventID: e.id,
    eventName: e.action,
    eventTime: parseTimestamp(e.time) as number,
    readOnly: e.readOnly ?? (e.method === "GET" || e.method === "HEAD"),
    serviceName: "auditflare",
    src: sourceIp(e.ip),
    actor,
    tags: {
      ...e.outcome,
      status: String(e.status),
      ...(e.requestId ? { requestId: e.requestId } : {}),
    },
    resources: [e.path],
    rawLog: raw,
    sourceFields: {
      auditflareAction: e.action,
      auditflareMethod: e.method,
      auditflarePath: e.path,
      auditflareParams: e.params,
      auditflareStatus: e.status,
      auditflareVia: e.actor.via,
    },
  });
}

const FIXTURES = ndjson
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Record<string, unknown>);

const VALUES = [
  undefined,
  null,
  "",
  "x",
  "a@b.c",
  "GET",
  "token",
  "oauth",
  "2026-11-23T01:02:03Z",
  "2026-11-23 01:02:03",
  "2026-02-30T00:00:00Z",
  0,
  -1,
  200,
  1.5,
  2 ** 53,
  true,
  false,
  [],
  ["a"],
  {},
  { a: "b" },
  { a: 1 },
  { a: null },
  JSON.parse('{"__proto__":{"x":"y"},"a":"b"}'),
  Object.create(null),
];

/** The event's shape and the exact text of what the row stores from it. */
const view = (r: Awaited<ReturnType<typeof reference>>) =>
  r.ok
    ? {
        ...r.event,
        json: JSON.stringify([
          r.event.actor,
          r.event.tags,
          r.event.resources,
          r.event.sourceFields,
          r.event.src,
        ]),
      }
    : r;

describe("auditflare normalizer", () => {
  it("answers as the zod-only normalizer on the fixtures and every field mutated", async () => {
    let cases = 0;
    let valid = 0;
    for (const fixture of FIXTURES) {
      const variants: unknown[] = [fixture, null, [], "x"];
      for (const key of [...Object.keys(fixture), "params", "outcome", "readOnly", "ip"]) {
        for (const v of VALUES) variants.push({ ...fixture, [key]: v });
      }
      const actor = fixture.actor as Record<string, unknown>;
      for (const key of ["name", "via", "client"])
        for (const v of VALUES) variants.push({ ...fixture, actor: { ...actor, [key]: v } });
      for (const v of VALUES) variants.push({ ...fixture, outcome: { changed: "yes", other: v } });
      for (const value of variants) {
        const raw = JSON.stringify(value) ?? "";
        const want = await reference(value, raw);
        const got = auditflare.normalize({ value, raw });
        expect(view(got), raw).toEqual(view(want));
        cases++;
        if (want.ok) valid++;
      }
    }
    // both paths are compared: many variants are valid, many are not
    expect(valid).toBeGreaterThan(50);
    expect(cases - valid).toBeGreaterThan(200);
  });
});
