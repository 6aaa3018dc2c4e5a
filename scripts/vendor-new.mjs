#!/usr/bin/env node
// `npm run vendor:new <type>`: scaffolds a polled manifest vendor: src/vendors/<type>/vendor.yaml
// (a valid manifest to edit), fixtures/page1.json and page2.json (replace them with the vendor's
// documented answers) and their README, and docs/sources/<type>.md. Then: edit, and
// `npm run vendor:check <type>`, `npm run vendors`, `npm run views`, `npm run api:types`.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./lib/import-worker-code.mjs";

const type = process.argv[2];
if (!type || !/^[a-z][a-z0-9]*$/.test(type)) {
  console.error("usage: npm run vendor:new <type> (lowercase letters and digits, e.g. okta)");
  process.exit(2);
}
const dir = join(root, "src", "vendors", type);
if (existsSync(dir)) {
  console.error(`src/vendors/${type} exists already`);
  process.exit(1);
}
const event = (id, t, action) => ({
  id,
  created_at: t,
  action,
  actor: { id: "u1", email: "ana@acme.example" },
  ip: "192.0.2.1",
});
const files = {
  [`src/vendors/${type}/vendor.yaml`]: `# yaml-language-server: $schema=../manifest.schema.json
# ${type}: what the vendor's audit log API is (docs/sources/${type}.md).
type: ${type}
name: ${type[0].toUpperCase()}${type.slice(1)}
docs: https://example.com/the-api-documentation-this-follows

poll:
  baseUrl: https://api.example.com
  request:
    path: /v1/audit-logs
    query:
      limit: "100"
  auth: { kind: bearer }
  records: data
  pagination: { kind: cursor, path: next_cursor, param: cursor }
  order: newest_first
  errors:
    "401": "${type} rejected the token (401): set {tokenEnv} to an API token with read access to the audit log"

map:
  id: { path: id }
  time: { path: created_at, format: iso }
  name: action
  actor:
    id: actor.id
    email: actor.email
  srcIp: ip

view:
  name: ${type}_audit_logs
  description: 'the 36 common columns + the fields of a ${type} audit-log event, prefix "${type}".'
  prefix: ${type}
  columns: [id, created_at, action, actor, ip]
`,
  [`src/vendors/${type}/fixtures/page1.json`]: `${JSON.stringify({ data: [event("ev2", "2026-09-14T08:05:00Z", "user.login"), event("ev1", "2026-09-14T08:00:00Z", "token.create")], next_cursor: "c1" }, null, 2)}\n`,
  [`src/vendors/${type}/fixtures/page2.json`]: `${JSON.stringify({ data: [event("ev0", "2026-09-14T07:55:00Z", "user.logout")], next_cursor: null }, null, 2)}\n`,
  [`src/vendors/${type}/fixtures/README.md`]: `# ${type} fixtures\n\nAPI answers shaped by <the documentation URL>: page1.json, page2.json (the records at the\nmanifest's \`records\` path are the fixture events; the local mock serves copies of them).\n`,
  [`docs/sources/${type}.md`]: `# ${type}\n\nToken: where to create it, the scopes it needs.\n\nSource entry: \`{"id": "${type}", "type": "${type}", "tokenEnv": "${type.toUpperCase()}_TOKEN"}\`.\n\nVerify: \`GET /v1/sources\` shows the source polled, with no last error.\n`,
};
mkdirSync(join(dir, "fixtures"), { recursive: true });
for (const [file, text] of Object.entries(files)) {
  if (existsSync(join(root, file))) continue;
  writeFileSync(join(root, file), text);
  console.log(`wrote ${file}`);
}
console.log(
  `next: edit them, then npm run vendor:check ${type} && npm run vendors && npm run views && npm run api:types`,
);
