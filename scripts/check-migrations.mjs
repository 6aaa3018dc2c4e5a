#!/usr/bin/env node
// `npm run db:check` (part of `npm run lint`): fails when src/store/schema.ts and migrations/
// differ, i.e. when `npm run db:generate` would write a migration. drizzle-kit runs against a
// copy of migrations/, so the check never writes into the tree; the per-vendor views are checked
// by test/store/views.test.ts.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { root } from "./lib/import-worker-code.mjs";

const out = mkdtempSync(join(tmpdir(), "auditflare-migrations-"));
try {
  cpSync(join(root, "migrations"), out, { recursive: true });
  const sqlFiles = () => readdirSync(out).filter((f) => f.endsWith(".sql")).length;
  const before = sqlFiles();
  const r = spawnSync(
    "npx",
    [
      "drizzle-kit",
      "generate",
      "--dialect",
      "sqlite",
      "--schema",
      "./src/store/schema.ts",
      "--out",
      relative(root, out),
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  // drizzle-kit prefixes the out path with "./": hence a relative path above.
  if (sqlFiles() > before || !/No schema changes/.test(r.stdout)) {
    console.error(
      "db:check: src/store/schema.ts has changes that no migration holds; run `npm run db:generate -- --name <what>` and commit the new file in migrations/",
    );
    process.exit(1);
  }
  console.log("db:check: the migrations hold src/store/schema.ts");
} finally {
  rmSync(out, { recursive: true, force: true });
}
