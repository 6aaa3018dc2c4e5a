import { mergeConfig } from "vitest/config";
import base from "./vitest.config";

/** `npm run bench`: the benchmark files, in the same workerd setup as the tests. */
export default async () =>
  mergeConfig(await (base as () => Promise<object>)(), {
    test: { include: ["bench/**/*.bench.ts"], testTimeout: 600_000 },
  });
