import { env } from "cloudflare:workers";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { expect, it } from "vitest";
import { ARCHIVE_COLUMNS, toParquet } from "../../src/archive/parquet";
import { present as presentRow } from "../../src/catalog";
import type { LogRow } from "../../src/store/schema";
import { push, tpEvent } from "../helpers";

it("writes stored rows as typed Parquet that reads back to the same values", async () => {
  const events = Array.from({ length: 50 }, (_, i) => tpEvent(90_000 + i));
  events[3] = { ...events[3], note: 'ünïcode ✓ \u2028 "quotes"' };
  expect(await (await push("turbopuffer", JSON.stringify(events))).json()).toMatchObject({
    inserted: 50,
  });
  const { results } = await env.DB.prepare(
    "SELECT * FROM events WHERE sourceID = 'turbopuffer' ORDER BY rid",
  ).all<LogRow & { rid: number }>();
  // the maps are stored as markers (src/store/derived.ts): the file holds them rebuilt
  expect(results.every((r) => r.actor === "@" && r.resources === "")).toBe(true);
  const buffer = toParquet(results);
  const meta = parquetMetadata(buffer);
  const types = Object.fromEntries(
    parquetSchema(meta).children.map((c) => [c.element.name, c.element]),
  );
  expect(Object.keys(types)).toEqual(ARCHIVE_COLUMNS.map((c) => c.name));
  expect(types.eventTime).toMatchObject({ type: "INT64", converted_type: "TIMESTAMP_MILLIS" });
  expect(types.readOnly).toMatchObject({ type: "BOOLEAN" });
  expect(types.actor).toMatchObject({ type: "BYTE_ARRAY", converted_type: "JSON" });
  expect(types.rawLog).toMatchObject({ type: "BYTE_ARRAY", converted_type: "UTF8" });
  expect(meta.row_groups[0]?.columns[0]?.meta_data?.codec).toBe("SNAPPY");

  const read = await parquetReadObjects({ file: buffer });
  expect(read).toHaveLength(50);
  for (const [i, row] of results.entries()) {
    const back = read[i] as Record<string, unknown>;
    const api = presentRow(row);
    expect(back.rawLog).toBe(row.rawLog); // byte-identical text
    expect((back.eventTime as Date).getTime()).toBe(row.eventTime);
    expect((back.receivedAt as Date).getTime()).toBe(row.receivedAt);
    expect(back.actor).toEqual(api.actor);
    expect(back.tags).toEqual(api.tags);
    expect(back.resources).toEqual(api.resources);
    expect(back.sourceFields).toEqual(api.sourceFields);
    for (const c of ["id", "sourceID", "sourceType", "eventName", "eventID", "srcIP"] as const)
      expect(back[c]).toBe(row[c]);
    expect(back.dstIP).toBeNull();
  }
});
