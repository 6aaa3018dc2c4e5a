import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deliver, putObject } from "../../bucket-helpers";
import { count, gzip } from "../../helpers";

/**
 * The whole bucket path on random files: framing × encoding × line endings × bad records ×
 * redelivery. Whatever the file, every good record is stored exactly once, and the source's
 * counters add up: received = inserted + duplicates + quarantined.
 */

type Framing = "ndjson" | "array" | "csv";
const HEADER = "ID,ACTION,ACTOR,OCCURRED_AT";
let run = 0;

const goodEvent = (id: string) => ({
  id,
  action: "project.settings.update",
  actor: { id: "u-1", type: "user" },
  occurred_at: "2026-08-22T10:00:00Z",
});
const csvOf = (id: string, time = "2026-08-22T10:00:00Z") =>
  `${id},project.settings.update,"{""id"":""u-1"",""type"":""user""}",${time}`;

/** A bad record that keeps the file's framing intact (the framing's own kind of damage). */
function badRecord(framing: Framing, kind: number, id: string): string {
  const deep = `${"[".repeat(70)}${"]".repeat(70)}`;
  if (framing === "csv")
    return [`${id},only-two-fields`, csvOf(id, "2026-02-31T00:00:00Z"), csvOf(id, "never")][
      kind % 3
    ] as string;
  if (framing === "array")
    return [JSON.stringify({ id, action: "x" }), '"a string"', deep, "[]"][kind % 4] as string;
  return [
    "not json",
    `{"id": "${id}", "action": `,
    JSON.stringify({ ...goodEvent(id), occurred_at: "9999-12-31T23:59:59Z" }),
    deep,
    JSON.stringify([goodEvent(id)]),
  ][kind % 5] as string;
}

function fileOf(framing: Framing, records: string[], eol: string): string {
  if (framing === "array") return `[${records.join(`,${eol}`)}]${eol}`;
  if (framing === "csv") return [HEADER, ...records].join(eol) + eol;
  return records.join(eol) + eol;
}

async function stats() {
  const s = await env.DB.prepare(
    "SELECT received, inserted, duplicates, quarantined FROM source_stats WHERE sourceID = 'circleci'",
  ).first<Record<string, number>>();
  return s ?? { received: 0, inserted: 0, duplicates: 0, quarantined: 0 };
}

describe("bucket path (property)", () => {
  it("stores every good record once and keeps the counters adding up, for any file", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Framing>("ndjson", "array", "csv"),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.boolean(),
        fc.array(fc.oneof(fc.constant(-1), fc.nat(20)), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (framing, eol, gzipped, shape, redeliver) => {
          const prefix = `prop-${++run}-`;
          // -1 is a good record; n >= 0 a bad record of kind n.
          const lines = shape.map((k, i) =>
            k < 0
              ? framing === "csv"
                ? csvOf(`${prefix}${i}`)
                : JSON.stringify(goodEvent(`${prefix}${i}`))
              : // A first line holding an array is a JSON array file, not a bad NDJSON record.
                badRecord(framing, i === 0 && k % 5 === 4 ? 0 : k, `${prefix}bad-${i}`),
          );
          const good = shape.filter((k) => k < 0).length;
          const text = fileOf(framing, lines, eol);
          const body = gzipped ? await gzip(text) : text;
          const before = await stats();
          const key = `circleci/prop/${prefix}file.${framing}${gzipped ? ".gz" : ""}`;
          const n = await putObject(key, body);
          await deliver([{ body: n }]);
          if (redeliver) await deliver([{ body: n, attempts: 2 }]);
          const after = await stats();
          const d = (k: string) => Number(after[k]) - Number(before[k] ?? 0);
          expect(d("received")).toBe(d("inserted") + d("duplicates") + d("quarantined"));
          expect(d("inserted")).toBe(good);
          expect(
            await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE ?1", `${prefix}%`),
          ).toBe(good);
          // Each record is counted once (a redelivery of a finished file adds nothing). A file of
          // nothing but garbage may be unreadable from some point: what was read counts, and
          // the rest of the file counts as one more.
          if (good > 0) expect(d("received")).toBe(shape.length);
          else expect(d("received")).toBeGreaterThanOrEqual(1);
          expect(d("received")).toBeLessThanOrEqual(shape.length + 1);
        },
      ),
      { numRuns: 60 },
    );
  });
});
