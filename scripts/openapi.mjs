#!/usr/bin/env node
// The OpenAPI document exactly as the Worker serves it at GET /v1/openapi.json: the app is bundled
// for Node (importWorkerCode) and asked for it, so neither wrangler nor a network is needed.
//
//   node scripts/openapi.mjs              the document on stdout (npm run api:spec)
//   node scripts/openapi.mjs --out FILE   the document written to FILE
//   node scripts/openapi.mjs --types      regenerates src/client/api.d.ts (npm run api:types)
//   node scripts/openapi.mjs --lint       part of `npm run lint`: `redocly lint` (redocly.yaml:
//                                         the recommended ruleset) fails on any error, and the
//                                         committed types must equal a fresh generation
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { importWorkerCode, root } from "./lib/import-worker-code.mjs";

export const TYPES_FILE = join(root, "src", "client", "api.d.ts");
const HEADER = `// Generated from GET /v1/openapi.json by openapi-typescript: \`npm run api:types\`. Do not edit;
// \`npm run lint\` fails when this file differs from a fresh generation. Use it with openapi-fetch:
// createClient<paths>({ baseUrl }) (see test/api-client.test.ts).
`;

/** The document the app serves (its routes' zod schemas and app.ts's doc31 config). */
export async function openapiDocument() {
  const { app } = await importWorkerCode(`export { app } from "./src/app.ts";`);
  const res = await app.request("http://localhost/v1/openapi.json", {}, {});
  if (res.status !== 200)
    throw new Error(`GET /v1/openapi.json answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** src/client/api.d.ts as `npm run api:types` writes it: openapi-typescript, then biome format. */
export async function generateTypes(doc) {
  const ast = await openapiTS(doc, {
    alphabetize: true,
    // A binary body (a schema with contentMediaType: gzip, a file) is bytes, not a JS string.
    transform: (schema) =>
      schema.contentMediaType
        ? ts.factory.createUnionTypeNode([
            ts.factory.createTypeReferenceNode("Blob"),
            ts.factory.createTypeReferenceNode("Uint8Array"),
          ])
        : undefined,
  });
  const source = HEADER + astToString(ast);
  const biome = spawnSync(
    process.execPath,
    [
      join(root, "node_modules", "@biomejs", "biome", "bin", "biome"),
      "format",
      `--stdin-file-path=${relative(root, TYPES_FILE)}`,
    ],
    { cwd: root, input: source, encoding: "utf8" },
  );
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`);
  return biome.stdout;
}

/** `redocly lint` on the document; its exit status (non-zero on errors, not on warnings). */
function redoclyLint(doc) {
  const dir = mkdtempSync(join(tmpdir(), "auditflare-openapi-"));
  try {
    const file = join(dir, "openapi.json");
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    const r = spawnSync(
      process.execPath,
      [
        join(root, "node_modules", "@redocly", "cli", "bin", "cli.js"),
        "lint",
        file,
        "--config",
        join(root, "redocly.yaml"),
      ],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      },
    );
    // Redocly CLI 2 prints a boxed "Node.js 20 support is ending" notice on Node 20: not ours.
    const out = `${r.stdout}${r.stderr}`
      .split("\n")
      .filter((line) => !/^\s*[╔║╚]/.test(line))
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .replace(/^\n+/, "");
    process.stdout.write(out);
    if (r.error) throw r.error;
    return r.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const doc = await openapiDocument();
if (args[0] === "--lint") {
  let failed = redoclyLint(doc) !== 0;
  const fresh = await generateTypes(doc);
  let committed = "";
  try {
    committed = readFileSync(TYPES_FILE, "utf8");
  } catch {}
  if (committed !== fresh) {
    console.error(
      `${relative(root, TYPES_FILE)} differs from the API's OpenAPI document: run \`npm run api:types\` and commit it`,
    );
    failed = true;
  } else console.log(`${relative(root, TYPES_FILE)} matches the OpenAPI document`);
  process.exit(failed ? 1 : 0);
} else if (args[0] === "--types") {
  writeFileSync(TYPES_FILE, await generateTypes(doc));
  console.log(`wrote ${relative(root, TYPES_FILE)}`);
} else if (args[0] === "--out" && args[1]) {
  writeFileSync(args[1], `${JSON.stringify(doc, null, 2)}\n`);
} else if (args.length === 0) {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
} else {
  console.error("usage: node scripts/openapi.mjs [--out FILE | --types | --lint]");
  process.exit(2);
}
