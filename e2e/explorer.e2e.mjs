// The web explorer against its UI contract (the rewrite of src/routes/explorer.ts):
// - #token (password) kept in sessionStorage "auditflare.token"; Enter (change) loads Logs;
// - tabs [role=tab][data-tab=logs|sql|sources|quarantine|alerts|rules];
// - Logs: form #filters (q, sourceType, sourceID, eventName, actor, srcIP, from, to; Enter
//   searches; select since = 15m|1h|24h (default)|7d|30d|"" (custom); from/to text in UTC ISO,
//   shown for a custom range), #status (.error with the API's message),
//   svg#histogram rect.bar[data-count][data-start][data-end] (drag to zoom), #facets
//   [data-facet=…] button.facet-value[data-value] (click includes, Alt+click excludes), #chips
//   .chip (with a remove button), rows #rows tr (click or Enter opens #panel with #panel-raw,
//   a.by-actor, a.by-ip, #panel-close); the filters live in the URL's query, never the token;
// - SQL: textarea#sql-query, button#sql-run, select#sql-examples, #sql-schema,
//   table#sql-result, #sql-error[role=alert];
// - Sources: #sources-table, a row per source with a .health badge and an svg.spark.
// The seeded data (e2e/seed.mjs): 180 turbopuffer, 70 circleci and 50 airkit events over two
// days, plus the Worker's own audit events (source "auditflare", actor "query token"), hidden
// unless the checkbox self is ticked. Tests that need both days open "/?since=7d".
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { test, until } from "./harness.mjs";

const TABS = ["logs", "sql", "sources", "quarantine", "alerts", "rules"];
const FACETS = [
  "sourceType",
  "eventName",
  "actor",
  "srcIP",
  "srcASOrganization",
  "srcASCountryCode",
];
const field = (name) => `#filters [name="${name}"]`;
const tab = (name) => `[role=tab][data-tab="${name}"]`;
const rowTexts = (page) => page.$$eval("#rows tr", (trs) => trs.map((tr) => tr.textContent));
const statusIsError = async (page) =>
  /\berror\b/.test((await page.getAttribute("#status", "class")) ?? "");

/** Waits until #rows holds at least one row, every row satisfying `each`, and no error. */
async function rowsWhere(page, each = () => true, what = "rows") {
  return until(async () => {
    assert.equal(await statusIsError(page), false, `#status: ${await page.textContent("#status")}`);
    const rows = await rowTexts(page);
    assert.ok(rows.length > 0, `${what}: no row yet`);
    const bad = rows.filter((r) => !each(r));
    assert.equal(
      bad.length,
      0,
      `${what}: ${bad.length} of ${rows.length} rows do not match, e.g. ${bad[0]}`,
    );
    return rows;
  });
}

/** Opens the explorer (optionally at `path`), enters the query token and waits for rows. */
async function login(page, base, tokens, path = "/") {
  await page.goto(base + path);
  await page.fill("#token", tokens.query);
  await page.press("#token", "Enter");
  return rowsWhere(page);
}

/** Searches by typing `value` into the filter `name` and pressing Enter. */
async function search(page, name, value) {
  await page.fill(field(name), value);
  await page.press(field(name), "Enter");
}

const facetValue = (facet, value) =>
  `#facets [data-facet="${facet}"] button.facet-value[data-value="${value}"]`;

const bars = (page) =>
  page.$$eval("svg#histogram rect.bar", (rects) =>
    rects.map((r) => ({
      count: Number(r.dataset.count),
      start: Date.parse(r.dataset.start),
      end: Date.parse(r.dataset.end),
    })),
  );

/** A from/to value, UTC ISO (the contract), e.g. "2026-04-21T13:05:00Z" → ms. */
const utc = (value) => {
  assert.match(value, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, "a UTC ISO time");
  return Date.parse(value);
};

