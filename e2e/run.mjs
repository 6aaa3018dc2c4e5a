#!/usr/bin/env node
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
// `npm run test:e2e [-- FILTER…]`: the end-to-end browser tests.
// 1. starts an isolated `wrangler dev` (e2e/server.mjs) and seeds it (e2e/seed.mjs);
// 2. launches the system Chromium (/usr/bin/chromium, or $CHROMIUM) with playwright-core;
// 3. runs the tests of e2e/*.e2e.mjs in file-name order, one fresh browser context each;
//    FILTER words keep only the tests whose file or name contains one of them;
// 4. screenshots at each step and at the end of each test in test-results/e2e/, the Worker's
//    log in test-results/e2e/wrangler.log; a page error, a console error or an HTTP error
//    (status ≥ 400; except a 401 to a request without a token, and options.allowHttpErrors)
//    fails the test;
// 5. always stops the Worker; exits 1 if any test failed.
// E2E_EXPLORER_HTML=<file> serves that file as GET / (to try the tests on a prototype page).
import { allowedOn, registry, setCurrentFile } from "./harness.mjs";
import { countLogs, seed } from "./seed.mjs";
import { root, startServer } from "./server.mjs";

const OUT = join(root, "test-results", "e2e");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const filters = process.argv.slice(2);
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
if (!existsSync(CHROMIUM)) {
  console.error(`[e2e] no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM)`);
  process.exit(1);
}

// Register the tests before anything slow starts, so a broken test file fails fast.
const dir = join(root, "e2e");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".e2e.mjs"))
  .sort();
for (const f of files) {
  setCurrentFile(f);
  await import(pathToFileURL(join(dir, f)).href);
}
const tests = registry.filter(
  (t) => filters.length === 0 || filters.some((w) => t.file.includes(w) || t.name.includes(w)),
);
if (tests.length === 0) {
  console.error(`[e2e] no test in ${files.join(", ")} matches ${filters.join(" ")}`);
  process.exit(1);
}

let server;
let browser;
let failed = 0;
let passed = 0;
const stopAll = async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
};
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => stopAll().then(() => process.exit(130)));
}

/** One test: fresh context, error collection, step screenshots, timeout. */
async function runTest(t, index, shared) {
  const prefix = `${String(index + 1).padStart(2, "0")}-${slug(t.name)}`;
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    // Not UTC on purpose: the explorer's from/to fields are UTC whatever the browser's zone.
    timezoneId: "Europe/Berlin",
    locale: "en-US",
  });
  if (process.env.E2E_EXPLORER_HTML) {
    // For trying the tests against a prototype page: GET / (any query) answers with that file.
    const html = readFileSync(process.env.E2E_EXPLORER_HTML, "utf8");
    await context.route(
      (url) => url.origin === shared.base && url.pathname === "/",
      (route) => route.fulfill({ contentType: "text/html; charset=utf-8", body: html }),
    );
  }
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  const allowHttp = t.options.allowHttpErrors;
  const httpAllowed = (status) =>
    allowHttp === true ? status >= 400 && status < 500 : (allowHttp ?? []).includes(status);
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    // "Failed to load resource" carries no URL: the failed responses are judged below instead.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) {
      errors.push(`console.error: ${msg.text()}`);
    }
  });
  page.on("response", (res) => {
    const status = res.status();
    if (status < 400 || httpAllowed(status)) return;
    const req = res.request();
    // Without a token the explorer may ask anyway (behind Cloudflare Access none is needed):
    // a 401 to a request that sent no Authorization header is not an error of the page.
    if (status === 401 && !/^Bearer\s+\S/i.test(req.headers().authorization ?? "")) return;
    errors.push(`HTTP ${status}: ${req.method()} ${res.url()}`);
  });
  let steps = 0;
  const shot = async (label) => {
    const file = join(OUT, `${prefix}--${String(steps).padStart(2, "0")}-${slug(label)}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    return file;
  };
  const step = async (label) => {
    steps += 1;
    await shot(label);
  };
  const started = Date.now();
  let error = null;
  const timeout = t.options.timeout ?? 60_000;
  let timer;
  try {
    await Promise.race([
      t.fn({ page, context, browser, step, ...shared }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`test timed out after ${timeout} ms`)), timeout);
      }),
    ]);
  } catch (err) {
    error = err;
  } finally {
    clearTimeout(timer);
  }
  steps += 1;
  await shot(error ? "FAILED" : "end");
  const unexpected = errors.filter((e) => !allowedOn(page).some((re) => re.test(e)));
  if (!error && unexpected.length > 0) {
    error = new Error(`errors in the page:\n  ${unexpected.join("\n  ")}`);
  }
  await context.close().catch(() => {});
  const ms = Date.now() - started;
  if (error) {
    failed += 1;
    console.log(`✖ ${t.file} › ${t.name} (${secs(ms)})`);
    const text = String(error.stack ?? error)
      .split("\n")
      .filter((l) => !l.includes("node_modules/playwright-core") && !l.includes("node:internal"))
      .slice(0, 25)
      .join("\n");
    console.log(`    ${text.replaceAll("\n", "\n    ")}`);
    if (unexpected.length > 0 && !error.message.startsWith("errors in the page")) {
      console.log(`    also, errors in the page:\n      ${unexpected.join("\n      ")}`);
    }
  } else {
    passed += 1;
    console.log(`✔ ${t.file} › ${t.name} (${secs(ms)})`);
  }
}

try {
  server = await startServer({
    logFile: join(OUT, "wrangler.log"),
    log: (m) => console.log(`[e2e] ${m}`),
  });
  const tokens = server.tokens;
  const seeded = await seed(server.base, tokens, { log: (m) => console.log(`[e2e] seed: ${m}`) });
  /** GET an API path with the query token; returns the parsed body (throws unless 2xx). */
  const api = async (path, init = {}) => {
    const res = await fetch(server.base + path, {
      ...init,
      headers: { authorization: `Bearer ${tokens.query}`, ...init.headers },
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const count = (params) => countLogs(server.base, tokens.query, params);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  console.log(
    `[e2e] Chromium ${browser.version()}; ${tests.length} test(s) from ${[...new Set(tests.map((t) => t.file))].join(", ")} (setup ${secs(Date.now() - t0)})`,
  );
  const shared = { base: server.base, stateDir: server.stateDir, tokens, seeded, api, count };
  for (const [i, t] of tests.entries()) await runTest(t, i, shared);
} catch (err) {
  failed += 1;
  console.error(`[e2e] setup failed: ${err.stack ?? err}`);
} finally {
  await stopAll();
}
console.log(
  `[e2e] ${passed} passed, ${failed} failed in ${secs(Date.now() - t0)}; screenshots and logs in ${basename(root)}/test-results/e2e/`,
);
process.exit(failed > 0 ? 1 : 0);
