/**
 * Runs in workerd before each worker test file. The worker project reuses one workerd per Vitest
 * worker for many files (`isolate: false`, vitest.config.ts): a fresh workerd per file cost ~7 s
 * of module loading, here ~1 s. This file gives every file what a fresh workerd gave it
 * (docs/testing.md, "Isolation"):
 * - storage: `reset()` deletes every D1 database and R2 bucket of the runtime, then the
 *   migrations make the schema again, so a file starts on empty tables and buckets;
 * - modules: after a file, `vi.resetModules()`, so the next one evaluates the Worker (src/), the
 *   test helpers and the packages anew: no module-level cache (config, rules, keys) crosses files;
 * - work a file started: after its tests, its requests' `waitUntil` and its queue handler runs
 *   end before the next file resets storage; a queue message sent by an earlier file and
 *   delivered now is acknowledged unseen (a fresh workerd never received it);
 * - timers, stubbed globals and env: back to real (Vitest already restores spies between files).
 */
import { applyD1Migrations, reset } from "cloudflare:test";
import { waitForGlobalWaitUntil } from "cloudflare:test-internal";
import { env } from "cloudflare:workers";
import { afterAll, vi } from "vitest";
import worker from "../src/index";

await reset();
await applyD1Migrations(
  env.DB,
  (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS,
);

// After the reset: every message this file sends is stamped later than this (the broker's clock
// is this process's); one stamped earlier was sent by a file before it.
const fileStart = Date.now();
const running = new Set<Promise<unknown>>();
const queue = worker.queue;
worker.queue = (batch, queueEnv) => {
  const earlier = batch.messages.filter((m) => m.timestamp.getTime() < fileStart);
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
  running.add(run);
  void run.finally(() => running.delete(run)).catch(() => {});
  return run;
};

afterAll(async () => {
  // What the file's requests and queue batches still do (each may start the other), to the end;
  // their failures were never the file's (a fresh workerd dropped them when the file ended).
  for (let round = 0; round < 10 && (running.size > 0 || round === 0); round++) {
    await Promise.allSettled([...running]);
    await waitForGlobalWaitUntil().catch(() => {});
  }
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  vi.resetModules();
});

interface D1Migration {
  name: string;
  queries: string[];
}
