import { expect, it } from "vitest";
import { clockOffset, workerNow } from "../../src/lib/clock";

it("honours DEV_CLOCK_OFFSET_MS only with EMIT_LOCAL_NOTIFICATIONS=true", () => {
  const local = { EMIT_LOCAL_NOTIFICATIONS: "true", DEV_CLOCK_OFFSET_MS: "3600000" };
  expect(clockOffset(local)).toBe(3_600_000);
  expect(workerNow(local, 1000)).toBe(3_601_000);
  expect(clockOffset({ DEV_CLOCK_OFFSET_MS: "3600000" }), "not local: ignored").toBe(0);
  expect(clockOffset({ EMIT_LOCAL_NOTIFICATIONS: "true", DEV_CLOCK_OFFSET_MS: "-5" })).toBe(0);
  expect(clockOffset({ EMIT_LOCAL_NOTIFICATIONS: "true", DEV_CLOCK_OFFSET_MS: "1.5" })).toBe(0);
  expect(workerNow({}, 42)).toBe(42);
});
