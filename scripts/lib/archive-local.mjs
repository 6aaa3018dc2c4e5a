// The local R2 archive (what the Worker wrote under `npm start` or the e2e server) as files, and
// DuckDB over them: used by `npm run archive:pull` and the e2e archive test (docs/archive.md).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { archiveGlob, openDuckdb } from "./duckdb-wasm-node.mjs";
import { root } from "./import-worker-code.mjs";

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

/**
 * Runs `sql` in DuckDB (in memory; the Node build of the pinned @duckdb/duckdb-wasm, nothing to
 * install); `{archive}` in it is replaced by the archive's glob. Rows as plain objects.
 */
export async function duckdb(sql, dir) {
  const db = await openDuckdb();
  try {
    return db.rows(sql.replaceAll("{archive}", archiveGlob(dir)));
  } finally {
    db.close();
  }
}
