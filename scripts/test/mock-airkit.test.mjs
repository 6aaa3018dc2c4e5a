// `npm start`'s Airkit: the mock vendors' server writes Airkit files to a mock S3 bucket of its
// own, announced on its own SQS queue (never the circleci-s3 one: a poller deletes messages of
// other buckets as skipped), and the dev source `airkit-s3` of .dev.vars.example reads them.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importWorkerCode } from "../lib/import-worker-code.mjs";
import { AIRKIT_BUCKET, AIRKIT_QUEUE, airkitFile } from "../lib/mock-airkit.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PORT = 18_000 + (process.pid % 1000);
const base = `http://127.0.0.1:${PORT}`;
const signed = (service) =>
  `AWS4-HMAC-SHA256 Credential=AKIADEVEXAMPLE0000001/20260101/us-west-2/${service}/aws4_request, SignedHeaders=host, Signature=0`;

async function receive(queue) {
  const res = await fetch(`${base}/`, {
    method: "POST",
    headers: { "x-amz-target": "AmazonSQS.ReceiveMessage", authorization: signed("sqs") },
    body: JSON.stringify({
      QueueUrl: `${base}/sqs/000000000000/${queue}`,
      MaxNumberOfMessages: 10,
    }),
  });
  const { Messages = [] } = await res.json();
  return Messages.flatMap((m) => JSON.parse(m.Body).Records.map((r) => r.s3));
}

let server;
beforeAll(async () => {
  server = spawn(process.execPath, [join(repo, "scripts/mock-vendors.mjs")], {
    env: { ...process.env, MOCK_VENDORS_PORT: String(PORT) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => server.stdout.on("data", (d) => /mocks on/.test(d) && resolve()));
}, 60_000);
afterAll(() => server?.kill("SIGTERM"));

describe("npm start's Airkit", () => {
  it("the airkit-s3 dev source reads the mock bucket through its own SQS queue", () => {
    const line = readFileSync(join(repo, ".dev.vars.example"), "utf8").match(/^SOURCES='(.*)'$/m);
    const airkit = JSON.parse(line?.[1] ?? "[]").find((s) => s.type === "airkit" && s.s3);
    expect(airkit).toMatchObject({
      id: "airkit-s3",
      s3: {
        bucket: AIRKIT_BUCKET,
        prefix: "",
        endpoint: "http://127.0.0.1:8788/s3",
        sqsQueueUrl: `http://127.0.0.1:8788/sqs/000000000000/${AIRKIT_QUEUE}`,
      },
    });
  });

  it("at start: Airkit's verification object and a file of events, on the Airkit queue only", async () => {
    const airkit = await receive(AIRKIT_QUEUE);
    expect(airkit.map((o) => o.bucket.name)).toEqual([AIRKIT_BUCKET, AIRKIT_BUCKET]);
    expect(airkit[0].object.key).toMatch(/^airkit-verify-test-\d+$/);
    expect(airkit[1].object.key).toMatch(/^airkit-audit-.+\.ndjson$/);
    const circleci = await receive("audit-files");
    expect(circleci.map((o) => o.bucket.name)).toEqual(["acme-audit"]);

    const res = await fetch(`${base}/s3/${AIRKIT_BUCKET}/${airkit[1].object.key}`, {
      headers: { authorization: signed("s3") },
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("each file's events are new, recent and accepted by the Worker's Airkit normalizer", async () => {
    const { airkit } = await importWorkerCode(
      'export { airkit } from "./src/vendors/airkit/normalize.ts";',
    );
    const now = Date.now();
    const a = airkitFile(now).split("\n");
    const b = airkitFile(now + 300_000).split("\n");
    const ids = [...a, ...b].map((l) => JSON.parse(l).EVENT_ID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const raw of a) {
      const value = JSON.parse(raw);
      const r = airkit.normalize({ value, raw });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      const t = Date.parse(`${value.EVENT_TIME.replace(" ", "T")}Z`);
      expect(now - t).toBeGreaterThan(0);
      expect(now - t).toBeLessThan(10 * 60_000);
    }
  }, 30_000);
});
