import { describe, expect, it } from "vitest";
import devVars from "../.dev.vars.example?raw";
import { parseSources, SOURCE_TYPES } from "../src/config";
import wranglerToml from "../wrangler.toml?raw";

describe("production config is production; dev settings live in .dev.vars", () => {
  it("wrangler.toml points at no loopback address and no demo organization", () => {
    const settings = wranglerToml
      .split("\n")
      .filter((l) => !l.trimStart().startsWith("#"))
      .join("\n");
    expect(settings).not.toMatch(/127\.0\.0\.1|localhost|"acme"/);
  });

  it(".dev.vars.example gives npm start one source of each type, pollers at the local mocks", () => {
    const line = devVars.split("\n").find((l) => l.startsWith("SOURCES="));
    const sources = parseSources(String(line).slice("SOURCES=".length).replace(/^'|'$/g, ""));
    expect(sources.map((s) => s.type).sort()).toEqual([...SOURCE_TYPES].sort());
    for (const s of sources)
      if ("baseUrl" in s) expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:8788\//);
  });
});
