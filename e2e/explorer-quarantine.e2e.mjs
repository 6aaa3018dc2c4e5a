// The Quarantine tab (issue 30 item 9): an empty tab explains what would appear there
// (#table-empty); an entry (a #rows2 row, click or Enter) opens #entry-view with its records as
// table#entry-records (where, stage, code, error, record) and button#replay visible.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { pushTurbopuffer } from "./explorer-helpers.mjs";
import { test, until } from "./harness.mjs";

async function openQuarantine(page, base, token) {
  await page.goto(`${base}/?tab=quarantine`);
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  await until(async () => assert.match(await page.textContent("#table-status"), /shown/));
}

test("quarantine: an empty tab explains what would appear there", async ({
  page,
  base,
  tokens,
  step,
}) => {
  // Whatever other tests kept, this page sees an empty quarantine
  await page.route(
    (url) => url.pathname === "/v1/quarantine",
    (route) =>
      route.fulfill({ contentType: "application/json", body: '{"data":[],"nextCursor":null}' }),
  );
  await openQuarantine(page, base, tokens.query);
  const empty = page.locator("#table-empty");
  await until(async () => assert.ok(await empty.isVisible(), "#table-empty is shown"));
  const text = await empty.textContent();
  assert.match(text, /Nothing is in quarantine/);
  assert.match(text, /cannot be parsed/);
  assert.match(text, /Replay/);
  await step("empty quarantine");
  await checkA11y(page, "quarantine tab, empty");
});

test(
  "quarantine: an entry shows its bad records as a table, with Replay visible",
  async ({ page, base, tokens, step }) => {
    const marker = `q-e2e-${Date.now()}`;
    // Only a bad record: the seeded events stay exactly as the other files expect them
    const body = await pushTurbopuffer(base, tokens, [
      { action: marker, occurred_at: "not a time", actor: { id: "q-bad" } },
    ]);
    assert.equal(body.quarantined, 1, JSON.stringify(body));

    await openQuarantine(page, base, tokens.query);
    const row = page.locator("#rows2 tr", { hasText: "turbopuffer" }).first();
    await row.focus();
    await page.keyboard.press("Enter");
    const view = page.locator("#entry-view");
    await until(async () => assert.ok(await view.isVisible(), "#entry-view opens"));
    await until(async () => {
      const records = await page.$$eval("#entry-records tbody tr", (trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
      );
      const bad = records.find((r) => r[4].includes(marker));
      assert.ok(bad, `the bad record is a row: ${JSON.stringify(records)}`);
      assert.equal(bad[0], "[0]", "where: the array index");
      assert.match(bad[3], /time/i, "the error");
      assert.ok(!bad[4].includes('\\"'), "the record is shown as JSON, not escaped JSON");
    });
    const replay = page.locator("#replay");
    assert.ok(await replay.isVisible(), "Replay is visible");
    const box = await replay.boundingBox();
    assert.ok(box.y < 900, `Replay is on the first screen (y ${box.y})`);
    assert.equal(await page.locator("#detail").isVisible(), false, "no raw JSON dump");
    await step("entry records");
    await checkA11y(page, "quarantine entry");

    await replay.click();
    await until(async () => assert.match(await page.textContent("#table-status"), /403|admin/));
  },
  { allowHttpErrors: [403] },
);
