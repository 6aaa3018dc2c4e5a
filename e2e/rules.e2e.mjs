// The Rules tab's editor (issue 25, src/explorer/rules.ts) against its UI contract:
// - #rules-bar with button#rule-new (a template); a row of #rows2 opens #rule-editor;
// - #rule-editor: input#rule-id, textarea#rule-yaml, button#rule-save (PUT, admin),
//   button#rule-delete (runtime rules; confirm()), #rule-from/#rule-to (UTC ISO text;
//   default the last 24 h) and button#rule-backtest, textarea#rule-events and button#rule-test;
//   #rule-error[role=alert] (the API's status, code and message), #rule-status, #rule-warnings;
// - #rule-result: tables; a backtest's "matches per rule" rows tr[data-rule][data-count], a
//   test's rows tr[data-index][data-matched].
// The seeded data (e2e/seed.mjs): 180 turbopuffer events over two days, the newest a
// session-created 3 minutes ago.
import assert from "node:assert/strict";
import { checkA11y } from "./axe.mjs";
import { test, until } from "./harness.mjs";

const ID = "e2e-turbopuffer-session-created";
const RULE = `title: e2e turbopuffer session created
id: ${ID}
status: experimental
logsource:
  product: turbopuffer
detection:
  selection:
    eventName: session-created
  condition: selection
dedup:
  - srcIP
level: low
`;

/** Opens the explorer with `token`, then the Rules tab; waits for its rows. */
async function rulesTab(page, base, token) {
  await page.goto(`${base}/?tab=rules`);
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  await until(async () => {
    assert.ok((await page.$$("#rows2 tr")).length > 0, "no rule row yet");
    assert.equal(await page.isVisible("#rule-new"), true);
  });
}
const ruleRows = (page) => page.$$eval("#rows2 tr", (trs) => trs.map((tr) => tr.textContent));
const ruleError = (page) => page.textContent("#rule-error");

test("rules editor: create a rule (admin), see it listed, test, backtest, delete", async ({
  page,
  base,
  tokens,
  step,
  api,
  count,
}) => {
  await rulesTab(page, base, tokens.admin);
  await page.click("#rule-new");
  assert.match(await page.inputValue("#rule-yaml"), /^title: New rule/);
  assert.ok(await page.inputValue("#rule-from"), "backtest From has a default");
  await page.fill("#rule-yaml", RULE);
  await page.click("#rule-save");
  await until(async () => {
    assert.equal(await ruleError(page), "");
    assert.match(await page.textContent("#rule-status"), new RegExp(`Saved ${ID} \\(created\\)`));
    assert.equal(await page.inputValue("#rule-id"), ID, "the id is taken from the YAML");
    const row = (await ruleRows(page)).find((r) => r.startsWith(ID));
    assert.ok(row, "the new rule is listed");
    assert.match(row, /runtime/);
  });
  await step("saved");

  // Backtest over the default range (the last 24 h): the count of matching stored events.
  await page.click("#rule-backtest");
  const matched = await until(async () => {
    assert.equal(await ruleError(page), "");
    const n = await page.getAttribute(`#rule-result tr[data-rule="${ID}"]`, "data-count");
    assert.ok(n !== null, "no match count yet");
    return Number(n);
  });
  // #rule-from/#rule-to hold UTC ISO text ending in Z (issue 30: the shared time helper)
  const from = new Date(await page.inputValue("#rule-from")).toISOString();
  const to = new Date(await page.inputValue("#rule-to")).toISOString();
  const expected = await count({
    sourceType: "turbopuffer",
    eventName: "session-created",
    from,
    to,
  });
  assert.ok(expected > 0, "seeded session-created events in the last 24 h");
  assert.equal(matched, expected, "backtest matches = the stored session-created events");
  assert.match(await page.textContent("#rule-status"), /events scanned/);
  const sample = await page.$$eval("#rule-result table:last-of-type tbody tr", (trs) =>
    trs.map((tr) => tr.textContent),
  );
  assert.ok(sample.length > 0 && sample.every((r) => r.includes("session-created")), "sample rows");
  await step("backtest");

  // Test on pasted events: one that matches and one that does not.
  const yes = (await api("/v1/logs?sourceType=turbopuffer&eventName=session-created&limit=1"))
    .data[0];
  const no = (await api("/v1/logs?sourceType=turbopuffer&eventName=session-revoked&limit=1"))
    .data[0];
  await page.click("#rule-editor summary");
  await page.fill("#rule-events", JSON.stringify([yes, no]));
  await page.click("#rule-test");
  await until(async () => {
    assert.equal(await ruleError(page), "");
    assert.equal(
      await page.getAttribute('#rule-result tr[data-index="0"]', "data-matched"),
      "true",
    );
    assert.equal(
      await page.getAttribute('#rule-result tr[data-index="1"]', "data-matched"),
      "false",
    );
    assert.match(await page.textContent("#rule-status"), /1 of 2 events matched/);
  });
  await step("test on pasted events");
  await checkA11y(page, "rules editor");

  page.once("dialog", (d) => d.accept());
  await page.click("#rule-delete");
  await until(async () => {
    assert.equal(
      (await ruleRows(page)).some((r) => r.startsWith(ID)),
      false,
      "deleted",
    );
    assert.equal(await page.isVisible("#rule-editor"), false);
  });
  await step("deleted");
});