test("token: typing it and pressing Enter loads the Logs tab; kept in sessionStorage only", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await page.goto(`${base}/`);
  assert.equal(await page.getAttribute("#token", "type"), "password");
  await step("before the token");
  await page.fill("#token", tokens.query);
  await page.press("#token", "Enter");
  const rows = await rowsWhere(page);
  assert.ok(rows.length >= 10, `only ${rows.length} rows`);
  assert.equal(await page.getAttribute(tab("logs"), "aria-selected"), "true");
  const stored = await page.evaluate(() => ({
    session: sessionStorage.getItem("auditflare.token"),
    local: JSON.stringify({ ...localStorage }),
    cookie: document.cookie,
  }));
  assert.equal(stored.session, tokens.query);
  assert.ok(!stored.local.includes(tokens.query), "the token is not in localStorage");
  assert.ok(!stored.cookie.includes(tokens.query), "the token is not in a cookie");
  assert.ok(!page.url().includes(tokens.query), "the token is never in the URL");
  await step("logs loaded");
  await checkA11y(page, "logs tab");
});

test("token: the first click after Enter is not swallowed (leaving the field reloads nothing)", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await page.goto(`${base}/`);
  await page.fill("#token", tokens.query);
  await page.press("#token", "Enter");
  await rowsWhere(page);
  await page.waitForLoadState("networkidle");
  // The focus is still in #token: the click on a row blurs it first.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "token");
  const reloads = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (/^\/v1\/logs(\/histogram|\/facets)?$/.test(u.pathname)) reloads.push(u.pathname);
  });
  await page.click("#rows tr >> nth=0");
  await until(async () => assert.equal(await page.isVisible("#panel"), true, "#panel opens"));
  await page.waitForLoadState("networkidle");
  assert.deepEqual(reloads, [], "leaving the token field reloaded the tab");
  assert.equal(await page.isVisible("#panel"), true, "#panel stays open");
  await step("first click opened the row");
});

test("tabs: the six tabs exist and each opens", async ({ page, base, tokens, step }) => {
  await login(page, base, tokens);
  for (const name of TABS) {
    await page.click(tab(name));
    await until(async () =>
      assert.equal(await page.getAttribute(tab(name), "aria-selected"), "true"),
    );
    for (const other of TABS.filter((t) => t !== name)) {
      assert.notEqual(await page.getAttribute(tab(other), "aria-selected"), "true", other);
    }
    await page.waitForLoadState("networkidle");
    await step(`tab ${name}`);
    await checkA11y(page, `tab ${name}`);
  }
});

test("logs: the filter fields search on Enter", async ({ page, base, tokens, step }) => {
  await login(page, base, tokens);
  for (const [name, type] of [
    ["q", null],
    ["sourceID", null],
    ["eventName", null],
    ["actor", null],
    ["srcIP", null],
    ["from", "text"],
    ["to", "text"],
  ]) {
    assert.equal(await page.locator(field(name)).count(), 1, `#filters has a field ${name}`);
    if (type) assert.equal(await page.getAttribute(field(name), "type"), type, name);
  }
  assert.equal(await page.locator(`#filters select[name="sourceType"]`).count(), 1);

  await page.selectOption(field("sourceType"), "turbopuffer");
  await search(page, "actor", "grace@example.com");
  await rowsWhere(page, (r) => r.includes("grace@example.com") && !r.includes("circleci"), "actor");
  await step("turbopuffer and actor grace");

  await page.selectOption(field("sourceType"), "");
  await page.fill(field("actor"), "");
  await search(page, "srcIP", "9.9.9.9");
  await rowsWhere(page, (r) => r.includes("9.9.9.9"), "srcIP");
  await step("srcIP 9.9.9.9");

  await page.fill(field("srcIP"), "");
  await search(page, "eventName", "workflow.job.start");
  await rowsWhere(page, (r) => r.includes("workflow.job.start"), "eventName");
  await step("eventName");
});

test("logs: free text (q) finds events by a term only in their raw log", async ({
  page,
  base,
  tokens,
  seeded,
  step,
}) => {
  await login(page, base, tokens, "/?since=7d");
  // Scoped to turbopuffer: the Worker's audit events record the query, needle included.
  await page.selectOption(field("sourceType"), "turbopuffer");
  await search(page, "q", seeded.needle);
  const rows = await until(async () => {
    const r = await rowsWhere(page, (t) => t.includes("turbopuffer"), "q");
    assert.equal(r.length, seeded.needleCount, `rows for q=${seeded.needle}`);
    return r;
  });
  assert.equal(rows.length, seeded.needleCount);
  await page.click("#rows tr >> nth=0");
  await until(async () =>
    assert.match(await page.textContent("#panel-raw"), new RegExp(seeded.needle)),
  );
  await step("needle found");
});

