import { describe, expect, it } from "vitest";
import { cronsOf, parseCron } from "../scripts/lib/cron.mjs";
import wranglerToml from "../wrangler.toml?raw";

describe("npm start fires the configured crons on their schedule", () => {
  it("reads the crons of wrangler.toml", () => {
    expect(cronsOf(wranglerToml)).toEqual(["* * * * *", "17 * * * *"]);
  });

  it("matches each cron when it is due, in UTC", () => {
    const at = (h: number, m: number) => new Date(Date.UTC(2026, 10, 22, h, m));
    expect(parseCron("* * * * *")(at(3, 4))).toBe(true);
    expect(parseCron("17 * * * *")(at(3, 17))).toBe(true);
    expect(parseCron("17 * * * *")(at(3, 18))).toBe(false);
    expect(parseCron("*/15 9-17 * * 1-5")(at(9, 30))).toBe(false); // a Sunday
    expect(parseCron("*/15 9-17 * * 0")(at(9, 30))).toBe(true);
    expect(parseCron("0 0 1 * 7")(at(0, 0))).toBe(true); // day 7 is Sunday; either day field
    expect(() => parseCron("61 * * * *")).toThrow(/out of range/);
  });
});
