// Imports the Worker's own TypeScript modules into a Node script (benchmarks): bundled with
// esbuild exactly as written, so Node's V8 runs the code the Worker runs.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * workerd's own modules, which Node has not: `cloudflare:workers` (imported by
 * @cloudflare/workers-oauth-provider for its WorkerEntrypoint base class) as a stub.
 */
const workerdModules = {
  name: "workerd-modules",
  setup(b) {
    b.onResolve({ filter: /^cloudflare:workers$/ }, (a) => ({
      path: a.path,
      namespace: "workerd",
    }));
    b.onLoad({ filter: /.*/, namespace: "workerd" }, () => ({
      contents: "export class WorkerEntrypoint {}\nexport const env = {};",
      loader: "js",
    }));
  },
};

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
    plugins: [workerdModules],
  });
  return import(
    `data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString("base64")}`
  );
}