test("histogram: one bar per time bucket; dragging across it zooms in", async ({
  page,
  base,
  tokens,
  seeded,
  step,
}) => {
  // A custom range around the seeded days, so that the bars fill the chart
  const around = new URLSearchParams({
    from: new Date(Date.parse(seeded.from) - 3_600_000).toISOString(),
    to: new Date(Date.parse(seeded.to) + 3_600_000).toISOString(),
  });
  await login(page, base, tokens, `/?${around}`);
  const before = await until(async () => {
    const b = await bars(page);
    assert.ok(b.filter((x) => x.count > 0).length >= 3, `${b.length} bars, want ≥ 3 non-empty`);
    return b;
  });
  for (const b of before) {
    assert.ok(Number.isInteger(b.count) && b.count >= 0, "data-count is a count");
    assert.ok(b.start < b.end, "data-start is before data-end (ISO)");
  }
  const sum = before.reduce((a, b) => a + b.count, 0);
  assert.ok(sum >= seeded.total, `bars count ${sum} events, seeded ${seeded.total}`);
  const span = [Math.min(...before.map((b) => b.start)), Math.max(...before.map((b) => b.end))];
  const rowsBefore = (await rowTexts(page)).length;
  await step("histogram");

  const box = await page.locator("svg#histogram").boundingBox();
  assert.ok(box && box.width > 100, "the histogram is visible");
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
  await page.mouse.up();

  const [from, to] = await until(async () => {
    const f = utc(await page.inputValue(field("from")));
    const t = utc(await page.inputValue(field("to")));
    assert.ok(Number.isFinite(f) && Number.isFinite(t), "from and to are set");
    return [f, t];
  });
  assert.ok(from < to, "from is before to");
  const slack = 2 * Math.max(...before.map((b) => b.end - b.start));
  assert.ok(from >= span[0] - slack && to <= span[1] + slack, "the range is within the histogram");
  assert.ok(to - from < (span[1] - span[0]) * 0.8, "the dragged range is narrower");
  await until(
    async () => {
      const after = await bars(page);
      const nonEmpty = after.filter((b) => b.count > 0);
      assert.ok(nonEmpty.length > 0, "bars after the zoom");
      const width = Math.max(...after.map((b) => b.end - b.start));
      for (const b of nonEmpty) {
        assert.ok(b.start >= from - width && b.end <= to + width, "bars cover the new range");
      }
      assert.ok(after.reduce((a, b) => a + b.count, 0) <= sum, "no more events than before");
      assert.ok((await rowTexts(page)).length <= rowsBefore, "no more rows than before");
    },
    { timeout: 30_000 },
  );
  assert.match(page.url(), /[?&]from=/);
  await step("zoomed");
});

test("facets: click includes a value, Alt+click excludes it, chips remove filters", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await login(page, base, tokens, "/?since=7d");
  await until(async () => {
    for (const f of FACETS) {
      assert.equal(await page.locator(`#facets [data-facet="${f}"]`).count(), 1, `facet ${f}`);
      assert.ok(
        (await page.locator(`#facets [data-facet="${f}"] button.facet-value`).count()) > 0,
        `facet ${f} has values`,
      );
    }
  });
  for (const v of ["turbopuffer", "circleci", "airkit"]) {
    const button = page.locator(facetValue("sourceType", v));
    assert.equal(await button.count(), 1, `sourceType facet value ${v}`);
    assert.match(await button.textContent(), /\d/, "a facet value shows its count");
  }
  assert.ok(
    (await page.locator(facetValue("srcASOrganization", "Google LLC")).count()) === 1,
    "enrichment fills srcASOrganization (8.8.8.8 → Google LLC)",
  );
  await step("facets");

  await page.click(facetValue("sourceType", "circleci"));
  await rowsWhere(page, (r) => r.includes("circleci"), "include circleci");
  assert.equal(await page.locator("#chips .chip").count(), 1);
  assert.match(page.url(), /[?&]sourceType=/);
  await step("include circleci");

  await page.click("#chips .chip button");
  await until(async () => {
    assert.equal(await page.locator("#chips .chip").count(), 0);
    assert.ok(
      (await rowTexts(page)).some((r) => !r.includes("circleci")),
      "filter removed",
    );
  });
  await step("chip removed");

  await page.click(facetValue("sourceType", "turbopuffer"), { modifiers: ["Alt"] });
  await rowsWhere(page, (r) => !r.includes("turbopuffer"), "exclude turbopuffer");
  await until(async () => assert.match(await page.textContent("#chips"), /turbopuffer/));
  await step("exclude turbopuffer");

  await page.click(facetValue("srcIP", "1.1.1.1"));
  await rowsWhere(
    page,
    (r) => r.includes("1.1.1.1") && !r.includes("turbopuffer"),
    "exclude turbopuffer, include 1.1.1.1",
  );
  assert.equal(await page.locator("#chips .chip").count(), 2);
  await step("two filters");
});

