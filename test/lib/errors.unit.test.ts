import { describe, expect, it } from "vitest";
import { describeError } from "../../src/lib/errors";

describe("describeError", () => {
  it("keeps the name and message of an error", () => {
    expect(describeError(new TypeError("bad thing"))).toBe("TypeError: bad thing");
    expect(describeError("plain")).toBe("plain");
  });

  it("never carries stack frames, even those a message embeds (D1 errors do)", () => {
    const err = new Error(
      "D1_ERROR: no such table: x: SQLITE_ERROR\n    at D1Database._send (cloudflare-internal:d1-api:135:19)\n    at async run (index.js:1:2)",
    );
    const text = describeError(err);
    expect(text).toBe("Error: D1_ERROR: no such table: x: SQLITE_ERROR");
    expect(text).not.toMatch(/\bat\s.*:\d+:\d+/);
  });

  it("keeps the other lines of a message written on several lines", () => {
    expect(describeError(new Error("first\nsecond"))).toBe("Error: first\nsecond");
  });
});
