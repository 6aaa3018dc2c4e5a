// The Logs tab an analyst keeps open (issue 30), against its UI contract:
// - form #filters: select[name=since] with the presets 15m, 1h, 24h (the default), 7d, 30d and
//   "" (custom: then text inputs from/to in UTC ISO are shown), checkbox [name=self] (the
//   collector's own "auditflare" events, hidden unless ticked); the URL holds since= / from= /
//   to= / self=1;
// - button#tail (aria-pressed) starts and pauses the live tail; new rows get the class "new";
//   #tail-status says what it did.
// The browser runs in Europe/Berlin on purpose: every time shown or typed is UTC.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { test, until } from "./harness.mjs";

const field = (name) => `#filters [name="${name}"]`;
const HOUR = 3_600_000;

/** The rows' cells as [eventTime, source, event, actor, …]. */
const cells = (page) =>
  page.$$eval("#rows tr", (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
  );

async function rowsNow(page) {
  return until(
    async () => {
      assert.doesNotMatch((await page.getAttribute("#status", "class")) ?? "", /error/);
      assert.match(await page.textContent("#status"), /shown/);
      return cells(page);
    },
    { timeout: 20_000 },
  );
}

async function login(page, base, tokens, path = "/") {
  await page.goto(base + path);
  await page.fill("#token", tokens.query);
  await page.press("#token", "Enter");
  return rowsNow(page);
}

test("range: the default is the last 24 h without auditflare's own events; presets change the URL and the rows", async ({
  page,
  base,
  tokens,
  step,
}) => {
  // The Worker audits the seeding's queries: its own events exist and are recent.
  const rows = await login(page, base, tokens);
  assert.equal(await page.inputValue(field("since")), "24h", "the default range");
  assert.equal(await page.isVisible(field("from")), false, "from/to only for a custom range");
  assert.ok(rows.length > 0, "rows in the last 24 h");
  for (const [time, source] of rows) {
    assert.ok(Date.now() - Date.parse(time) <= 24 * HOUR + 60_000, `${time} is within 24 h`);
    assert.notEqual(source, "auditflare", "the collector's own events are hidden");
  }
  const caption = await page.textContent("#histogram-caption");
  assert.match(caption, /per hour/, `24 h in hours: ${caption}`);
  await step("default 24 h");
  await checkA11y(page, "logs default view");

  await page.selectOption(field("since"), "1h");
  await until(() => assert.match(page.url(), /[?&]since=1h\b/));
  const hour = await until(async () => {
    const r = await rowsNow(page);
    assert.ok(r.length < rows.length, `fewer rows in 1 h (${r.length}) than 24 h (${rows.length})`);
    return r;
  });
  for (const [time] of hour) assert.ok(Date.now() - Date.parse(time) <= HOUR + 60_000, time);
  assert.match(await page.textContent("#histogram-caption"), /per minute/);
  await step("last hour");

  await page.selectOption(field("since"), "7d");
  await until(() => assert.match(page.url(), /[?&]since=7d\b/));
  await until(async () => {
    const r = await rowsNow(page);
    assert.ok(
      r.some(([time]) => Date.now() - Date.parse(time) > 24 * HOUR),
      "7 d shows events older than a day",
    );
  });
  await step("last 7 days");

  // A shared link with since= opens that range.
  await page.goto(`${base}/?since=15m`);
  await until(async () => assert.equal(await page.inputValue(field("since")), "15m"));
  await rowsNow(page);
});

test("range: custom from/to are UTC ISO text (not the browser's zone) and go to the URL", async ({
  page,
  base,
  tokens,
  api,
  step,
}) => {
  await login(page, base, tokens);
  await page.selectOption(field("since"), "");
  assert.equal(await page.isVisible(field("from")), true, "custom shows from");
  assert.equal(await page.getAttribute(field("from"), "type"), "text");
  // Prefilled with the range shown, in UTC ISO
  const from0 = await page.inputValue(field("from"));
  assert.match(from0, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
  const to = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
  const from = new Date(to.getTime() - 6 * HOUR);
  const iso = (d) => d.toISOString().replace(".000Z", "Z");
  await page.fill(field("from"), iso(from));
  await page.fill(field("to"), iso(to));
  await page.press(field("to"), "Enter");
  await until(() => {
    const u = new URL(page.url());
    assert.equal(u.searchParams.get("from"), from.toISOString());
    assert.equal(u.searchParams.get("to"), to.toISOString());
    assert.equal(u.searchParams.get("since"), null);
  });
  const rows = await rowsNow(page);
  for (const [time] of rows) {
    const t = Date.parse(time);
    assert.ok(t >= from.getTime() && t < to.getTime(), `${time} in [${iso(from)}, ${iso(to)})`);
  }
  const expected = await api(
    `/v1/logs?from=${from.toISOString()}&to=${to.toISOString()}&exclude=sourceType:auditflare&limit=1000`,
  );
  assert.equal(rows.length, Math.min(100, expected.data.length), "the rows the API gives");
  await step("custom range");

  // A time without a zone is UTC too (the browser is in Europe/Berlin)
  await page.fill(field("from"), iso(from).replace("Z", ""));
  await page.press(field("from"), "Enter");
  await until(() => assert.equal(new URL(page.url()).searchParams.get("from"), from.toISOString()));
  await page.reload();
  await until(async () => {
    assert.equal(await page.inputValue(field("since")), "");
    assert.equal(await page.inputValue(field("from")), iso(from));
  });
});

test("range: ticking 'auditflare's own events' shows the collector's self-audit", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await login(page, base, tokens);
  await page.check(field("self"));
  await until(() => assert.match(page.url(), /[?&]self=1\b/));
  await until(async () => {
    const r = await rowsNow(page);
    assert.ok(
      r.some(([, source]) => source === "auditflare"),
      "auditflare's own events are shown",
    );
  });
  await until(async () =>
    assert.equal(
      await page.locator('#facets [data-facet="sourceType"] [data-value="auditflare"]').count(),
      1,
    ),
  );
  await step("self-audit shown");
  await page.uncheck(field("self"));
  await until(async () => {
    const r = await rowsNow(page);
    assert.ok(!r.some(([, source]) => source === "auditflare"));
  });
});

test(
  "tail: an event pushed after the tail started appears on top; Pause stops it",
  async ({ page, base, tokens, step }) => {
    await login(page, base, tokens);
    await page.selectOption(field("sourceType"), "turbopuffer");
    await rowsNow(page);
    await page.click("#tail");
    assert.equal(await page.getAttribute("#tail", "aria-pressed"), "true");
    await until(async () => assert.match(await page.textContent("#tail-status"), /Tailing/));
    // the first poll learns what exists; wait for it before pushing
    await page.waitForTimeout(1000);
    const name = `tail-${Date.now()}@example.com`;
    const res = await fetch(`${base}/v1/ingest/turbopuffer`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.ingest}`, "content-type": "application/json" },
      body: JSON.stringify([
        {
          action: "api-key-created",
          occurred_at: new Date().toISOString(),
          actor: { type: "user", id: "tail-e2e", name },
          targets: [{ type: "api-key", id: "tail-key", name: "tail-key" }],
          context: { location: "9.9.9.9" },
          metadata: {},
        },
      ]),
    });
    assert.equal(res.status, 200, await res.text());
    const pushed = Date.now();
    await until(
      async () => {
        const first = page.locator("#rows tr").first();
        assert.match(await first.textContent(), new RegExp(name.replace(".", "\\.")));
        assert.match((await first.getAttribute("class")) ?? "", /\bnew\b/);
      },
      { timeout: 15_000 },
    );
    const seenAfter = Date.now() - pushed;
    assert.match(await page.textContent("#tail-status"), /1 new event\b/);
    console.log(`    tail: the pushed event shown ${seenAfter} ms after its 200`);
    await step("tail shows the pushed event");
    await checkA11y(page, "logs tail");

    await page.click("#tail");
    assert.equal(await page.getAttribute("#tail", "aria-pressed"), "false");
    await until(async () => assert.match(await page.textContent("#tail-status"), /paused/i));
    const polls = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/v1/logs") polls.push(r.url());
    });
    await page.waitForTimeout(6000);
    assert.deepEqual(polls, [], "no poll while paused");
    // Keyboard: the button toggles with Enter
    await page.focus("#tail");
    await page.keyboard.press("Enter");
    assert.equal(await page.getAttribute("#tail", "aria-pressed"), "true");
    await page.keyboard.press("Enter");
    assert.equal(await page.getAttribute("#tail", "aria-pressed"), "false");
  },
  { timeout: 90_000 },
);