test(
  "rules editor: the query token cannot save (403 shown); a bad rule shows the 400",
  async ({ page, base, tokens, step }) => {
    await rulesTab(page, base, tokens.query);
    await page.click("#rows2 tr:first-child");
    await until(async () => assert.match(await page.inputValue("#rule-yaml"), /detection:/));
    assert.equal(await page.isVisible("#rule-editor"), true);
    await page.click("#rule-save");
    await until(async () => assert.match(await ruleError(page), /^403 /));
    await step("403 shown");

    // The admin token (the editor stays open); a rule without a condition is refused.
    await page.fill("#token", tokens.admin);
    await page.press("#token", "Enter");
    await page.click("#rule-new");
    await page.fill("#rule-id", "e2e-bad-rule");
    await page.fill(
      "#rule-yaml",
      "title: bad\nid: e2e-bad-rule\nlogsource:\n  product: turbopuffer\ndetection:\n  selection:\n    eventName: x\n",
    );
    await page.click("#rule-save");
    await until(async () => assert.match(await ruleError(page), /^400 \w+: .*condition/i));
    assert.equal(
      (await ruleRows(page)).some((r) => r.startsWith("e2e-bad-rule")),
      false,
    );
    // Not YAML at all: the same element says so.
    await page.fill("#rule-yaml", "title: [unclosed");
    await page.click("#rule-backtest");
    await until(async () => assert.match(await ruleError(page), /^400 /));
    await step("400 shown");
    await checkA11y(page, "rules editor with an error");
  },
  { allowHttpErrors: [400, 403] },
);

const TOGGLE_ID = "e2e-toggle-invitations";
const TOGGLE_ACTOR = "e2e-toggle-actor";
const TOGGLE_RULE = `title: e2e invitation by the toggle actor
id: ${TOGGLE_ID}
status: experimental
logsource:
  product: turbopuffer
detection:
  selection:
    eventName: invitation-created
    actorId: ${TOGGLE_ACTOR}
  condition: selection
dedup:
  - sessionId
level: low
`;

test("rules editor: the Enabled checkbox disables a rule (a matching event raises no alert) and enables it again", async ({
  page,
  base,
  tokens,
  step,
  api,
}) => {
  const admin = (path, init = {}) =>
    fetch(base + path, {
      ...init,
      headers: { authorization: `Bearer ${tokens.admin}`, ...init.headers },
    });
  const put = await admin(`/v1/rules/${TOGGLE_ID}`, {
    method: "PUT",
    headers: { "content-type": "application/yaml" },
    body: TOGGLE_RULE,
  });
  assert.equal(put.status, 201);
  let n = 0;
  /** Pushes a new invitation by the toggle actor; the number of alerts of the rule after it. */
  const invite = async () => {
    n++;
    const event = {
      action: "invitation-created",
      occurred_at: new Date(Date.now() - 60_000 + n).toISOString(),
      actor: { type: "user", id: TOGGLE_ACTOR, name: "toggle@example.com" },
      targets: [{ type: "invitation", id: `inv_e2e_toggle_${n}`, name: `guest${n}@example.com` }],
      context: { location: "203.0.113.7" },
      metadata: { session_id: `sess_e2e_toggle_${n}` },
    };
    const res = await fetch(`${base}/v1/ingest/turbopuffer`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.ingest}`, "content-type": "application/json" },
      body: JSON.stringify(event),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).inserted, 1, "the event is stored");
    return (await api(`/v1/alerts?ruleId=${TOGGLE_ID}`)).data.length;
  };
  const row = async () => (await ruleRows(page)).find((r) => r.startsWith(TOGGLE_ID)) ?? "";
  try {
    await rulesTab(page, base, tokens.admin);
    assert.match(await row(), /runtime\s*yes/, "listed as enabled");
    await page.click(`#rows2 tr:has-text("${TOGGLE_ID}")`);
    await until(async () => {
      assert.match(await page.inputValue("#rule-yaml"), new RegExp(`id: ${TOGGLE_ID}`));
      assert.equal(await page.isVisible("#rule-enabled"), true);
      assert.equal(await page.isChecked("#rule-enabled"), true);
    });
    // By keyboard: the checkbox has focus, Space toggles it.
    await page.focus("#rule-enabled");
    await page.keyboard.press("Space");
    await until(async () => {
      assert.equal(await ruleError(page), "");
      assert.match(await page.textContent("#rule-status"), new RegExp(`Disabled ${TOGGLE_ID}`));
      assert.equal(await page.isChecked("#rule-enabled"), false);
      assert.match(await row(), /runtime\s*no/, "listed as disabled");
    });
    assert.equal((await api(`/v1/rules/${TOGGLE_ID}`)).enabled, false);
    await step("disabled");
    await checkA11y(page, "rules editor with a disabled rule");
    assert.equal(await invite(), 0, "a disabled rule raises no alert");

    await page.click("#rule-enabled-label");
    await until(async () => {
      assert.equal(await ruleError(page), "");
      assert.match(await page.textContent("#rule-status"), new RegExp(`Enabled ${TOGGLE_ID}`));
      assert.equal(await page.isChecked("#rule-enabled"), true);
      assert.match(await row(), /runtime\s*yes/);
    });
    assert.equal(await invite(), 1, "enabled again, the next matching event raises an alert");
    await step("enabled again");
  } finally {
    await admin(`/v1/rules/${TOGGLE_ID}`, { method: "DELETE" });
  }
});

test(
  "rules editor: the query token cannot disable a rule (403 shown, the checkbox stays checked)",
  async ({ page, base, tokens, api }) => {
    await rulesTab(page, base, tokens.query);
    await page.click("#rows2 tr:first-child");
    await until(async () => assert.equal(await page.isChecked("#rule-enabled"), true));
    const id = await page.inputValue("#rule-id");
    await page.click("#rule-enabled");
    await until(async () => assert.match(await ruleError(page), /^403 /));
    assert.equal(await page.isChecked("#rule-enabled"), true);
    assert.equal((await api(`/v1/rules/${id}`)).enabled, true);
  },
  { allowHttpErrors: [403] },
);
