import { defineConfig } from "vitest/config";
import { workerProject } from "./vitest.config";

/** `npm run bench`: the benchmark files (only them), in the same workerd setup as the tests. */
export default defineConfig(async () => {
  // The bucket consumer's record budget: 20,000 per invocation, standing in for production's
  // 100,000 on bench/gzip.bench.ts's file 1/7 the size (10 continuations, production's order),
  // not the tests' 2,500 (80): gzip_decompressed_ratio counts what each continuation re-inflates.
  const worker = await workerProject({ BUCKET_RECORD_BUDGET: "20000" });
  return {
    ...worker,
    // No Azurite (the Azure tests' global setup): no benchmark reads Azure.
    test: {
      ...worker.test,
      globalSetup: [],
      include: ["bench/**/*.bench.ts"],
      testTimeout: 600_000,
    },
  };
});
