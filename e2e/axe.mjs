// Accessibility check with axe-core injected into the page: WCAG 2 A and AA rules; a violation
// of impact critical or serious fails, the others are printed as warnings. Each run's full
// result goes to test-results/e2e/axe-<name>.json.
import { AssertionError } from "node:assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { allowConsole } from "./harness.mjs";
import { root } from "./server.mjs";

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve("axe-core");
const FAILING = new Set(["critical", "serious"]);
const OUT = join(root, "test-results", "e2e");

async function inject(page) {
  if (await page.evaluate(() => typeof window.axe === "object")) return;
  // A strict Content-Security-Policy may refuse the inline script tag: then evaluate the source
  // through the DevTools protocol instead (not subject to CSP) and expect the CSP report.
  allowConsole(page, /Content Security Policy/);
  await page.addScriptTag({ path: AXE_PATH }).catch(() => {});
  if (await page.evaluate(() => typeof window.axe === "object")) return;
  await page.evaluate(readFileSync(AXE_PATH, "utf8"));
}

const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/**
 * Runs axe on the page (or `options.include`, a CSS selector) and throws when a critical or
 * serious WCAG 2 A/AA violation is found. Returns all violations.
 */
export async function checkA11y(page, name, options = {}) {
  await inject(page);
  const violations = await page.evaluate(
    async ({ include, exclude }) => {
      let context = document;
      if (include || exclude) {
        context = {};
        if (include) context.include = [include];
        if (exclude) context.exclude = [exclude];
      }
      const result = await window.axe.run(context, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] },
        resultTypes: ["violations"],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(" "),
          html: n.html.slice(0, 200),
          summary: (n.failureSummary ?? "").replace(/\s+/g, " ").slice(0, 300),
        })),
      }));
    },
    { include: options.include, exclude: options.exclude },
  );
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `axe-${slug(name)}.json`), `${JSON.stringify(violations, null, 2)}\n`);
  const describe = (v) =>
    [
      `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? "" : "s"})`,
      `    ${v.helpUrl}`,
      ...v.nodes.slice(0, 5).map((n) => `    - ${n.target}\n      ${n.html}\n      ${n.summary}`),
      ...(v.nodes.length > 5 ? [`    … ${v.nodes.length - 5} more`] : []),
    ].join("\n");
  const failing = violations.filter((v) => FAILING.has(v.impact));
  const minor = violations.filter((v) => !FAILING.has(v.impact));
  if (minor.length > 0) {
    console.log(
      `    axe "${name}": ${minor.length} minor/moderate:\n${minor.map(describe).join("\n")}`,
    );
  }
  if (failing.length > 0) {
    throw new AssertionError({
      message: `axe "${name}": ${failing.length} critical/serious WCAG 2 A/AA violation(s):\n${failing.map(describe).join("\n")}`,
    });
  }
  return violations;
}
