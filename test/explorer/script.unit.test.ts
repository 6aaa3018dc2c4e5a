import { describe, expect, it } from "vitest";
import { PAGE } from "../../src/explorer/page";

/** The page's one inline script must at least parse: a stray escape in a template breaks every tab. */
describe("the explorer's script", () => {
  it("parses as JavaScript", () => {
    const scripts = [...PAGE.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
    expect(scripts).toHaveLength(1);
    expect(() => new Function(scripts[0] as string)).not.toThrow();
  });
});
