import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deleteNotification, deliver, putObject } from "../../bucket-helpers";
import airkitCsv from "../../fixtures/airkit/sample.csv?raw";
import airkitNdjson from "../../fixtures/airkit/sample.ndjson?raw";
import circleciNdjson from "../../fixtures/circleci/events.ndjson?raw";
import circleciSample from "../../fixtures/circleci/sample.json?raw";
import tpBatch from "../../fixtures/turbopuffer/batch.json?raw";
import tpNdjson from "../../fixtures/turbopuffer/batch.ndjson?raw";
import { count, gzip, type Json, query } from "../../helpers";

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

describe("bucket notifications: skips, routing and redelivery", () => {
  it("skips vendor test objects and delete events, stores nothing and counts them once", async () => {
    const before = Number((await stats("circleci"))?.skipped ?? 0);
    const test1 = await putObject("circleci/circleci_connectivity_test_1787310000", "");
    const test2 = await putObject("airkit/airkit-verify-test-1787300000", "");
    const del = deleteNotification("circleci/2026/08/21/old.json");
    const life = deleteNotification("circleci/2026/08/20/old.json", "LifecycleDeletion");
    const result = await deliver([
      { body: test1 },
      { body: test2 },
      { body: del },
      { body: life },
      { body: test1, attempts: 2 },
    ]);
    expect(result.explicitAcks).toHaveLength(5);
    expect(Number((await stats("circleci"))?.skipped) - before).toBe(3);
    expect(
      await count("SELECT count(*) AS n FROM logs WHERE eventName LIKE '%connectivity%'"),
    ).toBe(0);
  });

  it("ingests CompleteMultipartUpload and CopyObject like PutObject, and a redelivery adds nothing", async () => {
    const lines = Array.from({ length: 4 }, (_, i) =>
      JSON.stringify({
        id: `cp-${i}`,
        action: "project.follow",
        actor: { id: "u", type: "user" },
        occurred_at: "2026-08-21T00:00:00Z",
      }),
    ).join("\n");
    const put = await putObject("circleci/multipart/part.ndjson", lines, "CompleteMultipartUpload");
    const copy = {
      ...(await putObject("circleci/copied/part.ndjson", lines, "CopyObject")),
      copySource: { bucket: "auditflare-landing", object: "circleci/multipart/part.ndjson" },
    };
    await deliver([{ body: put }, { body: copy }]);
    await deliver([{ body: put }, { body: put, attempts: 2 }, { body: copy, attempts: 3 }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'cp-%'")).toBe(4);
    const objects = await env.DB.prepare(
      "SELECT status, recordsCommitted, received FROM objects WHERE key LIKE 'circleci/%/part.ndjson'",
    ).all<Json>();
    expect(objects.results).toEqual([
      { status: "done", recordsCommitted: 4, received: 4 },
      { status: "done", recordsCommitted: 4, received: 4 },
    ]);
  });

  it("reads an object overwritten after its notification once, under the version actually read", async () => {
    const line = (id: string) =>
      JSON.stringify({
        id,
        action: "org.rename",
        actor: { id: "u" },
        occurred_at: "2026-08-21T00:00:00Z",
      });
    const n1 = await putObject("circleci/overwritten.ndjson", line("ow-1"));
    const n2 = await putObject("circleci/overwritten.ndjson", `${line("ow-1")}\n${line("ow-2")}`);
    await deliver([{ body: n1 }]);
    await deliver([{ body: n2 }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'ow-%'")).toBe(2);
    const versions = await env.DB.prepare(
      "SELECT eTag, status FROM objects WHERE key = 'circleci/overwritten.ndjson'",
    ).all<Json>();
    expect(versions.results).toEqual([{ eTag: n2.object.eTag, status: "done" }]);
  });

  it("keeps a notification for an object deleted before it was read in quarantine", async () => {
    const n = await putObject("circleci/vanished.ndjson", "{}");
    await env.LANDING.delete("circleci/vanished.ndjson");
    await deliver([{ body: n }]);
    expect(
      await count(
        "SELECT count(*) AS n FROM quarantine WHERE errorCode = 'object_missing' AND location = 'circleci/vanished.ndjson'",
      ),
    ).toBe(1);
  });

  it("keeps a notification for an unknown prefix in quarantine, naming the key", async () => {
    const n = await putObject("unrouted/thing.json", "{}");
    const result = await deliver([{ body: n }]);
    expect(result.explicitAcks).toHaveLength(1);
    const q = await env.DB.prepare(
      "SELECT * FROM quarantine WHERE errorCode = 'unknown_prefix'",
    ).first<Json>();
    expect(q).toMatchObject({ stage: "route", location: "unrouted/thing.json" });
    expect(String(q?.error)).toContain("unrouted/thing.json");
  });

  it("keeps a message that is not a notification in quarantine", async () => {
    await deliver([{ body: { hello: "world" } }]);
    expect(
      await count("SELECT count(*) AS n FROM quarantine WHERE errorCode = 'invalid_notification'"),
    ).toBe(1);
  });

  it("keeps an unparseable file in quarantine with a pointer to the object", async () => {
    await deliver([
      {
        body: await putObject(
          "circleci/garbage.bin",
          new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0x90]),
        ),
      },
    ]);
    await deliver([
      { body: await putObject("circleci/prose.txt", "this is not an audit log\nat all\n") },
    ]);
    const q = await env.DB.prepare(
      "SELECT errorCode, rawRef, stage FROM quarantine WHERE location LIKE 'circleci/garbage.bin' OR location = 'circleci/prose.txt' ORDER BY location",
    ).all<Json>();
    expect(q.results).toEqual([
      { errorCode: "invalid_utf8", rawRef: "landing/circleci/garbage.bin", stage: "parse" },
      { errorCode: "invalid_file", rawRef: "landing/circleci/prose.txt", stage: "parse" },
    ]);
  });

  it("writes a dead-lettered message to quarantine with the object's last error", async () => {
    const n = await putObject("circleci/dead/one.ndjson", '{"id":"x"}\n');
    await env.DB.prepare(
      "INSERT INTO objects (bucket, key, eTag, sourceID, status, startedAt, updatedAt, lastError) VALUES (?, ?, ?, 'circleci', 'in_progress', 0, 0, 'D1_ERROR: overloaded')",
    )
      .bind(n.bucket, n.object.key, n.object.eTag)
      .run();
    const result = await deliver([{ body: n, attempts: 6 }], "auditflare-bucket-events-dlq");
    expect(result.explicitAcks).toHaveLength(1);
    const q = await env.DB.prepare(
      "SELECT * FROM quarantine WHERE stage = 'dead-letter'",
    ).first<Json>();
    expect(q).toMatchObject({
      sourceID: "circleci",
      errorCode: "retries_exhausted",
      location: "circleci/dead/one.ndjson",
    });
    expect(String(q?.error)).toContain("D1_ERROR: overloaded");
    expect(JSON.parse(String(q?.raw))).toEqual(n);
  });
});
