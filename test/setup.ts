/**
 * Runs in workerd before each worker test file. The worker project reuses one workerd per Vitest
 * worker for many files (`isolate: false`, vitest.config.ts): a fresh workerd per file cost ~7 s
 * of module loading. This file gives every file what a fresh workerd gave it (docs/testing.md,
 * "Isolation"):
 * - storage: every D1 table and R2 object is deleted (`reset()`, then whatever it left: it only
 *   empties the storage objects alive at that moment), then the migrations run;
 * - modules: after a file, `vi.resetModules()`, so the next one evaluates the Worker (src/), the
 *   test helpers and the packages anew: no module-level cache (config, rules, keys) crosses files;
 * - work a file started: after its tests, its queue handler runs and its requests' `waitUntil`
 *   end before the next file deletes storage; a queue message sent before the current file
 *   started, and delivered now, is acknowledged unseen (a fresh workerd never received it);
 * - timers, stubbed globals and env: back to real (Vitest already restores spies between files).
 */
import { applyD1Migrations, reset } from "cloudflare:test";
import { waitForGlobalWaitUntil } from "cloudflare:test-internal";
import { env } from "cloudflare:workers";
import { afterAll, vi } from "vitest";
import worker from "../src/index";

/** What outlives the module resets: one per workerd. */
interface Files {
  /** When the current file's storage was ready; Infinity between two files. */
  start: number;
  /** The Worker's queue handler runs under way. */
  running: Set<Promise<unknown>>;
  guarded: WeakSet<object>;
}
const scope = globalThis as { __auditflareTestFiles?: Files };
scope.__auditflareTestFiles ??= {
  start: Number.POSITIVE_INFINITY,
  running: new Set(),
  guarded: new WeakSet(),
};
const files = scope.__auditflareTestFiles;

/** Wraps the Worker's queue handler (once per evaluation of src/index.ts): see the header. */
function guardQueue(handler: typeof worker | undefined) {
  if (!handler || files.guarded.has(handler)) return;
  files.guarded.add(handler);
  const queue = handler.queue;
  handler.queue = (batch, queueEnv) => {
    const earlier = batch.messages.filter((m) => !(m.timestamp.getTime() >= files.start));
    for (const m of earlier) m.ack();
    if (earlier.length === batch.messages.length) return Promise.resolve();
    const messages = batch.messages.filter((m) => !earlier.includes(m));
    const own: MessageBatch<unknown> =
      earlier.length === 0
        ? batch
        : {
            queue: batch.queue,
            metadata: batch.metadata,
            messages,
            ackAll: () => {
              for (const m of messages) m.ack();
            },
            retryAll: (options) => {
              for (const m of messages) m.retry(options);
            },
          };
    const run = Promise.resolve(queue(own, queueEnv));
    files.running.add(run);
    void run.finally(() => files.running.delete(run)).catch(() => {});
    return run;
  };
}

// The pool imports src/index.ts through Vitest's module runner for each queue batch (and request):
// after a module reset, the first import evaluates it anew, and is guarded before any handler runs.
const runner = (
  globalThis as {
    __vitest_mocker__?: { moduleRunner?: { import?: (id: string) => Promise<unknown> } };
  }
).__vitest_mocker__?.moduleRunner;
if (typeof runner?.import !== "function")
  throw new Error(
    "test/setup.ts: no __vitest_mocker__.moduleRunner.import (the pool's importModule, " +
      "@cloudflare/vitest-pool-workers 0.15): queue batches could not be guarded",
  );
if (!files.guarded.has(runner)) {
  files.guarded.add(runner);
  const load = runner.import.bind(runner);
  runner.import = async (id: string) => {
    const mod = (await load(id)) as { default?: typeof worker } | undefined;
    if (id.endsWith("/src/index.ts")) guardQueue(mod?.default);
    return mod;
  };
}
guardQueue(worker);

await reset();
await emptyStorage();
await applyD1Migrations(
  env.DB,
  (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS,
);
// Every message this file sends is stamped later than this (the broker's clock is this process's).
files.start = Date.now();

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  // What the file's queue batches and requests still do (each may start the other), to the end;
  // their failures were never the file's (a fresh workerd dropped them when the file ended). A run
  // that waits on a timer the file faked never ends: after 20 s it is left.
  const until = Date.now() + 20_000;
  for (let round = 0; round === 0 || (files.running.size > 0 && Date.now() < until); round++) {
    await Promise.race([
      Promise.allSettled([...files.running]).then(() => waitForGlobalWaitUntil().catch(() => {})),
      new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now()))),
    ]);
  }
  files.start = Number.POSITIVE_INFINITY;
  vi.resetModules();
}, 60_000);

/** The D1 tables and R2 objects `reset()` left (it skips storage objects not alive when called). */
async function emptyStorage() {
  const left = await env.DB.prepare(
    "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ type: string; name: string }>();
  if (left.results.length > 0)
    await env.DB.batch([
      env.DB.prepare("PRAGMA defer_foreign_keys = on"),
      ...left.results
        .sort((a, b) => Number(a.type === "table") - Number(b.type === "table"))
        .map((o) => env.DB.prepare(`DROP ${o.type.toUpperCase()} IF EXISTS "${o.name}"`)),
    ]);
  for (const bucket of [env.LANDING, env.ARCHIVE, env.IPDB]) {
    for (let page = await bucket.list(); page.objects.length > 0; page = await bucket.list())
      await bucket.delete(page.objects.map((o) => o.key));
  }
}

interface D1Migration {
  name: string;
  queries: string[];
}
