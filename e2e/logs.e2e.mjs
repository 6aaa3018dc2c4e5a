// The Logs tab an analyst keeps open (issue 30), against its UI contract:
// - form #filters: select[name=since] with the presets 15m, 1h, 24h (the default), 7d, 30d and
//   "" (custom: then text inputs from/to in UTC ISO are shown), checkbox [name=self] (the
//   collector's own "auditflare" events, hidden unless ticked); the URL holds since= / from= /
//   to= / self=1;
// - button#tail (aria-pressed) starts and pauses the live tail; new rows get the class "new";
//   #tail-status says what it did.
// The browser runs in Europe/Berlin on purpose: every time shown or typed is UTC.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Papa from "papaparse";
import { checkA11y } from "./axe.mjs";
import { pushTurbopuffer } from "./explorer-helpers.mjs";
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
  await until(
    async () => {
      await rowsNow(page);
      const old = await page.$$eval("svg#histogram rect.bar", (rs) =>
        rs.filter((r) => Number(r.dataset.count) > 0).map((r) => Date.parse(r.dataset.start)),
      );
      assert.ok(
        old.some((t) => Date.now() - t > 25 * HOUR),
        "7 d counts events older than a day",
      );
      assert.match(await page.textContent("#histogram-caption"), /per hour/);
    },
    { timeout: 30_000 },
  );
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
  await page.reload({ timeout: 30_000 });
  await until(async () => {
    assert.equal(await page.inputValue(field("since")), "");
    assert.equal(await page.inputValue(field("from")), iso(from));
  });
});

test("range: a custom range left invalid, then a preset chosen, blocks no later search; a ?tab= link naming no tab opens Logs", async ({
  page,
  base,
  tokens,
}) => {
  await login(page, base, tokens);
  await page.selectOption(field("since"), "");
  await page.fill(field("from"), "31/01/2026 09:00"); // not UTC ISO: its pattern refuses it
  await page.selectOption(field("since"), "7d");
  await rowsNow(page);
  await page.fill(field("eventName"), "no-such-event-e2e");
  await page.press(field("eventName"), "Enter");
  await until(() => assert.match(page.url(), /[?&]eventName=no-such-event-e2e\b/));
  await until(async () =>
    assert.equal((await cells(page)).length, 0, "the filter typed was applied"),
  );

  await page.goto(`${base}/?tab=${encodeURIComponent('x"]')}`);
  await until(async () =>
    assert.equal(await page.getAttribute("#tab-logs", "aria-selected"), "true", "Logs shown"),
  );
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
    await pushTurbopuffer(base, tokens, [
      {
        action: "api-key-created",
        actor: { type: "user", id: "tail-e2e", name },
        targets: [{ type: "api-key", id: "tail-key", name: "tail-key" }],
        context: { location: "9.9.9.9" },
      },
    ]);
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
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= 1440),
      "the page does not scroll sideways",
    );
    assert.ok(
      (await page.$$eval("#rows tr", (trs) => trs.map((tr) => tr.children[1].textContent))).every(
        (s) => s === "turbopuffer",
      ),
      "the table is the tail's filter (turbopuffer)",
    );
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

test(
  "tail: a poll still in flight when a new search starts is dropped, not the new search's baseline",
  async ({ page, base, tokens, step }) => {
    const stamp = Date.now();
    const a = `tail-a-${stamp}@example.com`;
    const b = `tail-b-${stamp}@example.com`;
    await pushTurbopuffer(
      base,
      tokens,
      // from an address with AS data, as the seeded events are (the side panel test below opens
      // the newest turbopuffer row and adds its srcASCountryCode as a column)
      [a, b].map((name) => ({
        action: "api-key-created",
        actor: { type: "user", id: name, name },
        context: { location: "9.9.9.9" },
      })),
    );
    await login(page, base, tokens);
    await page.fill(field("actor"), a);
    await page.press(field("actor"), "Enter");
    await until(async () => assert.equal((await rowsNow(page)).length, 1));
    // one event: the count axis reads 1, (no half), 0
    await until(async () =>
      assert.deepEqual(await page.$$eval("#y-axis span", (s) => s.map((x) => x.textContent)), [
        "1",
        "",
        "0",
      ]),
    );
    // hold the tail's first poll (limit=200: the tail's pages) until the next search started
    let release;
    const held = new Promise((r) => {
      release = r;
    });
    let holding = true;
    await page.route(
      (url) => url.pathname === "/v1/logs" && url.searchParams.get("limit") === "200",
      async (route) => {
        if (holding) {
          holding = false;
          await held;
        }
        await route.continue();
      },
    );
    await page.click("#tail");
    await page.fill(field("actor"), b);
    await page.press(field("actor"), "Enter");
    await until(async () => {
      const rows = await rowsNow(page);
      assert.equal(rows.length, 1);
      assert.match(rows[0].join(" "), new RegExp(b.replace(/[.]/g, "\\.")));
    });
    release();
    // two more polls: the first learns what the new search shows, the second adds nothing
    const polls = [];
    page.on("requestfinished", (r) => {
      const u = new URL(r.url());
      if (u.pathname === "/v1/logs" && u.searchParams.get("limit") === "200") polls.push(u);
    });
    await until(() => assert.ok(polls.length >= 2), { timeout: 15_000 });
    await page.waitForTimeout(300);
    const rows = await cells(page);
    assert.equal(
      rows.length,
      1,
      `one row, not the new search's event again: ${JSON.stringify(rows)}`,
    );
    assert.equal(await page.locator("#rows tr.new").count(), 0, "nothing marked new");
    await step("tail after a new search");
    await page.click("#tail");
  },
  { timeout: 90_000 },
);

