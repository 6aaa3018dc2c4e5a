// The tiny test runner's API for e2e/*.e2e.mjs files:
//   import { test, until } from "./harness.mjs";
//   test("name", async ({ page, base, tokens, seeded, step, api }) => { ... }, options);
// Each test gets a fresh browser context and page (fresh sessionStorage). e2e/run.mjs runs the
// tests in file order, takes a screenshot at each step() and at the end, and fails a test on
// any uncaught page error, console error or HTTP error response (a 401 to a request without a
// token excepted; see allowConsole and options.allowHttpErrors).

/** @type {{ name: string, file: string, fn: Function, options: object }[]} */
export const registry = [];
let currentFile = "";
export const setCurrentFile = (file) => {
  currentFile = file;
};

/**
 * Registers a test. options: { timeout (ms, default 60000), allowHttpErrors (responses with
 * these statuses are expected: a list, or true for any 4xx) }.
 */
export function test(name, fn, options = {}) {
  registry.push({ name, file: currentFile, fn, options });
}

const allowances = new WeakMap();

/** Console errors matching `pattern` are expected on this page (e.g. a CSP report of a tool). */
export function allowConsole(page, pattern) {
  const list = allowances.get(page) ?? [];
  list.push(pattern);
  allowances.set(page, list);
}
export const allowedOn = (page) => allowances.get(page) ?? [];

/**
 * Retries `fn` (an assertion, sync or async) until it stops throwing, then returns its value;
 * after `timeout` ms rethrows its last error.
 */
export async function until(fn, { timeout = 10_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
