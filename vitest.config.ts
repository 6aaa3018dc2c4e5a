import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
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
  BUCKET_RECORD_BUDGET: "20000",
  TTL_INGEST_TOKEN: "ttl-token",
  PS_TOKEN: "ps-id:ps-secret",
  TURSO_TOKEN: "turso-token",
  TURBOPUFFER_INGEST_TOKEN: "test-ingest-token",
  OTHER_INGEST_TOKEN: "other-ingest-token",
  ALLOWLIST_INGEST_TOKEN: "allowlist-token",
  SMALL_INGEST_TOKEN: "small-token",
  CCI_S3_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  CCI_S3_SECRET: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
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

/** The workerd project: the Worker's tests (and, with another include, its benchmarks). */
export async function workerProject() {
  const migrations = await readD1Migrations("./migrations");
  const options = workerMiniflareOptions();
  return {
    plugins: [
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
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      testTimeout: 60_000,
    },
  };
}

export default defineConfig(async () => {
  return {
    test: {
      projects: [
        await workerProject(),
        // The Node-side scripts (deploy), which workerd cannot run (they spawn processes).
        { test: { name: "scripts", environment: "node", include: ["scripts/test/**/*.test.mjs"] } },
      ],
    },
  };
});
