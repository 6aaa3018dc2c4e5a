import { mergeConfig } from "vitest/config";
import base from "./vitest.config";

/** `npm run bench`: the benchmark files (only them), in the same workerd setup as the tests. */
export default async () => {
  const config = mergeConfig(await (base as () => Promise<object>)(), {
    test: { testTimeout: 600_000 },
  }) as { test: { include: string[] } };
  // mergeConfig concatenates arrays: replace the tests' include rather than add to it.
  config.test.include = ["bench/**/*.bench.ts"];
  return config;
};
