// Imports the Worker's own TypeScript modules into a Node script (benchmarks): bundled with
// esbuild exactly as written, so Node's V8 runs the code the Worker runs.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `exportsSource`: re-export lines such as `export { x } from "./src/a.ts";` (paths from the repo root). */
export async function importWorkerCode(exportsSource) {
  const bundled = await build({
    stdin: { contents: exportsSource, resolveDir: root, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    // As wrangler resolves packages for workerd.
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    write: false,
    logLevel: "error",
  });
  return import(
    `data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString("base64")}`
  );
}
