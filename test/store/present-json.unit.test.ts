import { describe, expect, it } from "vitest";
import { viewOf } from "../../src/catalog";
import { presentedJson, presentRow } from "../../src/store/present";
import type { LogRow } from "../../src/store/schema";

/**
 * presentedJson writes a row's stored columns by a plan made for the keys of the rows before it
 * (src/store/present.ts): rows whose keys differ (another order, one more or fewer, an unstored
 * column read back from elsewhere) in any sequence still give JSON.stringify(presentRow(row)).
 */
const BASE = {
  id: "a".repeat(32),
  workspaceID: "",
  sourceType: "turbopuffer",
  sourceID: "s",
  sourceTTL: 0,
  receivedAt: Date.UTC(2026, 2, 1, 0, 0, 1, 7),
  eventTime: Date.UTC(2026, 2, 1, 0, 0, 1),
  eventName: 'quote" \u2028',
  eventID: "e1",
  readOnly: 1,
  srcIP: "203.0.113.9",
  srcASOrganization: null,
  srcASNumber: 13335,
  srcASCountryCode: null,
  srcCity: null,
  srcConnectionType: null,
  srcISP: null,
  srcLatitude: 0.1 + 0.2,
  srcLongitude: null,
  srcUserType: null,
  actor: "@",
  tags: "",
  resources: "",
  serviceName: "turbopuffer",
  enrichments: "[]",
  rawLog: JSON.stringify({
    action: "a",
    actor: { type: "user", id: "u", name: "u@example.com" },
    metadata: { session_id: "s1" },
    targets: [{ type: "session", id: "s1" }],
  }),
  rawLogRef: null,
  sourceFields: "{}",
};

const reversed = Object.fromEntries(Object.entries(BASE).reverse());
const { srcCity: _c, ...fewer } = BASE;
const ROWS: Array<[string, Record<string, unknown>]> = [
  ["a D1 row", { ...BASE, key: "123" }],
  ["the same keys again", { ...BASE, id: "b".repeat(32), key: "124" }],
  ["its keys in another order", reversed],
  ["a key fewer", fewer],
  ["a key more", { ...BASE, key: "125", extra: [1, "x"] }],
  ["an unstored column in its place", { ...BASE, dstIP: "198.51.100.1" }],
  ["an unstored column undefined", { ...BASE, dstCity: undefined }],
  ["an undefined value", { ...BASE, srcISP: undefined }],
  ["a D1 row after the others", { ...BASE, key: "126" }],
  // a key for…in sees but Object.keys does not (review): valid JSON, presentRow's
  ["a row with an inherited key", Object.assign(Object.create({ extra: 1 }), BASE)],
];

describe("presentedJson", () => {
  for (const [name, row] of ROWS) {
    it(`writes JSON.stringify(presentRow(row)) for ${name}`, () => {
      const r = row as unknown as LogRow;
      const view = viewOf(r.sourceType);
      expect(presentedJson(r, view)).toBe(JSON.stringify(presentRow(r, view)));
    });
  }
});
