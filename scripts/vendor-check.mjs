#!/usr/bin/env node
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
// `npm run vendor:check <type>`: checks src/vendors/<type>/vendor.yaml against the manifest schema
// (a failure names the YAML line), replays its fixtures through the normalizer the manifest makes
// (a polled vendor's fixtures/page*.json; a push or files vendor's every fixture file, framed by
// the bucket reader's own framing, its test objects skipped), and prints the first request (polled
// vendors), the rows and the view.
import { importWorkerCode } from "./lib/import-worker-code.mjs";
import { fixturePages, manifestTypes, readManifest, vendorsDir } from "./lib/manifests.mjs";

const type = process.argv[2];
if (!type || !manifestTypes().includes(type)) {
  console.error(`usage: npm run vendor:check <type> (one of: ${manifestTypes().join(", ")})`);
  process.exit(2);
}
const { manifest, errors } = readManifest(type);
if (errors) {
  for (const e of errors) console.error(e);
  process.exit(1);
}
const { manifestNormalizer, manifestPoll, viewOf, fixtureEvents, readRecords } =
  await importWorkerCode(
    `export { manifestNormalizer } from "./src/vendors/manifest/normalize.ts";
   export { readRecords } from "./src/parse/stream.ts";
   export { manifestPoll } from "./src/vendors/manifest/poll.ts";
   export { viewOf } from "./src/vendors/manifest/view.ts";
   export { fixtureEvents } from "./src/vendors/manifest/mock-api.ts";`,
  );
console.log(`${type}: the manifest matches the schema`);

const normalizer = manifestNormalizer(manifest);
let events = [];
if (manifest.poll) {
  const fields = Object.fromEntries(Object.entries(manifest.config).map(([k, f]) => [k, f.dev]));
  const source = {
    id: type,
    type,
    tokenEnv: "TOKEN",
    intervalSeconds: 60,
    overlapSeconds: 600,
    ...fields,
  };
  const baseUrl = manifest.poll.baseUrl ?? "https://example.invalid";
  const req = manifestPoll(manifest).request(
    { source, token: "<token>", baseUrl, floor: Date.UTC(2026, 0, 1) },
    null,
  );
  console.log(`\nfirst request (since 2026-01-01): ${req.method ?? "GET"} ${req.url}`);
  for (const [k, v] of Object.entries(req.headers)) console.log(`  ${k}: ${v}`);
  if (req.body) console.log(`  body: ${req.body}`);
  events = fixtureEvents(manifest, fixturePages(type));
} else {
  if (manifest.push)
    console.log(`\npush: POST /v1/ingest/<source id>, auth ${manifest.push.auth.kind}`);
  const skip = manifest.files?.skip.prefixes ?? [];
  const dir = join(vendorsDir, type, "fixtures");
  for (const file of existsSync(dir) ? readdirSync(dir).sort() : []) {
    if (/\.(md|ts)$/.test(file)) continue;
    if (skip.some((p) => file.startsWith(p))) {
      console.log(`fixtures/${file}: a test object (files.skip.prefixes): skipped`);
      continue;
    }
    const bytes = readFileSync(join(dir, file));
    let framing = "?";
    let n = 0;
    const body = new Blob([bytes]).stream();
    for await (const r of readRecords(body, normalizer.isEvent, (f) => (framing = f))) {
      n++;
      if (r.ok) events.push(r.value);
      else console.error(`fixtures/${file} ${r.location}: ${r.error}`);
    }
    console.log(`fixtures/${file}: ${framing}, ${n} records`);
  }
}
let failed = 0;
const rows = [];
for (const [i, value] of events.entries()) {
  const r = normalizer.normalize({ value, raw: JSON.stringify(value) });
  if (!r.ok) {
    failed++;
    console.error(`fixture event ${i}: ${r.code}: ${r.message}`);
    continue;
  }
  const e = r.event;
  rows.push({
    eventTime: new Date(e.eventTime).toISOString(),
    eventName: e.eventName,
    eventID: e.eventID.slice(0, 24),
    actor: e.actor.email ?? e.actor.name ?? e.actor.id ?? "",
    srcIP: e.src.ip ?? "",
    readOnly: e.readOnly,
    resources: e.resources.join(" "),
  });
  if (i === 0) console.log(`\nfirst row in full:\n${JSON.stringify(e, null, 2)}`);
}
console.log(`\n${events.length} fixture events → ${rows.length} rows`);
console.table(rows);
const view = viewOf(manifest);
console.log(`\nview ${view.name}: the 36 common columns + ${view.columns.length} vendor columns`);
console.table(
  view.paths.map(([column, path]) => ({
    column,
    path,
    fromRawLog: column in (view.rawPaths ?? {}),
  })),
);
process.exit(failed > 0 ? 1 : 0);
