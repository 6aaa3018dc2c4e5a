import fc from "fast-check";
import { describe, expect, it } from "vitest";
import apiKeyCreated from "../../../src/vendors/turbopuffer/fixtures/event-api-key-created.json";
import { gzip, push, tpEvent } from "../../helpers";

const encoder = new TextEncoder();
const valid = JSON.stringify([tpEvent(1), apiKeyCreated, tpEvent(2)]);

/** Hostile bodies: each arbitrary yields the bytes and headers of one request. */
const truncated = fc
  .nat({ max: valid.length - 1 })
  .map((n) => ({ body: encoder.encode(valid.slice(0, n)), gz: false }));
const wrongTypes = fc
  .record(
    {
      action: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string())),
      occurred_at: fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.integer(),
      ),
      actor: fc.oneof(fc.object(), fc.constant(null), fc.string()),
      targets: fc.oneof(fc.array(fc.object()), fc.string(), fc.constant(null)),
      context: fc.oneof(fc.object(), fc.constant(null)),
      metadata: fc.oneof(fc.object(), fc.array(fc.integer()), fc.constant(null)),
    },
    { requiredKeys: [] },
  )
  .map((e) => ({
    body: encoder.encode(JSON.stringify(fc.sample(fc.boolean(), 1)[0] ? [e, e] : e)),
    gz: false,
  }));
const anyJson = fc
  .jsonValue({ maxDepth: 6 })
  .map((v) => ({ body: encoder.encode(JSON.stringify(v)), gz: false }));
const deep = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom("[", '{"a":'))
  .map(([n, open]) => {
    const close = open === "[" ? "]" : "}";
    return { body: encoder.encode(`${open.repeat(n)}1${close.repeat(n)}`), gz: false };
  });
const randomBytes = fc.uint8Array({ maxLength: 2048 }).map((b) => ({ body: b, gz: false }));
const badUtf8 = fc
  .tuple(
    fc.string(),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => b.map((x) => 0x80 | x)),
  )
  .map(([s, junk]) => ({
    body: new Uint8Array([...encoder.encode(`{"action":"${s}`), 0xc3, ...junk]),
    gz: false,
  }));
const badGzip = fc
  .uint8Array({ maxLength: 512 })
  .map((b) => ({ body: new Uint8Array([0x1f, 0x8b, ...b]), gz: true }));
const ndjsonMix = fc
  .array(
    fc.oneof(
      fc.constant(JSON.stringify(tpEvent(3))),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    ),
    {
      minLength: 2,
      maxLength: 20,
    },
  )
  .map((lines) => ({ body: encoder.encode(lines.join("\n")), gz: false }));

const hostile = fc.oneof(
  truncated,
  wrongTypes,
  anyJson,
  deep,
  randomBytes,
  badUtf8,
  badGzip,
  ndjsonMix,
);

describe("push ingest never fails on our side, whatever the body", () => {
  it("answers 200 or 4xx with the JSON error shape for 1,200 generated bodies", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.boolean(), async ({ body, gz }, compress) => {
        const headers: Record<string, string> = {};
        let payload = body;
        if (gz) headers["content-encoding"] = "gzip";
        else if (compress) {
          payload = await gzip(new TextDecoder("latin1").decode(body));
          headers["content-encoding"] = "gzip";
        }
        const res = await Promise.race([
          push("turbopuffer", payload, { headers }),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("no answer within 10 s")), 10_000),
          ),
        ]);
        const text = await res.text();
        expect(res.status, text).toBeLessThan(500);
        const json = JSON.parse(text) as Record<string, unknown>;
        if (res.status === 200) {
          const r = json as Record<string, number>;
          expect(r.received).toBe((r.inserted ?? 0) + (r.duplicates ?? 0) + (r.quarantined ?? 0));
        } else {
          const err = json.error as { code: string; message: string };
          expect(err.code).toMatch(/^[a-z0-9_]+$/);
          expect(err.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1200, endOnFailure: true },
    );
  });
});
