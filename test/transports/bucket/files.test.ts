import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import airkitCsv from "../../../src/vendors/airkit/fixtures/sample.csv?raw";
import airkitNdjson from "../../../src/vendors/airkit/fixtures/sample.ndjson?raw";
import circleciNdjson from "../../../src/vendors/circleci/fixtures/events.ndjson?raw";
import circleciSample from "../../../src/vendors/circleci/fixtures/sample.json?raw";
import tpBatch from "../../../src/vendors/turbopuffer/fixtures/batch.json?raw";
import tpNdjson from "../../../src/vendors/turbopuffer/fixtures/batch.ndjson?raw";
import { deliver, putObject } from "../../bucket-helpers";
import { gzip, type Json, query } from "../../helpers";

afterEach(() => vi.restoreAllMocks());

async function rows(qs: string): Promise<Json[]> {
  const res = await query(`/v1/logs?${qs}&limit=1000`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Json[] }).data;
}

const stats = (id: string) =>
  env.DB.prepare("SELECT * FROM source_stats WHERE sourceID = ?").bind(id).first<Json>();

describe("bucket files: CircleCI", () => {
  it("ingests the pretty-printed sample event with every field mapped", async () => {
    const result = await deliver([
      { body: await putObject("circleci/2026/08/21/sample.json", circleciSample) },
    ]);
    expect(result.explicitAcks).toHaveLength(1);
    const [row] = await rows("sourceID=circleci&eventName=context.env_var.store");
    expect(row).toMatchObject({
      sourceType: "circleci",
      eventID: "3b8e6f2a-1c4d-4e9b-a7f0-5d2c8e1b9a63",
      eventName: "context.env_var.store",
      eventTime: "2026-08-21T11:02:33.418Z",
      srcIP: "203.0.113.10",
      serviceName: "circleci",
      actor: { id: "a1d4c7e2-8b3f-4a90-9e61-2f5b7c0d3e18", type: "user", name: "priya-raman" },
      resources: ["context:c9e2a4b6-7d1f-4c38-8a05-6b3e9f2d1c70"],
      tags: { source: "web-ui", organization: "acme", outcome: "success" },
    });
    expect((row as Json).sourceFields).toEqual({
      auditLogId: "3b8e6f2a-1c4d-4e9b-a7f0-5d2c8e1b9a63",
      version: 1,
      occurredAt: "2026-08-21T11:02:33.418123456Z",
      action: "context.env_var.store",
      actorId: "a1d4c7e2-8b3f-4a90-9e61-2f5b7c0d3e18",
      actorType: "user",
      actorName: "priya-raman",
      targetId: "c9e2a4b6-7d1f-4c38-8a05-6b3e9f2d1c70",
      targetType: "context",
      targetName: "aws-prod",
      scopeId: "6f2c0c4e-9b1a-4f55-8d7e-3a0b2e9c1d44",
      scopeType: "account",
      scopeName: "acme",
      success: true,
      requestId: "e4f1b2c3-9a8d-4e7f-b6a5-0c1d2e3f4a5b",
      payload: {
        context_id: "c9e2a4b6-7d1f-4c38-8a05-6b3e9f2d1c70",
        context_name: "aws-prod",
        environment_variable_titles: ["AWS_SECRET_ACCESS_KEY"],
      },
      metadata: { source: "web-ui" },
    });
  });

  it("ingests events.ndjson: the sample again (a duplicate) and two more events", async () => {
    await deliver([{ body: await putObject("circleci/2026/08/21/events.ndjson", circleciNdjson) }]);
    const stored = await rows("sourceID=circleci&order=asc");
    expect(stored).toHaveLength(3);
    const lines = circleciNdjson
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Json);
    for (const line of lines) {
      const row = stored.find((r) => r.eventID === line.id) as Json;
      expect(row.eventName).toBe(line.action);
      const iso = String(line.occurred_at);
      expect(row.eventTime).toBe(new Date(iso.replace(/(\.\d{3})\d+/, "$1")).toISOString());
      expect((row.sourceFields as Json).success).toBe(line.success);
    }
    const view = await env.DB.prepare("SELECT * FROM circleci_audit_logs LIMIT 1").first<Json>();
    expect(Object.keys(view ?? {})).toHaveLength(53);
  });

  it("reads the CSV export (upper-case columns, nested fields as JSON strings)", async () => {
    const csv = [
      "ID,VERSION,ACTION,ACTOR,TARGET,OCCURRED_AT,SUCCESS,REQUEST,PAYLOAD,METADATA,ORGANIZATION_ID,ORGANIZATION_NAME,REQUEST_ID",
      `5e0d2c1b-aaaa-4bbb-8ccc-1d2e3f4a5b6c,1,project.settings.update,"{""id"":""u-1"",""type"":""user"",""name"":""ana""}","{""id"":""p-9"",""type"":""project"",""name"":""api""}",2026-08-22T10:00:00.5Z,false,"{""id"":""r-1"",""ip_address"":""198.51.100.4""}",{},"{""via"":""api""}",org-1,acme,r-1`,
    ].join("\r\n");
    await deliver([{ body: await putObject("circleci/exports/audit.csv", csv) }]);
    const [row] = await rows("sourceID=circleci&eventName=project.settings.update");
    expect(row).toMatchObject({
      eventID: "5e0d2c1b-aaaa-4bbb-8ccc-1d2e3f4a5b6c",
      eventTime: "2026-08-22T10:00:00.500Z",
      srcIP: "198.51.100.4",
      actor: { id: "u-1", type: "user", name: "ana" },
      resources: ["project:p-9"],
    });
    expect((row as Json).sourceFields).toMatchObject({
      success: false,
      requestId: "r-1",
      targetName: "api",
      version: 1,
    });
  });
});

