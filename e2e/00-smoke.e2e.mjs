// Smoke: what holds for the explorer before and after its rewrite (and checks the harness:
// server, seed, browser, axe, screenshots). The UI contract itself is in explorer.e2e.mjs.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { test, until } from "./harness.mjs";

test(
  "the explorer loads, keeps the token in sessionStorage and lists the seeded events",
  async ({ page, base, tokens, seeded, count, step }) => {
    const res = await page.goto(`${base}/`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-type"], /text\/html/);
    assert.equal(await page.getAttribute("#token", "type"), "password");
    await step("page loaded");

    await page.fill("#token", tokens.query);
    await page.press("#token", "Enter");
    await until(async () =>
      assert.equal(
        await page.evaluate(() => sessionStorage.getItem("auditflare.token")),
        tokens.query,
      ),
    );
    await page.click('[role=tab][data-tab="logs"]');
    await until(async () => {
      assert.ok((await page.locator("#rows tr").count()) >= 10, "at least 10 rows listed");
      assert.doesNotMatch((await page.getAttribute("#status", "class")) ?? "", /\berror\b/);
    });
    assert.ok(!page.url().includes(tokens.query), "the token is never in the URL");
    assert.ok((await count({})) >= seeded.total, "the API returns every seeded event");
    await step("logs listed");
    await checkA11y(page, "smoke logs tab");
    // The explorer of before the rewrite queries once without a token on load (for Cloudflare
    // Access, which needs none): that 401 is expected here.
  },
  { allowHttpErrors: [401] },
);
