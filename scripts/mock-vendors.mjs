#!/usr/bin/env node
// Local stand-ins for the polled vendors' APIs, so `npm start` polls real-shaped data with no
// vendor account. Every vendor folder with a mock (src/vendors/<vendor>/mock.ts) is served at
// its prefix on 127.0.0.1:8788: a few hundred generated events, newest first, with the vendor's
// real paging and the dev tokens of .dev.vars.example, and a new event every 20 seconds.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { root } from "./lib/import-worker-code.mjs";
import { AIRKIT_BUCKET, AIRKIT_QUEUE, startAirkit } from "./lib/mock-airkit.mjs";
import { handleS3, notifyQueue, putObject } from "./lib/mock-s3.mjs";
import { loadRegistry } from "./lib/registry.mjs";

const port = Number(process.env.MOCK_VENDORS_PORT ?? 8788);
const byType = (await loadRegistry()).mocks;
const vendors = Object.keys(byType);
const mocks = Object.values(byType);

const start = Date.now();
for (const m of mocks) for (let i = 300; i > 0; i--) m.add(start - i * 37_000);
setInterval(() => {
  for (const m of mocks) m.add(Date.now());
}, 20_000).unref();

// A vendor's own S3 bucket with an SQS event queue (the `circleci-s3` dev source): one CircleCI
// file at start; `curl -T file http://127.0.0.1:8788/s3/acme-audit/circleci/<name>` adds more.
const DEV_S3_KEY_ID = "AKIADEVEXAMPLE0000001";
putObject(
  "acme-audit",
  `circleci/${new Date().toISOString().slice(0, 10)}/audit-${start}.ndjson`,
  circleciFile(),
);

// Airkit's stream into its own bucket (the `airkit-s3` dev source, SQS queue airkit-audit-files):
// its verification object and a file of events at start, then a file every five minutes.
notifyQueue("acme-audit", "audit-files");
notifyQueue(AIRKIT_BUCKET, AIRKIT_QUEUE);
startAirkit(putObject, { now: start });

function circleciFile() {
  const lines = readFileSync(join(root, "src/vendors/circleci/fixtures/events.ndjson"), "utf8")
    .trim()
    .split("\n");
  return Buffer.from(
    lines
      .map((l, i) => {
        const e = JSON.parse(l);
        return JSON.stringify({
          ...e,
          id: `${e.id.slice(0, 24)}${String(start + i).slice(-12)}`,
          occurred_at: new Date(start - (lines.length - i) * 60_000).toISOString(),
        });
      })
      .join("\n"),
  );
}

// A webhook receiver for the `local` destination of .dev.vars.example: verifies each alert's
// Standard Webhooks signature and keeps the last 100; `curl http://127.0.0.1:8788/webhook` lists them.
const WEBHOOK_SECRET = "whsec_ZGV2LXdlYmhvb2stc2VjcmV0LWZvci1hdWRpdGZsYXJl";
const received = [];
function webhook(req, res, body) {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(received, null, 2));
  }
  let verified = true;
  let payload;
  try {
    payload = new Webhook(WEBHOOK_SECRET).verify(body, req.headers);
  } catch {
    verified = false;
    payload = JSON.parse(body);
  }
  const d = payload.data ?? {};
  received.unshift({
    verified,
    webhookId: req.headers["webhook-id"],
    type: payload.type,
    title: d.title,
    level: d.level,
    count: d.count,
  });
  received.length = Math.min(received.length, 100);
  console.log(
    `[webhook] ${verified ? "verified" : "BAD SIGNATURE"} ${payload.type}: [${d.level}] ${d.title} ×${d.count}`,
  );
  res.writeHead(verified ? 204 : 401);
  res.end();
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
  const chunks = [];
  for await (const c of req) chunks.push(c);
  if (handleS3(req, res, url, Buffer.concat(chunks), DEV_S3_KEY_ID)) return;
  if (url.pathname === "/webhook") return webhook(req, res, Buffer.concat(chunks).toString());
  const send = ({ status, body, headers }) => {
    res.writeHead(status, { ...headers, "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const text = Buffer.concat(chunks).toString();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    return send({ status: 400, body: { error: "invalid_json" } });
  }
  for (const m of mocks) {
    if (!url.pathname.startsWith(`${m.prefix}/`)) continue;
    const answer = m.handle(
      url.pathname.slice(m.prefix.length),
      url.searchParams,
      req.headers.authorization,
      { method: req.method ?? "GET", url: url.toString(), headers: req.headers, body },
    );
    if (answer) return send(answer);
  }
  send({ status: 404, body: { code: "not_found", message: `no mock for ${url.pathname}` } });
});

server.listen(port, "127.0.0.1", () =>
  console.log(`[mock-vendors] ${vendors.join(", ")} mocks on http://127.0.0.1:${port}`),
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