describe("bucket files: Airkit", () => {
  it("ingests the CSV (TIMESTAMPNTZ read as UTC), and the NDJSON twin adds nothing new", async () => {
    await deliver([{ body: await putObject("airkit/2026-08-21/audit-0915.csv", airkitCsv) }]);
    const stored = await rows("sourceID=airkit&order=asc");
    expect(stored.map((r) => [r.eventName, r.eventTime])).toEqual([
      ["user_login", "2026-08-21T09:15:42.118Z"],
      ["new_api_key", "2026-08-21T09:18:03.504Z"],
      ["app_deployed", "2026-08-21T09:22:57.961Z"],
    ]);
    const login = stored[0] as Json;
    expect(login).toMatchObject({
      eventID: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
      serviceName: "airkit",
      actor: { id: "7c9e6679-7425-40de-944b-e07fc1f90ae7", email: "priya.raman@example.com" },
      tags: { organizationId: "2b7d4e91-5c3a-4f08-9e6b-1a2c3d4e5f60", loginType: "SAML" },
    });
    expect(login.sourceFields).toMatchObject({
      airkitEventYear: 2026,
      airkitLoginType: "SAML",
      airkitAppId: null,
    });
    expect((stored[2] as Json).sourceFields).toMatchObject({ airkitSavepointRevision: 42 });
    expect((stored[1] as Json).resources).toEqual(["api_key:e2c4a6b8-d0f2-4e4a-9c6e-8a0b2c4d6e8f"]);

    await deliver([{ body: await putObject("airkit/2026-08-21/audit-0915.ndjson", airkitNdjson) }]);
    expect(await rows("sourceID=airkit")).toHaveLength(3);
    expect(await stats("airkit")).toMatchObject({ received: 6, inserted: 3, duplicates: 3 });
    const view = await env.DB.prepare(
      "SELECT * FROM airkit_audit_logs WHERE airkitEventType = 'user_login'",
    ).first<Json>();
    expect(Object.keys(view ?? {})).toHaveLength(36 + 29);
    expect(view?.airkitEmail).toBe("priya.raman@example.com");
  });

  it("matches camelCase keys case-insensitively", async () => {
    const line = JSON.stringify({
      eventId: "ak-camel-1",
      eventType: "user_logout",
      eventTime: "2026-08-21T10:00:00",
      userId: "u-7",
      email: "x@example.com",
    });
    await deliver([{ body: await putObject("airkit/camel.ndjson", `${line}\n`) }]);
    const [row] = await rows("sourceID=airkit&eventName=user_logout");
    expect(row).toMatchObject({
      eventID: "ak-camel-1",
      eventTime: "2026-08-21T10:00:00.000Z",
      actor: { id: "u-7", email: "x@example.com" },
    });
  });
});

describe("bucket files: Turbopuffer", () => {
  it("stores batch.json as a file and the gzipped NDJSON twin as duplicates, with the push route's mapping", async () => {
    await deliver([{ body: await putObject("turbopuffer-files/2026/batch.json", tpBatch) }]);
    await deliver([
      { body: await putObject("turbopuffer-files/2026/batch.ndjson.gz", await gzip(tpNdjson)) },
    ]);
    await deliver([
      { body: await putObject("turbopuffer-files/2026/batch-no-suffix", await gzip(tpNdjson)) },
    ]);
    const stored = await rows("sourceID=tp-files");
    expect(stored).toHaveLength(5);
    expect(await stats("tp-files")).toMatchObject({
      received: 15,
      inserted: 5,
      duplicates: 10,
      quarantined: 0,
    });
    const created = stored.find((r) => r.eventName === "api-key-created") as Json;
    expect(created).toMatchObject({
      srcIP: "203.0.113.42",
      resources: ["api-key:8fW3zNcY6tRo1kGpLvAe2b/production"],
    });
  });
});
