/**
 * Three test projects (docs/testing.md):
 * - "unit": `*.unit.test.ts`, in plain Node. For code that needs no binding: parsing, normalizing,
 *   the Sigma engine, the SQL gate, keys, lib. Such a file imports nothing that reaches
 *   `cloudflare:test`, `cloudflare:workers`, `test/helpers.ts` or an `env`; if it did, Node could
 *   not load it, so a wrong suffix fails loudly rather than passing quietly.
 * - "worker": every other `*.test.ts`, inside workerd (vitest-pool-workers): D1, R2, Queues, SELF.
 *   One workerd per Vitest worker runs many files (`isolate: false`); test/setup.ts gives each
 *   file empty storage and freshly evaluated modules, as a workerd of its own did. A file still
 *   costs ~1 s before its first test: put a test in it only when it needs the runtime or a binding.
 * - "scripts": `scripts/test/*.test.mjs`, in Node (they spawn processes).
 */
import { readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { configDefaults, defineConfig } from "vitest/config";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

export const TEST_SOURCES = [
  { id: "turbopuffer", type: "turbopuffer", ingestTokenEnv: "TURBOPUFFER_INGEST_TOKEN" },
  { id: "tp-other", type: "turbopuffer", ingestTokenEnv: "OTHER_INGEST_TOKEN" },
  {
    id: "tp-allowlist",
    type: "turbopuffer",
    ingestTokenEnv: "ALLOWLIST_INGEST_TOKEN",
    allowedIPs: ["203.0.113.0/24", "2001:db8::/32"],
  },
  { id: "tp-small", type: "turbopuffer", ingestTokenEnv: "SMALL_INGEST_TOKEN", maxBodyBytes: 4096 },
  { id: "circleci", type: "circleci", prefix: "circleci/" },
  { id: "airkit", type: "airkit", prefix: "airkit/" },
  { id: "tp-files", type: "turbopuffer", prefix: "turbopuffer-files/" },
  { id: "tp-ttl", type: "turbopuffer", ingestTokenEnv: "TTL_INGEST_TOKEN", ttlDays: 30 },
  {
    id: "cci-s3",
    type: "circleci",
    s3: {
      bucket: "acme-audit",
      region: "us-east-1",
      prefix: "circleci/",
      accessKeyIdEnv: "CCI_S3_KEY_ID",
      secretAccessKeyEnv: "CCI_S3_SECRET",
      endpoint: "https://s3.test",
      topicArns: ["arn:aws:sns:us-east-1:123456789012:audit-files"],
      sqsQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/audit-files",
    },
  },
  {
    id: "tpuf-gcs",
    type: "turbopuffer",
    gcs: {
      bucket: "acme-tpuf-audit",
      serviceAccountJsonEnv: "TPUF_GCS_SA",
      pushAudience: "https://auditflare.test/v1/gcs/tpuf-gcs",
      pushServiceAccount: "pubsub-push@acme.iam.gserviceaccount.com",
      endpoint: "https://gcs.test",
    },
  },
  {
    id: "tp-azure",
    type: "turbopuffer",
    azure: {
      account: "acmeaudit",
      container: "test-container",
      prefix: "",
      accountKeyEnv: "TP_AZURE_KEY",
      eventGridSecretEnv: "TP_AZURE_EG_SECRET",
      queueName: "audit-events",
    },
  },
  {
    id: "ps",
    type: "planetscale",
    organization: "acme",
    tokenEnv: "PS_TOKEN",
    baseUrl: "https://ps.test/v1",
  },
  {
    id: "turso",
    type: "turso",
    organization: "acme",
    tokenEnv: "TURSO_TOKEN",
    baseUrl: "https://turso.test/v1",
  },
];

/**
 * The vars and secrets of the tests: these and wrangler.toml's [vars], nothing else. A
 * developer's .dev.vars (npm start's: DESTINATIONS to a live receiver, EMIT_LOCAL_NOTIFICATIONS,
 * ARCHIVE_THROUGH_NOW, ...) or .env never reaches a test; scripts/test/test-env.test.mjs checks it.
 */
export const TEST_BINDINGS: Record<string, unknown> = {
  SOURCES: TEST_SOURCES,
  DESTINATIONS: "[]",
  QUERY_API_TOKEN: "test-query-token",
  ADMIN_API_TOKEN: "test-admin-token",
  // Records one queue invocation reads (production: 20,000): small, so a test file of a few
  // thousand lines already spans continuations (test/transports/bucket/large.test.ts).
  BUCKET_RECORD_BUDGET: "2500",
  TTL_INGEST_TOKEN: "ttl-token",
  PS_TOKEN: "ps-id:ps-secret",
  TURSO_TOKEN: "turso-token",
  TURBOPUFFER_INGEST_TOKEN: "test-ingest-token",
  OTHER_INGEST_TOKEN: "other-ingest-token",
  ALLOWLIST_INGEST_TOKEN: "allowlist-token",
  SMALL_INGEST_TOKEN: "small-token",
  CCI_S3_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  CCI_S3_SECRET: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  TP_AZURE_KEY: "dGVzdC1henVyZS1hY2NvdW50LWtleS1ub3QtYS1yZWFsLW9uZQ==",
  TP_AZURE_EG_SECRET: "test-event-grid-secret",
};

/**
 * The Worker's miniflare options from `configPath` (bindings, compatibility, queues), its vars
 * being wrangler.toml's [vars] and TEST_BINDINGS only. The pool is not given the wrangler config
 * itself: it would merge the .dev.vars (or .env) next to it into the Worker's env, and
 * vitest-pool-workers 0.15 has no option to skip that file. Here wrangler looks for those files
 * in a folder that does not exist (so never reads them), and only [vars] is kept regardless.
 */
export function workerMiniflareOptions(configPath = "./wrangler.toml") {
  const config = unstable_readConfig({ config: configPath });
  const nowhere = join(tmpdir(), `auditflare-tests-no-dev-vars-${process.pid}`, "wrangler.toml");
  const { workerOptions } = unstable_getMiniflareWorkerOptions({
    ...config,
    userConfigPath: nowhere,
  });
  return { ...workerOptions, bindings: { ...config.vars, ...TEST_BINDINGS } };
}

/**
 * workerd logs "disconnected: WebSocket peer disconnected" each time the pool closes the socket
 * to a file's runner, i.e. after every file of a green run. vitest-pool-workers drops its other
 * teardown lines of the kind (its `ignoreMessages`), and lets no config change its log handler;
 * this exact line joins that list in cloudflare/workers-sdk#13833 (after 0.16.0), and until this
 * repository's pool has it, it is dropped here. Only a write that is that one line, nothing else:
 * another message (or this one with a stack trace) still prints.
 */
const POOL_TEARDOWN_LINE =
  /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\r?\n?$/;
let teardownFilterInstalled = false;
function dropPoolTeardownLine() {
  if (teardownFilterInstalled) return;
  teardownFilterInstalled = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === "string" && POOL_TEARDOWN_LINE.test(chunk)) {
        const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
        callback?.();
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

/**
 * standardwebhooks and @modelcontextprotocol/sdk ship `//# sourceMappingURL=….js.map` without the
 * sources that map names, and Vite says so ("points to missing source files") on every green run;
 * loaded without the comment, their code is the same and the run is quiet.
 */
const withoutDanglingSourceMaps = {
  name: "without-dangling-source-maps",
  enforce: "pre" as const,
  load(id: string) {
    if (!/node_modules\/(standardwebhooks|@modelcontextprotocol\/sdk)\/dist\/.*\.js$/.test(id))
      return null;
    return readFileSync(id, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  },
};

/**
 * The workerd project: the Worker's tests (and, with another include, its benchmarks).
 * `overrides`: vars that differ from TEST_BINDINGS (the benchmarks' production-sized budgets).
 */
export async function workerProject(overrides: Record<string, unknown> = {}) {
  dropPoolTeardownLine();
  const migrations = await readD1Migrations("./migrations");
  const base = workerMiniflareOptions();
  const options = { ...base, bindings: { ...base.bindings, ...overrides } };
  return {
    plugins: [
      withoutDanglingSourceMaps,
      cloudflareTest({
        main: "./src/index.ts",
        miniflare: {
          ...options,
          bindings: {
            ...options.bindings,
            TEST_MIGRATIONS: migrations,
            TEST_VAR_NAMES: Object.keys(options.bindings),
          },
        },
      }),
    ],
    test: {
      name: "worker",
      setupFiles: ["./test/setup.ts"],
      // Azurite for the Azure tests that run in workerd (they reach it on loopback).
      globalSetup: ["./test/azurite-setup.ts"],
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      exclude: [...configDefaults.exclude, "**/*.unit.test.ts"],
      testTimeout: 60_000,
    },
  };
}

export default defineConfig(async () => {
  return {
    test: {
      // Vitest's default is one worker per core less one: a single one on a 2-core machine, where
      // a workerd file spends much of its time waiting on module loads over the pool's socket (Node
      // side and workerd side in turn), so two run side by side at little cost. Each file keeps
      // its own storage and modules whatever the count (test/setup.ts).
      maxWorkers: Math.max(2, availableParallelism() - 1),
      // A test's console output (the Worker's logs of the failures a test provokes on purpose) is
      // printed when that test fails, not on a green run.
      silent: "passed-only" as const,
      projects: [
        // Pure code in plain Node: no workerd, no bindings (see the header).
        {
          test: {
            name: "unit",
            environment: "node",
            include: ["test/**/*.unit.test.ts", "src/**/*.unit.test.ts"],
            // As in workerd, where these tests ran before: a property test may take seconds on
            // a loaded machine.
            testTimeout: 60_000,
            // Pure code: the files share their workers (one Node process each, not one per
            // file), which halves this project's CPU time (63 → 34 s for 458 tests). A test that
            // fakes timers or spies restores them (vitest.dev/config/isolate).
            isolate: false,
          },
        },
        // Files share their workerd (one per Vitest worker): a fresh workerd per file spent ~7 s
        // loading the Worker's modules into it, most of this project's time. test/setup.ts
        // resets storage and modules for each file and keeps one file's leftover work (queue
        // batches, waitUntil) from reaching the next (docs/testing.md, "Isolation").
        await workerProject().then((worker) => ({
          ...worker,
          test: { ...worker.test, isolate: false },
        })),
        // The Node-side scripts (deploy), which workerd cannot run (they spawn processes).
        { test: { name: "scripts", environment: "node", include: ["scripts/test/**/*.test.mjs"] } },
      ],
    },
  };
});