test(
  "saved searches: the admin saves a filter (shared); a reader picks it after a reload and gets its rows",
  async ({ page, base, tokens, step }) => {
    await page.goto(`${base}/?since=7d`);
    await page.fill("#token", tokens.admin);
    await page.press("#token", "Enter");
    await rowsNow(page);
    await page.fill(field("actor"), "grace@example.com");
    await page.press(field("actor"), "Enter");
    await until(() => assert.match(page.url(), /actor=grace/));
    await page.fill("#save-name", "Grace, last week");
    await page.click("#save-search");
    await until(async () => assert.match(await page.textContent("#saved-status"), /Saved/));
    await step("saved");

    // A reader, in a fresh page at the default view
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${base}/`);
    await page.fill("#token", tokens.query);
    await page.press("#token", "Enter");
    await rowsNow(page);
    const option = await until(async () => {
      const o = await page.$$eval("#saved-search option", (os) =>
        os.map((x) => ({ value: x.value, text: x.textContent })),
      );
      const mine = o.find((x) => x.text.startsWith("Grace, last week"));
      assert.ok(mine, `saved search listed: ${JSON.stringify(o)}`);
      return mine;
    });
    assert.match(option.text, /admin token/, "the owner is shown");
    await page.selectOption("#saved-search", option.value);
    await until(() => {
      assert.match(page.url(), /actor=grace/);
      assert.match(page.url(), /since=7d/);
    });
    const rows = await until(async () => {
      const r = await rowsNow(page);
      assert.ok(r.length > 0 && r.every((c) => c[3] === "grace@example.com"), "grace's rows");
      return r;
    });
    assert.ok(rows.length > 0);
    await step("saved search reloaded");

    // The query token only reads: saving is refused, and said so
    await page.fill("#save-name", "reader's search");
    await page.click("#save-search");
    await until(async () => {
      assert.match(await page.textContent("#saved-status"), /403|admin/);
      assert.match((await page.getAttribute("#saved-status", "class")) ?? "", /error/);
    });
  },
  { allowHttpErrors: [403] },
);

test("saved SQL: saved in the SQL tab, listed and loaded back into the editor", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await page.goto(`${base}/?tab=sql`);
  await page.fill("#token", tokens.admin);
  await page.press("#token", "Enter");
  const sql = "SELECT eventName, count(*) AS n FROM logs GROUP BY eventName ORDER BY n DESC";
  await page.fill("#sql-query", sql);
  await page.fill("#sql-save-name", "Events by name");
  await page.click("#sql-save");
  await until(async () => assert.match(await page.textContent("#sql-saved-status"), /Saved/));
  await page.fill("#sql-query", "SELECT 1");
  const value = await until(async () => {
    const o = await page.$$eval("#saved-sql option", (os) =>
      os.map((x) => ({ value: x.value, text: x.textContent })),
    );
    const mine = o.find((x) => x.text.startsWith("Events by name"));
    assert.ok(mine, JSON.stringify(o));
    return mine.value;
  });
  await page.selectOption("#saved-sql", value);
  assert.equal(await page.inputValue("#sql-query"), sql);
  await step("saved SQL loaded");
  await checkA11y(page, "sql tab with saved SQL");
});

test("side panel: empty fields hidden (a toggle shows them), JSON collapsible, filter / exclude / add as column per field; the column chooser", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await login(page, base, tokens);
  await page.selectOption(field("sourceType"), "turbopuffer");
  await rowsNow(page);
  await page.click("#rows tr >> nth=0");
  const panel = page.locator("#panel");
  await until(async () => assert.ok(await panel.isVisible()));
  const fields = () => page.$$eval("#panel-fields dt", (dts) => dts.map((d) => d.textContent));
  const shown = await fields();
  assert.ok(shown.includes("eventName") && shown.includes("actor"), shown.join());
  assert.ok(!shown.includes("dstIP"), "an always-empty field (dstIP) is hidden");
  await page.check("#panel-empty");
  const all = await fields();
  assert.ok(all.includes("dstIP"), "Show empty fields shows dstIP");
  assert.ok(
    all.length > shown.length + 5,
    `${all.length} fields with the empty ones, ${shown.length} without`,
  );
  await page.uncheck("#panel-empty");
  // actor is a map: pretty JSON in a <details> that can be collapsed
  const actor = page.locator('#panel-fields dd[data-field="actor"]');
  assert.match(await actor.locator("pre.json").textContent(), /\n\s+"name"/);
  await actor.locator("summary").click();
  assert.equal(await actor.locator("details").getAttribute("open"), null, "collapsed");
  await step("panel fields");
  await checkA11y(page, "side panel");

  // add as a column
  await page.click('#panel-fields dd[data-field="srcASCountryCode"] button.column');
  await until(async () => {
    const heads = await page.$$eval("#head th", (ths) => ths.map((t) => t.textContent));
    assert.ok(heads.includes("srcASCountryCode"), heads.join());
  });
  // the column chooser lists it; unticking removes it; hiding a default column
  await page.click("#columns summary");
  await page.uncheck('#columns-list input[data-column="AS"]');
  await until(async () => {
    const heads = await page.$$eval("#head th", (ths) => ths.map((t) => t.textContent));
    assert.ok(!heads.includes("AS"), "AS hidden");
  });
  // unticking an added column removes it from the list too
  await page.click('#columns-list input[data-column="srcASCountryCode"]');
  await until(async () => {
    const heads = await page.$$eval("#head th", (ths) => ths.map((t) => t.textContent));
    assert.ok(!heads.includes("srcASCountryCode"));
  });
  await page.check('#columns-list input[data-column="AS"]');
  await step("columns");

  // filter on a field from the panel adds a chip; exclude adds a "not" chip
  await rowsNow(page);
  await page.click("#rows tr >> nth=0");
  const name = await page.textContent('#panel-fields dd[data-field="eventName"] .val');
  await page.click('#panel-fields dd[data-field="eventName"] button.filter');
  await until(async () => {
    assert.match(await page.textContent("#chips"), new RegExp(`eventName = ${name}`));
    const r = await rowsNow(page);
    assert.ok(
      r.every((c) => c[2] === name),
      `only ${name}`,
    );
  });
  await page.click("#rows tr >> nth=0");
  const ip = await page.textContent('#panel-fields dd[data-field="srcIP"] .val');
  await page.click('#panel-fields dd[data-field="srcIP"] button.exclude');
  await until(async () => {
    assert.equal(await page.locator("#chips .chip.not").count(), 1);
    const r = await rowsNow(page);
    assert.ok(
      r.every((c) => c[4] !== ip),
      `no row from ${ip}`,
    );
  });
  await step("filtered from the panel");
});

test("histogram: bars split by source with a legend; count and time axes labelled", async ({
  page,
  base,
  tokens,
  seeded,
  count,
  step,
}) => {
  await login(page, base, tokens, "/?since=7d");
  const legend = await until(async () => {
    const items = await page.$$eval("#legend li", (lis) =>
      lis.map((li) => ({
        source: li.dataset.source,
        text: li.textContent,
        colour: getComputedStyle(li.querySelector(".swatch")).backgroundColor,
      })),
    );
    assert.ok(items.length >= 3, `legend: ${JSON.stringify(items)}`);
    return items;
  });
  for (const id of ["turbopuffer", "circleci", "airkit"]) {
    const item = legend.find((l) => l.source === id);
    assert.ok(item, `${id} in the legend`);
    const n = await count({ sourceID: id, since: "7d" });
    assert.ok(n >= seeded.bySource[id]);
    assert.match(item.text, new RegExp(`${id} \\(${n}\\)`), "with its count");
  }
  assert.equal(new Set(legend.map((l) => l.colour)).size, legend.length, "a colour per source");
  // each bar's segments add up to its count, coloured as the legend says
  const bars = await page.$$eval("svg#histogram g", (gs) =>
    gs.map((g) => ({
      count: Number(g.querySelector("rect.bar").dataset.count),
      segs: [...g.querySelectorAll("rect.seg")].map((r) => ({
        source: r.dataset.source,
        count: Number(r.dataset.count),
        fill: getComputedStyle(r).fill,
      })),
    })),
  );
  assert.ok(
    bars.some((b) => b.segs.length >= 2),
    "some bar holds two sources",
  );
  for (const b of bars) {
    assert.equal(
      b.segs.reduce((a, s) => a + s.count, 0),
      b.count,
    );
    for (const s of b.segs) {
      assert.equal(s.fill, legend.find((l) => l.source === s.source).colour, s.source);
    }
  }
  const y = await page.$$eval("#y-axis span", (s) => s.map((x) => x.textContent));
  assert.equal(y.at(-1), "0");
  assert.equal(
    Number(y[0]),
    Math.max(...bars.map((b) => b.count)),
    "the top label is the highest bar",
  );
  assert.match(await page.textContent("#y-title"), /events per hour/);
  const x = await page.$$eval("#x-axis span", (s) => s.map((t) => t.textContent));
  assert.equal(x.length, 5);
  for (const label of x) assert.match(label, /^\d{2}-\d{2} \d{2}:\d{2}$/);
  await step("histogram split by source");
});

test("export: NDJSON and CSV of the current filter download every matching row", async ({
  page,
  base,
  tokens,
  count,
  step,
}) => {
  await login(page, base, tokens, "/?since=7d&sourceType=circleci");
  const expected = await count({ sourceType: "circleci" });
  assert.ok(expected > 50, `${expected} circleci events`);
  const download = async (button) => {
    const [d] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
    const path = await d.path();
    return { name: d.suggestedFilename(), text: readFileSync(path, "utf8") };
  };
  const nd = await download("#export-ndjson");
  assert.match(nd.name, /\.ndjson$/);
  const rows = nd.text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, expected, "every matching row, not one page");
  assert.ok(
    rows.every((r) => r.sourceType === "circleci"),
    "only the filter's rows",
  );
  const times = rows.map((r) => Date.parse(r.eventTime));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    "oldest first",
  );
  await until(async () =>
    assert.match(
      await page.textContent("#export-status"),
      new RegExp(`Exported ${expected} events`),
    ),
  );

  const csv = await download("#export-csv");
  assert.match(csv.name, /\.csv$/);
  const parsed = Papa.parse(csv.text.trim(), { header: true });
  assert.equal(parsed.errors.length, 0, JSON.stringify(parsed.errors.slice(0, 2)));
  assert.equal(parsed.data.length, expected);
  assert.deepEqual(
    parsed.data.map((r) => r.id),
    rows.map((r) => r.id),
    "the same rows as the NDJSON",
  );
  assert.deepEqual(JSON.parse(parsed.data[0].actor), rows[0].actor, "maps as JSON");
  assert.equal(parsed.data[0].eventName, rows[0].eventName);
  await step("exported");
});

test("facets: include / exclude icons appear on hover and by keyboard, and filter", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await login(page, base, tokens, "/?since=7d");
  const li = page.locator('#facets [data-facet="sourceType"] li:has([data-value="turbopuffer"])');
  await until(async () => assert.equal(await li.count(), 1));
  const exclude = li.locator("button.facet-act.exclude");
  assert.equal(await exclude.isVisible(), false, "hidden until hovered");
  await li.hover();
  await until(async () => assert.equal(await exclude.isVisible(), true, "shown on hover"));
  assert.match(await exclude.getAttribute("aria-label"), /Exclude .*turbopuffer/);
  await step("icons on hover");
  await exclude.click();
  await until(async () => {
    assert.match(await page.textContent("#chips .chip.not"), /sourceType ≠ turbopuffer/);
    const rows = await rowsNow(page);
    assert.ok(rows.length > 0 && rows.every((r) => r[1] !== "turbopuffer"));
  });
  // keyboard: Tab from a value reaches its include icon; Enter filters on it
  const value = page.locator(
    '#facets [data-facet="sourceType"] button.facet-value[data-value="circleci"]',
  );
  await until(async () => assert.equal(await value.count(), 1));
  await value.focus();
  await page.keyboard.press("Tab");
  assert.equal(
    await page.evaluate(() => document.activeElement.getAttribute("aria-label")),
    "Only Source type circleci",
  );
  await page.keyboard.press("Enter");
  await until(async () => {
    const rows = await rowsNow(page);
    assert.ok(rows.length > 0 && rows.every((r) => r[1] === "circleci"));
  });
  await step("include by keyboard");
  await checkA11y(page, "facets with icons");
});
