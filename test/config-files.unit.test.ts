import { describe, expect, it } from "vitest";
import devVars from "../.dev.vars.example?raw";
import { derivedDevSources, devVarsSources, withDevSources } from "../scripts/lib/dev-sources.mjs";
import { parseSources, SOURCE_TYPES } from "../src/config";
import { VENDORS } from "../src/vendors";
import type { VendorMock } from "../src/vendors/mock";
import wranglerToml from "../wrangler.toml?raw";
import { manifestMocks } from "./vendors/manifest-fixtures";

const MOCK_BASE = "http://127.0.0.1:8788";
const MOCKS: Record<string, VendorMock> = {
  ...Object.fromEntries(
    Object.entries(
      import.meta.glob<{ mock: VendorMock }>("../src/vendors/*/mock.ts", { eager: true }),
    ).map(([path, m]) => [path.split("/").at(-2), m.mock]),
  ),
  ...manifestMocks(),
};

describe("production config is production; dev settings live in .dev.vars", () => {
  it("wrangler.toml points at no loopback address and no demo organization", () => {
    const settings = wranglerToml
      .split("\n")
      .filter((l) => !l.trimStart().startsWith("#"))
      .join("\n");
    expect(settings).not.toMatch(/127\.0\.0\.1|localhost|"acme"/);
  });

  it("npm start has a source of each type (.dev.vars.example's, and one derived for any vendor it lacks), pollers, the S3 bucket and Azurite at the local mocks", () => {
    const line = devVars.split("\n").find((l) => l.startsWith("SOURCES="));
    const example = JSON.parse(String(line).slice("SOURCES=".length).replace(/^'|'$/g, ""));
    const derived = derivedDevSources(example, VENDORS, MOCKS, MOCK_BASE).sources;
    const sources = parseSources([...example, ...derived]);
    expect([...new Set(sources.map((s) => s.type))].sort()).toEqual([...SOURCE_TYPES].sort());
    for (const s of sources) {
      if ("baseUrl" in s) expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:8788\//);
      if ("s3" in s && s.s3) {
        expect(s.s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:8788\//);
        expect(s.s3.sqsQueueUrl).toMatch(/^http:\/\/127\.0\.0\.1:8788\//);
      }
    }
    expect(sources.some((s) => "s3" in s && s.s3)).toBe(true);
    // The Azure source reads Azurite as npm start runs it (scripts/lib/dev-azure.mjs).
    const azure = sources.find((s) => "azure" in s && s.azure);
    expect(azure).toMatchObject({
      azure: {
        endpoint: "http://127.0.0.1:10000/devstoreaccount1",
        container: "turbopuffer-audit",
        queueName: "audit-events",
      },
    });
  });

  it("a bucket source names exactly one place its files are: prefix, s3, gcs or azure", () => {
    const s3 = {
      bucket: "acme-audit",
      region: "us-east-1",
      accessKeyIdEnv: "K",
      secretAccessKeyEnv: "S",
    };
    expect(() => parseSources([{ id: "c", type: "circleci" }])).toThrow(
      'SOURCES[0] (id "c") field "prefix": needs exactly one of prefix (the R2 landing bucket), s3, gcs or azure',
    );
    expect(() => parseSources([{ id: "c", type: "circleci", prefix: "c/", s3 }])).toThrow(
      /needs exactly one of prefix/,
    );
    expect(() =>
      parseSources([{ id: "c", type: "circleci", s3: { ...s3, region: "mars" } }]),
    ).toThrow(/field "s3.region": must be an AWS region/);
    expect(() =>
      parseSources([
        { id: "c", type: "circleci", s3: { ...s3, topicArns: ["arn:aws:sqs:us-east-1:1:x"] } },
      ]),
    ).toThrow(/must be an SNS topic ARN/);
    const [parsed] = parseSources([{ id: "c", type: "airkit", s3 }]);
    expect(parsed).toMatchObject({ s3: { prefix: "", topicArns: [], snsMaxAgeSeconds: 3600 } });
    expect(() => parseSources([{ id: "t", type: "turbopuffer" }])).toThrow(/needs ingestTokenEnv/);
  });
});

describe("npm start's derived dev sources (scripts/lib/dev-sources.mjs)", () => {
  it("gives each vendor type a .dev.vars lacks a valid source: pollers at their mock with its token", () => {
    const only = [{ id: "mine", type: "turbopuffer", ingestTokenEnv: "MINE" }];
    const added = derivedDevSources(only, VENDORS, MOCKS, MOCK_BASE);
    expect(added.sources.map((s: { type: string }) => s.type).sort()).toEqual(
      SOURCE_TYPES.filter((t) => t !== "turbopuffer" && t !== "auditflare").sort(),
    );
    const all = parseSources([...only, ...added.sources]);
    expect(new Set(all.map((s) => s.type))).toEqual(new Set(SOURCE_TYPES));
    const ps = all.find((s) => s.type === "planetscale");
    expect(ps).toMatchObject({ baseUrl: `${MOCK_BASE}${MOCKS.planetscale?.prefix}` });
    expect(added.vars[(ps as { tokenEnv: string }).tokenEnv]).toBe(MOCKS.planetscale?.token);
    // a manifest vendor's source takes the fields its manifest names, with their dev values
    expect(all.find((s) => s.type === "github")).toMatchObject({
      organization: "acme",
      baseUrl: `${MOCK_BASE}/github`,
    });
    expect(all.find((s) => s.type === "okta")).not.toHaveProperty("organization");
  });

  it("writes them into the env file without touching the rest of .dev.vars", () => {
    const text = `ADMIN_API_TOKEN=x\nSOURCES='[{"id":"a","type":"circleci","prefix":"a/"}]'\nQ=1\n`;
    const added = derivedDevSources(
      [{ id: "a", type: "circleci", prefix: "a/" }],
      VENDORS.filter((v) => v.type === "turso" || v.type === "circleci"),
      MOCKS,
      MOCK_BASE,
    );
    const out = withDevSources(text, added);
    expect(out).toContain("ADMIN_API_TOKEN=x\n");
    expect(out).toContain("Q=1\n");
    const line = out.match(/^SOURCES='(.*)'$/m)?.[1] ?? "";
    expect(JSON.parse(line).map((s: { id: string }) => s.id)).toEqual(["a", "turso"]);
    expect(out).toContain(`TURSO_DEV_TOKEN=${JSON.stringify(MOCKS.turso?.token)}`);
    expect(withDevSources(text, { sources: [], vars: {} })).toBe(text);
    // What npm start reads of .dev.vars: none without the line, null (nothing derived) when
    // the line is not JSON (the Worker refuses it itself, naming SOURCES).
    expect(devVarsSources(text)).toEqual([{ id: "a", type: "circleci", prefix: "a/" }]);
    expect(devVarsSources("ADMIN_API_TOKEN=x\n")).toEqual([]);
    expect(devVarsSources("SOURCES='[{oops'\n")).toBeNull();
  });
});
