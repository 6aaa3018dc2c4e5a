// The Alerts tab and the alert view (issue 30, src/explorer/alerts.ts), against its contract:
// - #alert-filters: select#alert-status, select#alert-level, select#alert-rule;
// - #rows2 tr[data-id] (level as span.level.level-<level>); a row (click, Enter) opens
//   #alert-view: #alert-title, #alert-facts, #alert-timeline svg (circle.ev per event,
//   rect.note per note), table#alert-events (a link per event), a#alert-open-logs, #alert-notes,
//   textarea#note-text + button#note-add (#note-status);
// - the Alerts table fits a 1440 px wide window.
// The seeded turbopuffer events include invitations, which the starter rule
// turbopuffer-invitation-created turns into alerts.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { test, until } from "./harness.mjs";

async function openAlerts(page, base, token) {
  await page.goto(`${base}/?tab=alerts`);
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  return until(async () => {
    assert.match(await page.textContent("#table-status"), /shown/);
    const n = await page.locator("#rows2 tr").count();
    assert.ok(n > 0, "alerts listed");
    return n;
  });
}

const rowCells = (page) =>
  page.$$eval("#rows2 tr", (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
  );

test("alerts: the table fits 1440 px, levels are coloured badges; filters by level, rule and status", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await openAlerts(page, base, tokens.query);
  const width = await page.evaluate(() => ({
    doc: document.documentElement.scrollWidth,
    table: document.querySelector("#view-table > table").getBoundingClientRect().right,
  }));
  assert.ok(width.doc <= 1440, `the page is ${width.doc} px wide`);
  assert.ok(width.table <= 1440, `the table ends at ${width.table} px`);
  const badge = page.locator("#rows2 tr >> nth=0 >> span.level");
  const level = (await badge.textContent()).trim();
  assert.match((await badge.getAttribute("class")) ?? "", new RegExp(`level-${level}`));
  const bg = await badge.evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.notEqual(bg, "rgba(0, 0, 0, 0)", "the level has a colour");
  await step("alerts table");
  await checkA11y(page, "alerts tab");

  const [first] = await rowCells(page);
  const rule = first[2];
  await until(async () =>
    assert.ok((await page.locator(`#alert-rule option[value="${rule}"]`).count()) === 1),
  );
  await page.selectOption("#alert-rule", rule);
  await until(async () => {
    const rows = await rowCells(page);
    assert.ok(rows.length > 0 && rows.every((r) => r[2] === rule), `only ${rule}`);
  });
  await page.selectOption("#alert-level", level === "critical" ? "low" : "critical");
  await until(async () => {
    assert.match(await page.textContent("#table-status"), /^0 shown/);
  });
  await page.selectOption("#alert-level", level);
  await page.selectOption("#alert-status", "open");
  await until(async () => {
    const rows = await rowCells(page);
    assert.ok(rows.length > 0 && rows.every((r) => r[0] === level && r[7] === "open"));
  });
  await step("filtered");
});

test("alert view: rule, level, key, counts, timeline and its events; they open in Logs", async ({
  page,
  base,
  tokens,
  api,
  step,
}) => {
  await openAlerts(page, base, tokens.query);
  const id = await page.getAttribute("#rows2 tr >> nth=0", "data-id");
  const alert = await api(`/v1/alerts/${id}`);
  await page.focus("#rows2 tr >> nth=0");
  await page.keyboard.press("Enter");
  const view = page.locator("#alert-view");
  await until(async () => assert.ok(await view.isVisible()));
  await until(async () => {
    const facts = await page.textContent("#alert-facts");
    for (const v of [alert.ruleId, alert.dedupKey, String(alert.count), alert.firstSeen]) {
      assert.ok(facts.includes(v), `the view shows ${v}`);
    }
  });
  assert.match(await page.textContent("#alert-title"), new RegExp(alert.level));
  assert.equal(
    await page.locator("#alert-timeline circle.ev").count(),
    alert.events.length,
    "a dot per event",
  );
  const eventRows = page.locator("#alert-events tbody tr");
  assert.equal(await eventRows.count(), alert.events.length);
  assert.ok(alert.events.length > 0);
  assert.equal(await page.locator("#detail").isVisible(), false, "no raw JSON");
  await step("alert view");
  await checkA11y(page, "alert view");

  await page.click("#alert-open-logs");
  await until(async () =>
    assert.equal(await page.getAttribute('[role=tab][data-tab="logs"]', "aria-selected"), "true"),
  );
  assert.match(page.url(), /[?&]from=/);
  await until(async () => {
    const ids = await page.$$eval("#rows tr", (trs) => trs.map((tr) => tr.dataset.id));
    for (const e of alert.events) assert.ok(ids.includes(e.id), `event ${e.id} is in Logs`);
  });
  await step("its events in Logs");
});

test(
  "alert notes: the query token is refused; the admin adds a note (who, when, what), stored once",
  async ({ page, base, tokens, api, step }) => {
    await openAlerts(page, base, tokens.query);
    const id = await page.getAttribute("#rows2 tr >> nth=0", "data-id");
    /** The alert view has loaded (its status line is cleared once the alert is drawn). */
    const loaded = () =>
      until(async () => {
        assert.ok(await page.isVisible("#note-add"));
        assert.equal(await page.textContent("#alert-status-line"), "");
        assert.ok((await page.locator("#alert-facts dd").count()) > 0);
      });
    await page.click("#rows2 tr >> nth=0");
    await loaded();
    await page.fill("#note-text", "reader note");
    await page.click("#note-add");
    await until(async () => assert.match(await page.textContent("#note-status"), /403|admin/));

    await page.fill("#token", tokens.admin);
    await page.press("#token", "Enter");
    await until(async () => assert.ok((await page.locator("#rows2 tr").count()) > 0));
    await page.click(`#rows2 tr[data-id="${id}"]`);
    await loaded();
    const text = `Checked with the owner at ${new Date().toISOString()}`;
    await page.fill("#note-text", text);
    await page.click("#note-add");
    await until(async () => {
      const notes = await page.textContent("#alert-notes");
      assert.ok(notes.includes(text) && notes.includes("admin token"), notes);
    });
    assert.equal((await page.locator("#alert-timeline rect.note").count()) >= 1, true);
    const stored = (await api(`/v1/alerts/${id}`)).notes.filter((n) => n.text === text);
    assert.equal(stored.length, 1, "stored once");
    assert.match(stored[0].at, /^\d{4}-\d{2}-\d{2}T/);
    await step("note added");
  },
  { allowHttpErrors: [403] },
);
