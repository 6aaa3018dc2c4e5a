import { expect, it } from "vitest";
import { fold } from "../../src/detect/strings";

/**
 * In workerd, the runtime rules run in: compileFolded's equivalence with uncased matching
 * (src/detect/strings.ts) holds when lowercasing is idempotent unit by unit and keeps surrogates.
 * test/detect/event-cache.unit.test.ts checks the same in Node (npm run rules:test runs there).
 */
it("every UTF-16 unit folds to one unit, folds no further, and stays a surrogate or not (workerd)", () => {
  const bad: string[] = [];
  const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
  for (let c = 0; c < 0x10000; c++) {
    const f = fold(String.fromCharCode(c));
    if (f.length !== 1 || fold(f) !== f || surrogate(f.charCodeAt(0)) !== surrogate(c))
      bad.push(c.toString(16));
  }
  expect(bad).toEqual([]);
});
