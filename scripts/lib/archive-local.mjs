// The local R2 archive (what the Worker wrote under `npm start` or the e2e server) as files, and
// DuckDB over them: used by `npm run archive:pull` and the e2e archive test (docs/archive.md).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { root } from "./import-worker-code.mjs";

/**
 * DuckDB for Node, pinned. Not in package.json: its lock entries would name a native package per
 * platform, and this project's registry serves only linux-x64's, so `npm ci` would fail on the
 * others. Installed on first use, into node_modules only (--no-save).
 */
export const DUCKDB = "@duckdb/node-api@1.5.6-r.1";

export async function loadDuckdb() {
  // checked on disk, not by a failed import: Node would cache that failure for the process
  if (!existsSync(join(root, "node_modules", "@duckdb", "node-api", "package.json"))) {
    console.log(`[duckdb] installing ${DUCKDB} (not saved to package.json)`);
    const args = ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", DUCKDB];
    const r = spawnSync("npm", args, { cwd: root, stdio: "inherit" });
    if (r.status !== 0) throw new Error(`could not install ${DUCKDB}`);
  }
  return await import("@duckdb/node-api");
}

/**
 * Copies every object under archive/v1/ of the local ARCHIVE bucket into `out` (same keys, so
 * the Hive layout stays). `persistTo`: wrangler's --persist-to directory (default .wrangler/state).
 */
export async function pullArchive({ out, persistTo = join(root, ".wrangler", "state") }) {
  const proxy = await getPlatformProxy({
    configPath: join(root, "wrangler.toml"),
    persist: { path: join(persistTo, "v3") },
  });
  const keys = [];
  try {
    let cursor;
    do {
      const page = await proxy.env.ARCHIVE.list({ prefix: "archive/v1/", cursor });
      for (const o of page.objects) {
        const object = await proxy.env.ARCHIVE.get(o.key);
        const file = join(out, o.key);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, new Uint8Array(await object.arrayBuffer()));
        keys.push(o.key);
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  } finally {
    await proxy.dispose();
  }
  return keys;
}

/** Runs `sql` in DuckDB (in memory); `{dir}` in it is replaced by the archive's glob. */
export async function duckdb(sql, dir) {
  const { DuckDBInstance } = await loadDuckdb();
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    const glob = `'${join(dir, "archive", "v1", "**", "*.parquet").replaceAll("'", "''")}'`;
    const reader = await connection.runAndReadAll(sql.replaceAll("{archive}", glob));
    return reader.getRowObjectsJson();
  } finally {
    connection.closeSync();
  }
}
