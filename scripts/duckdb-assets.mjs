#!/usr/bin/env node
// DuckDB-WASM for the explorer's SQL tab in Archive mode (docs/explorer.md, "SQL over the
// archive"), written into public/duckdb/ (Workers static assets; generated, never committed) from
// the pinned @duckdb/duckdb-wasm in node_modules:
//   duckdb.mjs                   the browser API with apache-arrow, one ES module (esbuild)
//   duckdb-browser-eh.worker.js  DuckDB's Web Worker, as shipped
//   duckdb-eh.wasm.gz            the engine, gzip -9: 18.1 MB raw (1.28.0), 4.2 MB gzipped; the
//                                page un-gzips it (DecompressionStream) and hands DuckDB's worker
//                                a blob: URL.
// @duckdb/duckdb-wasm is pinned at 1.28.0: its wasm reads Parquet without downloading an
// extension (docs/explorer.md, "Which DuckDB").
// Also public/_headers: the worker's own Content-Security-Policy (ASSET_HEADERS below).
// Run by the e2e server and `npm run deploy`; skipped when public/duckdb/ already
// holds this version (public/duckdb/VERSION). `--check` exits 1 when it is missing or stale.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { constants, createGzip } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "node_modules", "@duckdb", "duckdb-wasm");
const out = join(root, "public", "duckdb");
const stamp = join(out, "VERSION");

export function duckdbVersion() {
  return JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;
}

/**
 * public/_headers (Workers static assets' header rules): DuckDB's Web Worker runs under a policy
 * of its own (a worker from a URL takes its CSP from its script's response, not the page's):
 * scripts and fetches from this origin only, the engine compiled from the blob: URL the page
 * hands it ('wasm-unsafe-eval': WebAssembly only, no eval), nothing else. The module the page
 * imports runs under the page's policy (src/routes/explorer.ts).
 */
export const ASSET_HEADERS = `/duckdb/*
  X-Content-Type-Options: nosniff
/duckdb/duckdb-browser-eh.worker.js
  Content-Security-Policy: default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' blob:
`;

export async function buildDuckdbAssets({ log = console.log } = {}) {
  const version = duckdbVersion();
  mkdirSync(out, { recursive: true });
  writeFileSync(join(root, "public", "_headers"), ASSET_HEADERS);
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === version) return out;
  const t0 = Date.now();
  const { build } = await import("esbuild");
  await build({
    entryPoints: [join(pkg, "dist", "duckdb-browser.mjs")],
    bundle: true,
    format: "esm",
    minify: true,
    platform: "browser",
    target: "es2022",
    legalComments: "eof",
    outfile: join(out, "duckdb.mjs"),
    logLevel: "error",
  });
  const worker = readFileSync(join(pkg, "dist", "duckdb-browser-eh.worker.js"), "utf8");
  writeFileSync(
    join(out, "duckdb-browser-eh.worker.js"),
    worker.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"),
  );
  await pipeline(
    createReadStream(join(pkg, "dist", "duckdb-eh.wasm")),
    createGzip({ level: constants.Z_BEST_COMPRESSION }),
    createWriteStream(join(out, "duckdb-eh.wasm.gz")),
  );
  writeFileSync(stamp, `${version}\n`);
  log(`[duckdb] public/duckdb/ for @duckdb/duckdb-wasm ${version} (${Date.now() - t0} ms)`);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const ok = existsSync(stamp) && readFileSync(stamp, "utf8").trim() === duckdbVersion();
    if (!ok) console.error("public/duckdb/ is missing or stale: node scripts/duckdb-assets.mjs");
    process.exit(ok ? 0 : 1);
  }
  await buildDuckdbAssets();
}
