// The vendor manifests (src/vendors/<type>/vendor.yaml) read and checked against the manifest
// schema (src/vendors/manifest/schema.ts), each failure naming the file and the YAML line.
// Used by scripts/vendors-bundle.mjs (the Worker's bundle) and scripts/vendor-check.mjs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { importWorkerCode, root } from "./import-worker-code.mjs";

export const vendorsDir = join(root, "src", "vendors");

const { manifestSchema, zodToJsonSchema } = await importWorkerCode(
  `export { manifestSchema } from "./src/vendors/manifest/schema.ts";
   import { z } from "zod"; export const zodToJsonSchema = (s) => z.toJSONSchema(s, { io: "input" });`,
);

/** The JSON Schema editors check vendor.yaml with (`# yaml-language-server: $schema=…`). */
export const manifestJsonSchema = () => ({
  ...zodToJsonSchema(manifestSchema),
  title: "auditflare vendor manifest (src/vendors/<type>/vendor.yaml)",
});

/** The folders with a vendor.yaml, sorted. */
export const manifestTypes = () =>
  readdirSync(vendorsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(vendorsDir, d.name, "vendor.yaml")))
    .map((d) => d.name)
    .sort();

/** The YAML line of `path` in `doc` (the deepest node of it that exists). */
function lineOf(doc, counter, path) {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const offset = node?.range?.[0];
    if (offset !== undefined) return counter.linePos(offset).line;
  }
  return 1;
}

/** One manifest: `{ manifest }` (parsed, defaults filled) or `{ errors }` ("file:line: …"). */
export function readManifest(
  type,
  text = readFileSync(join(vendorsDir, type, "vendor.yaml"), "utf8"),
) {
  const file = relative(root, join(vendorsDir, type, "vendor.yaml"));
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      errors: doc.errors.map((e) => `${file}:${counter.linePos(e.pos[0]).line}: ${e.message}`),
    };
  const parsed = manifestSchema.safeParse(doc.toJS());
  const errors = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        // an unknown key is named at its own line
        const path = i.code === "unrecognized_keys" ? [...i.path, i.keys[0]] : i.path;
        return `${file}:${lineOf(doc, counter, path)}: ${path.join(".") || "manifest"}: ${i.message}`;
      });
  if (parsed.success && parsed.data.type !== type)
    errors.push(
      `${file}:${lineOf(doc, counter, ["type"])}: type: must be the folder's name "${type}"`,
    );
  // A folder's TypeScript may re-export the manifest's vendor for old import paths, never
  // define one of its own.
  const index = join(vendorsDir, type, "index.ts");
  if (
    parsed.success &&
    existsSync(index) &&
    /satisfies Vendor|transports\s*:/.test(readFileSync(index, "utf8"))
  )
    errors.push(`${file}:1: the folder also has an index.ts: a vendor is a manifest or TypeScript`);
  if (errors.length > 0) return { errors };
  const { $schema: _, ...manifest } = parsed.data;
  return { manifest };
}

/** Every manifest, or exits naming each failure. */
export function readManifests() {
  const all = manifestTypes().map((t) => readManifest(t));
  const errors = all.flatMap((r) => r.errors ?? []);
  if (errors.length > 0) {
    for (const e of errors) console.error(e);
    process.exit(1);
  }
  return all.map((r) => r.manifest);
}

/**
 * The fixture pages of a manifest vendor (fixtures/page<N>.json: API answers), in page order;
 * other files there (page2-after-new-event.json…) are scenarios for its tests.
 */
export function fixturePages(type) {
  const dir = join(vendorsDir, type, "fixtures");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^page\d+\.json$/.test(f))
    .sort((a, b) => Number(a.replace(/\D/g, "")) - Number(b.replace(/\D/g, "")))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
}
