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

  it(".dev.vars.example gives npm start a source of each type, pollers and the S3 bucket at the local mocks", () => {
    const line = devVars.split("\n").find((l) => l.startsWith("SOURCES="));
    const sources = parseSources(String(line).slice("SOURCES=".length).replace(/^'|'$/g, ""));
    expect([...new Set(sources.map((s) => s.type))].sort()).toEqual([...SOURCE_TYPES].sort());
    for (const s of sources) {
      if ("baseUrl" in s) expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:8788\//);
      if ("s3" in s && s.s3) {
        expect(s.s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:8788\//);
        expect(s.s3.sqsQueueUrl).toMatch(/^http:\/\/127\.0\.0\.1:8788\//);
      }
    }
    expect(sources.some((s) => "s3" in s && s.s3)).toBe(true);
  });

  it("a bucket source names exactly one place its files are: prefix, s3 or gcs", () => {
    const s3 = {
      bucket: "acme-audit",
      region: "us-east-1",
      accessKeyIdEnv: "K",
      secretAccessKeyEnv: "S",
    };
    expect(() => parseSources([{ id: "c", type: "circleci" }])).toThrow(
      'SOURCES[0] (id "c") field "prefix": needs exactly one of prefix (the R2 landing bucket), s3 or gcs',
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