test("side panel: a row opens #panel with every column and the raw log; by-actor filters", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await login(page, base, tokens, "/?since=7d");
  await page.selectOption(field("sourceType"), "turbopuffer");
  await search(page, "srcIP", "8.8.8.8");
  await rowsWhere(page, (r) => r.includes("turbopuffer") && r.includes("8.8.8.8"));
  const row = page.locator("#rows tr").first();
  await row.click();
  const panel = page.locator("#panel");
  await until(async () => assert.ok(await panel.isVisible(), "#panel is visible"));
  const p = await panel.boundingBox();
  const table = await page.locator("#rows").boundingBox();
  const viewport = page.viewportSize();
  assert.ok(p.y < viewport.height, "the panel starts within the first screen");
  assert.ok(p.y < table.y + table.height, "the panel is beside the table, not below it");

  const raw = await page.textContent("#panel-raw");
  const parsed = JSON.parse(raw);
  assert.equal(typeof parsed, "object");
  assert.match(raw, /\n\s+"/, "the raw log is pretty-printed");
  assert.match(raw, /occurred_at/, "the raw log is the vendor's event");
  const text = (await panel.textContent()).toLowerCase().replace(/\s+/g, "");
  for (const column of ["eventtime", "eventname", "sourceid", "srcip", "srcasorganization"]) {
    assert.ok(text.includes(column), `the panel names the column ${column}`);
  }
  assert.ok(text.includes("8.8.8.8") && text.includes("googlellc"), "the panel shows the values");
  assert.equal(await page.locator("#panel a.by-actor").count(), 1);
  assert.equal(await page.locator("#panel a.by-ip").count(), 1);
  await step("panel open");
  await checkA11y(page, "logs tab with the panel open");

  await page.click("#panel-close");
  await until(async () => assert.equal(await panel.isVisible(), false, "#panel closed"));
  await row.focus();
  await page.keyboard.press("Enter");
  await until(async () => assert.ok(await panel.isVisible(), "Enter on a row opens #panel"));
  await step("panel opened by keyboard");

  await page.fill(field("srcIP"), "");
  await page.click("#panel a.by-actor");
  await until(async () => assert.notEqual(await page.inputValue(field("actor")), ""));
  assert.match(page.url(), /[?&]actor=/);
  await rowsWhere(page, (r) => r.includes("ada@example.com"), "by actor");
  await step("by actor");
});

test("URL: holds the filters, never the token; a reload restores them", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await login(page, base, tokens, "/?since=7d");
  await page.click(facetValue("sourceType", "circleci"));
  await until(() => assert.match(page.url(), /[?&]sourceType=circleci\b/));
  await search(page, "actor", "priya-raman");
  await until(() => assert.match(page.url(), /[?&]actor=priya-raman\b/));
  await rowsWhere(page, (r) => r.includes("circleci") && r.includes("priya-raman"));
  assert.ok(!page.url().includes(tokens.query), "the token is never in the URL");
  const url = page.url();
  await step("filtered");

  await page.reload();
  assert.equal(page.url(), url);
  await until(async () => assert.equal(await page.inputValue("#token"), tokens.query));
  await until(async () => {
    assert.equal(await page.inputValue(field("sourceType")), "circleci");
    assert.equal(await page.inputValue(field("actor")), "priya-raman");
  });
  await rowsWhere(page, (r) => r.includes("circleci") && r.includes("priya-raman"), "restored");
  await step("reloaded");
});

