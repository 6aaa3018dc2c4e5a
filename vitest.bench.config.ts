import { defineConfig } from "vitest/config";
import { workerProject } from "./vitest.config";

/** `npm run bench`: the benchmark files (only them), in the same workerd setup as the tests. */
export default defineConfig(async () => {
  const worker = await workerProject();
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
