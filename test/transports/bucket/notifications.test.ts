import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deleteNotification, deliver, putObject } from "../../bucket-helpers";
import { count, type Json } from "../../helpers";

afterEach(() => vi.restoreAllMocks());

const stats = (id: string) =>
  env.DB.prepare("SELECT * FROM source_stats WHERE sourceID = ?").bind(id).first<Json>();

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
