import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import { fullMaps } from "../../src/store/derived";
import { toRow } from "../../src/store/rows";
import { VENDORS } from "../../src/vendors";
import { MANIFEST_FIXTURES } from "./manifest-fixtures";

/**
 * Stored ids never change: a changed event id or row id lets a redelivered event in twice. Every
 * vendor's fixture events, and variants of each with one field missing or of another type, are
 * normalized and made rows, and compared with the rows main stored at b69161f (before the hash
 * and canonical JSON were made faster): byte for byte for the fixture events, by a digest of all
 * of them for the variants (WebCrypto's, not the code under test). A change of a normalizer that
 * is meant to change what is stored shows here: write the file anew (delete it and run this test)
 * and say why in the commit.
 */

const FILES = import.meta.glob<string>("../../src/vendors/*/fixtures/*.{json,ndjson}", {
  eager: true,
  import: "default",
  query: "?raw",
});

/** Every object in a fixture file: the file's, each in a list of it, each line of an ndjson. */
function objectsOf(path: string, text: string): unknown[] {
  const values = path.endsWith(".ndjson")
    ? text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown)
    : [JSON.parse(text) as unknown];
  return values.flatMap((v) => [
    v,
    ...(Array.isArray(v) ? v : []),
    ...(v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.values(v).flatMap((x) => (Array.isArray(x) ? x : []))
      : []),
  ]);
}

const ODD = [null, "", " ", 0, 42.5, -1, true, {}, [], ["x"], "not a time", "2026-08-21T10:15:02Z"];

/** Each event as it is, without each of its keys, and with each key of another value. */
function variants(events: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    if (e === null || typeof e !== "object" || Array.isArray(e)) continue;
    const obj = e as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const { [k]: _, ...without } = obj;
      out.push(without);
      for (const v of ODD) out.push({ ...obj, [k]: v });
    }
  }
  return out;
}

const RECEIVED_AT = Date.UTC(2026, 7, 22);

/** What a record becomes: its row (its ids and every column), or the failure, as text. */
async function stored(vendor: (typeof VENDORS)[number], value: unknown): Promise<string> {
  const raw = JSON.stringify(value);
  try {
    const out = vendor.normalizer.normalize({ value, raw });
    if (!out.ok) return JSON.stringify(out);
    const source = { id: `${vendor.type}-1`, type: vendor.type };
    const row = toRow(source, out.event, RECEIVED_AT, { view: vendor.view, parsed: value });
    // the maps a row holds as markers, as every reader rebuilds them from rawLog
    // (src/store/derived.ts): the text b69161f stored
    return JSON.stringify({ ...row, ...fullMaps(vendor.view, row) });
  } catch (err) {
    return `throws ${String(err)}`;
  }
}

describe("stored rows and ids", () => {
  it("are the ones stored at b69161f, for every vendor's fixtures and their variants", async () => {
    const snapshot: Record<string, { rows: string[]; variants: number; digest: string }> = {};
    for (const vendor of VENDORS) {
      const all = [
        ...Object.entries(FILES)
          .filter(([path]) => path.split("/").at(-3) === vendor.type)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .flatMap(([path, text]) => objectsOf(path, text)),
        ...(MANIFEST_FIXTURES[vendor.type] ?? []),
      ];
      // each event once (the same events are in several files)
      const events = [...new Map(all.map((e) => [JSON.stringify(e), e])).values()];
      const rows = await Promise.all(events.map((e) => stored(vendor, e)));
      const others = variants(events);
      const texts: string[] = [];
      for (const v of others) texts.push(await stored(vendor, v));
      snapshot[vendor.type] = {
        rows,
        variants: others.length,
        digest: await sha256Hex(texts.join("\n")),
      };
      // (a vendor with no row stored would compare nothing)
      expect(rows.filter((r) => r.startsWith('{"id":')).length, vendor.type).toBeGreaterThan(1);
    }
    await expect(JSON.stringify(snapshot, null, 1)).toMatchFileSnapshot(
      "./__snapshots__/stored-rows.b69161f.json",
    );
  });
});
