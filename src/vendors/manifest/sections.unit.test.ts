import { describe, expect, it } from "vitest";
import { GITHUB } from "../../../test/fixtures/signature-schemes";
import { verifyHmac } from "../../lib/signature";
import { MANIFESTS } from "../manifests.gen";
import { type Manifest, manifestVendor } from ".";
import { manifestSchema } from "./schema";
import { typesCheck } from "./types";

/**
 * The push and files sections and the shapes the file and push vendors needed (`prepare`, typed
 * nested objects and lists), on manifests made from the bundled ones: what a manifest declares
 * is what the push route, the bucket reader and the SOURCES check are handed.
 */

const manifest = (type: string) => {
  const m = MANIFESTS.find((x) => x.type === type);
  if (!m) throw new Error(type);
  return m as Manifest;
};
/** A manifest as the YAML would say it, checked and its defaults filled by the schema. */
const parse = (m: unknown) => manifestSchema.parse(m) as Manifest;
const { $schema: _, ...turbopuffer } = { ...manifest("turbopuffer"), $schema: "" };

describe("push: section", () => {
  it("declares GitHub's signature in YAML and hands the push route the scheme of src/lib/signature.ts", async () => {
    const signed = parse({
      ...turbopuffer,
      type: "signedvendor",
      push: {
        auth: {
          kind: "hmac",
          header: "x-hub-signature-256",
          algorithm: "SHA-256",
          prefix: "sha256=",
        },
      },
    });
    const vendor = manifestVendor(signed);
    expect(vendor.push?.auth).toEqual(GITHUB);
    // GitHub's published example (docs: "Validating webhook deliveries")
    const check = await verifyHmac(GITHUB, "It's a Secret to Everybody", {
      header: () => "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
      body: new TextEncoder().encode("Hello, World!"),
      now: 0,
    });
    expect(check).toEqual({ ok: true });
  });

  it("a timestamped scheme (Slack's) keeps its header, tolerance and signed text", () => {
    const vendor = manifestVendor(
      parse({
        ...turbopuffer,
        type: "slackish",
        push: {
          auth: {
            kind: "hmac",
            header: "x-slack-signature",
            algorithm: "SHA-256",
            prefix: "v0=",
            timestamp: { header: "x-slack-request-timestamp" },
            signed: "v0:{timestamp}:{body}",
          },
        },
      }),
    );
    expect(vendor.push?.auth).toEqual({
      kind: "hmac",
      header: "x-slack-signature",
      algorithm: "SHA-256",
      encoding: "hex",
      prefix: "v0=",
      timestamp: { header: "x-slack-request-timestamp", toleranceSeconds: 300 },
      signed: "v0:{timestamp}:{body}",
    });
  });

  it("bearer is the default: no push.auth on the vendor, the route's bearer check", () => {
    expect(manifestVendor(parse({ ...turbopuffer, push: {} })).push).toBeUndefined();
  });

  it("a push-only vendor's source needs ingestTokenEnv; push and files take either", () => {
    const { files: _f, ...pushOnly } = turbopuffer;
    const config = manifestVendor(parse(pushOnly)).config;
    expect(config.safeParse({ id: "a", type: "turbopuffer" }).success).toBe(false);
    expect(config.safeParse({ id: "a", type: "turbopuffer", ingestTokenEnv: "T" }).success).toBe(
      true,
    );
    expect(config.safeParse({ id: "a", type: "turbopuffer", prefix: "x/" }).success).toBe(false);
    const both = manifestVendor(parse(turbopuffer)).config;
    expect(both.safeParse({ id: "a", type: "turbopuffer", prefix: "x/" }).success).toBe(true);
  });
});

describe("files: section", () => {
  it("skips the test objects and keys it names, and reads the rest", () => {
    const vendor = manifestVendor(
      parse({
        ...manifest("circleci"),
        files: {
          skip: { prefixes: ["circleci_connectivity_test_"], keys: [".*/_SUCCESS", ".*\\.tmp"] },
        },
      }),
    );
    expect(vendor.testObjectPrefixes).toEqual(["circleci_connectivity_test_"]);
    const skipped = (key: string) => vendor.skipKeys?.some((k) => k.test(key)) ?? false;
    expect(skipped("cci/2026/08/_SUCCESS")).toBe(true);
    expect(skipped("cci/2026/08/part-1.ndjson.tmp")).toBe(true);
    expect(skipped("cci/2026/08/part-1.ndjson")).toBe(false);
    expect(skipped("cci/2026/08/_SUCCESS.ndjson")).toBe(false);
  });

  it("a files vendor takes exactly one bucket, in the words of every bucket vendor", () => {
    const config = manifestVendor(manifest("airkit")).config;
    const r = config.safeParse({ id: "a", type: "airkit" });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(
      "needs exactly one of prefix (the R2 landing bucket), s3, gcs or azure",
    );
    expect(
      config.safeParse({ id: "a", type: "airkit", ingestTokenEnv: "T", prefix: "x/" }).success,
    ).toBe(false);
  });

  it("a manifest says how its events arrive: poll, or push and/or files", () => {
    const { files: _f, push: _p, ...none } = turbopuffer;
    expect(manifestSchema.safeParse(none).error?.issues[0]?.message).toMatch(/poll, push or files/);
    const polledAndPushed = { ...manifest("okta"), push: {} };
    expect(manifestSchema.safeParse(polledAndPushed).error?.issues[0]?.message).toMatch(
      /polled vendor is polled only/,
    );
  });
});