test(
  "wrong token: the Logs tab shows the 401",
  async ({ page, base, step }) => {
    await page.goto(`${base}/`);
    await page.fill("#token", "not-the-token");
    const sent = page.waitForRequest((r) => r.headers().authorization === "Bearer not-the-token");
    await page.press("#token", "Enter");
    await sent;
    await until(async () => {
      assert.equal(await statusIsError(page), true, "#status has the class error");
      assert.match(await page.textContent("#status"), /401|token/i);
    });
    await step("401 shown");
  },
  { allowHttpErrors: [401] },
);

test(
  "SQL tab: a SELECT shows a table; DELETE is refused and deletes nothing",
  async ({ page, base, tokens, seeded, count, step }) => {
    await login(page, base, tokens);
    await page.click(tab("sql"));
    await until(async () => {
      const schema = await page.textContent("#sql-schema");
      for (const view of ["logs", "planetscale_logs", "turbopuffer_audit_logs"]) {
        assert.match(schema, new RegExp(`\\b${view}\\b`), `#sql-schema names ${view}`);
      }
    });
    assert.ok((await page.locator("select#sql-examples option").count()) >= 1, "examples");
    await page.fill(
      "textarea#sql-query",
      "SELECT sourceType, count(*) AS n FROM logs GROUP BY sourceType ORDER BY n DESC",
    );
    await page.click("button#sql-run");
    const table = page.locator("table#sql-result");
    await until(async () => {
      const headers = (await table.locator("th").allTextContents()).map((h) => h.trim());
      assert.ok(headers.includes("n"), `headers ${headers}`);
      const rows = await table
        .locator("tr")
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())),
        );
      const cells = rows.filter((r) => r.length > 0);
      assert.ok(cells.length >= 1, "at least one result row");
      assert.ok(
        cells.some(
          (r) => r.includes("turbopuffer") && r.includes(String(seeded.bySource.turbopuffer)),
        ),
        `a row turbopuffer | ${seeded.bySource.turbopuffer}: ${JSON.stringify(cells)}`,
      );
    });
    await step("select");
    await checkA11y(page, "sql tab");

    const before = await count({ sourceType: "turbopuffer" });
    await page.fill("textarea#sql-query", "DELETE FROM logs");
    await page.click("button#sql-run");
    const error = page.locator("#sql-error");
    await until(async () => {
      assert.ok(await error.isVisible(), "#sql-error is shown");
      assert.match(await error.textContent(), /SELECT|read-only|read only/i);
    });
    assert.equal(await error.getAttribute("role"), "alert");
    assert.equal(await count({ sourceType: "turbopuffer" }), before, "nothing deleted");
    await step("delete refused");
  },
  { allowHttpErrors: true },
);

test(
  "SQL tab: a wrong token shows the 401 in #sql-error",
  async ({ page, base, step }) => {
    await page.goto(`${base}/`);
    await page.fill("#token", "not-the-token");
    await page.press("#token", "Enter");
    await page.click(tab("sql"));
    await page.fill("textarea#sql-query", "SELECT count(*) AS n FROM logs");
    const sent = page.waitForRequest((r) => r.headers().authorization === "Bearer not-the-token");
    await page.click("button#sql-run");
    await sent;
    await until(async () => assert.match(await page.textContent("#sql-error"), /401|token/i));
    await step("401 shown");
  },
  { allowHttpErrors: [401] },
);

test("Sources tab: a row per source with a health badge and a sparkline", async ({
  page,
  base,
  tokens,
  step,
}) => {
  await login(page, base, tokens);
  await page.click(tab("sources"));
  const rows = page.locator("#sources-table tr:has(.health)");
  const texts = await until(async () => {
    const t = await rows.allTextContents();
    for (const id of ["turbopuffer", "circleci", "airkit"]) {
      assert.ok(
        t.some((r) => r.includes(id)),
        `a row for ${id}`,
      );
    }
    return t;
  });
  for (let i = 0; i < texts.length; i++) {
    const health = (await rows.nth(i).locator(".health").textContent()).trim();
    assert.ok(["ok", "lagging", "failing", "idle"].includes(health), `health "${health}"`);
    assert.equal(await rows.nth(i).locator("svg.spark").count(), 1, `a sparkline in row ${i + 1}`);
  }
  await step("sources");
  await checkA11y(page, "sources tab");
});