describe("map.prepare and typed nested fields", () => {
  it("turns a CSV-export row into the event: keys, JSON cells, booleans, nesting, integers", async () => {
    const n = manifestVendor(manifest("circleci")).normalizer;
    const row = {
      ID: "e1",
      VERSION: "2",
      ACTION: "project.env_var.create",
      ACTOR_ID: "u1",
      ACTOR_NAME: "ada@example.com",
      TARGET_ID: "p1",
      TARGET_TYPE: "project",
      OCCURRED_AT: "2026-08-21T11:07:45Z",
      SUCCESS: "false",
      PAYLOAD: '{"env_var_name":"SENTRY_DSN"}',
      REQUEST_IP_ADDRESS: "192.0.2.55",
      SCOPE_ID: " ",
    };
    const r = n.normalize({ value: row, raw: JSON.stringify(row) });
    if (!r.ok) throw new Error(r.message);
    expect(r.event.actor).toEqual({ id: "u1", name: "ada@example.com", email: "ada@example.com" });
    expect(r.event.src.ip).toBe("192.0.2.55");
    expect(r.event.resources).toEqual(["project:p1"]);
    expect(r.event.tags).toEqual({ outcome: "failure" });
    expect(r.event.sourceFields).toMatchObject({
      version: 2,
      success: false,
      payload: { env_var_name: "SENTRY_DSN" },
      scopeId: null,
    });
  });

  it("a CSV cell nested deeper than the JSON reader allows fails that record alone", async () => {
    const n = manifestVendor(manifest("circleci")).normalizer;
    const row = { ID: "e1", ACTOR_ID: `${"[".repeat(100)}${"]".repeat(100)}` };
    expect(n.normalize({ value: row, raw: "" })).toEqual({
      ok: false,
      code: "nesting_too_deep",
      message: "ACTOR_ID: nests deeper than 64 levels",
    });
  });

  it("keys in any case are one key (Airkit): eventTime, event_time, EVENT-TIME", async () => {
    const n = manifestVendor(manifest("airkit")).normalizer;
    const value = {
      eventId: "x1",
      "event-type": "user_login",
      " event_time ": "2026-08-21 09:15:42",
    };
    expect(n.isEvent(value)).toBe(true);
    const r = n.normalize({ value, raw: JSON.stringify(value) });
    expect(r.ok && [r.event.eventID, r.event.eventName, r.event.eventTime]).toEqual([
      "x1",
      "user_login",
      Date.UTC(2026, 7, 21, 9, 15, 42),
    ]);
  });

  it("types: `?` missing or null, `|missing` and `|null` one of them, lists of objects", () => {
    const check = typesCheck({
      a: "text|missing",
      b: "string|null",
      c: "object?",
      "c.d": "integer",
      "e[].f": "string",
    });
    if (!check) throw new Error("no check");
    const ok = (v: unknown) => check.ok(v) && check.issues(v).length === 0;
    expect(ok({ b: null, e: [] })).toBe(true);
    expect(ok({ a: "x", b: "y", c: { d: 1 }, e: [{ f: "" }] })).toBe(true);
    expect(ok({ a: null, b: null, e: [] })).toBe(false);
    expect(ok({ e: [] })).toBe(false); // b may be null, not missing
    expect(ok({ b: null, c: { d: 1.5 }, e: [] })).toBe(false);
    expect(check.issues({ b: null, e: [{ f: 1 }] }).map((i) => i.path.join("."))).toEqual([
      "e.0.f",
    ]);
  });

  it("types: the fast check says yes exactly where zod's schema does, for every type and modifier", () => {
    const names = [
      "string",
      "text",
      "number",
      "integer",
      "count",
      "boolean",
      "object",
      "array",
      "iso",
    ];
    const expressions = [
      ...names,
      ...names.map((n) => `${n}?`),
      ...names.map((n) => `${n}|null`),
      ...names.map((n) => `${n}|missing`),
      "string|number",
      "integer|boolean?",
      "iso|count",
      "missing|null",
    ];
    const values = [
      undefined,
      null,
      "",
      "x",
      "2026-08-21T09:15:42Z",
      "not a time",
      0,
      -1,
      1.5,
      2 ** 53,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      false,
      {},
      { a: 1 },
      [],
      [1],
    ];
    let cases = 0;
    for (const expression of expressions) {
      // a leaf inside an object (its bits, read by the object's loop) and a list's item (its own check)
      const inObject = typesCheck({ v: expression });
      const inList = typesCheck({ "l[]": expression });
      if (!inObject || !inList) throw new Error("no check");
      for (const v of values) {
        const record = v === undefined ? {} : { v };
        expect(inObject.ok(record), `${expression} ${String(v)}`).toBe(
          inObject.issues(record).length === 0,
        );
        if (v !== undefined) {
          expect(inList.ok({ l: [v] }), `[${expression}] ${String(v)}`).toBe(
            inList.issues({ l: [v] }).length === 0,
          );
        }
        cases++;
      }
    }
    expect(cases).toBe(expressions.length * values.length);
  });
});
