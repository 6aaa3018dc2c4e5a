// Seeds the e2e Worker through its public API, as vendors and operators would:
// - turbopuffer events pushed to POST /v1/ingest/turbopuffer (JSON arrays and gzipped NDJSON);
// - a CircleCI NDJSON export and an Airkit CSV export uploaded with POST /v1/sources/<id>/files
//   (admin token; EMIT_LOCAL_NOTIFICATIONS=true makes the route enqueue the file for the consumer).
// Shapes follow src/vendors/*/fixtures. Times are spread over ten active
// hours of the last two days; several actors and public IPs. Resolves when GET /v1/logs returns
// every seeded event (per sourceID: the Worker also audits itself as the source "auditflare").
import { gzipSync } from "node:zlib";

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same shapes. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
/** Hours ago at which someone was active: at least ten histogram bars over two days. */
const ACTIVE_HOURS = [1, 3, 5, 8, 13, 19, 25, 30, 37, 44];

function uuid(rand) {
  const h = () => Math.floor(rand() * 16).toString(16);
  const s = Array.from({ length: 32 }, h).join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20)}`;
}

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

/** Distinct instants (whole seconds, newest first excluded) within the active hours. */
function times(rand, n, now, used) {
  const out = [];
  while (out.length < n) {
    const hour = pick(rand, ACTIVE_HOURS);
    const t = Math.floor((now - hour * HOUR - rand() * 50 * 60_000) / 1000) * 1000;
    if (used.has(t)) continue;
    used.add(t);
    out.push(t);
  }
  return out.sort((a, b) => a - b);
}

const isoSeconds = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A term found only in the raw logs of a few turbopuffer events (free-text search). */
export const NEEDLE = "e2e-needle-key";

export const PEOPLE = {
  turbopuffer: [
    { id: "V1StGXR8_Z5jdHi6B-myTq", name: "ada@example.com", ip: "8.8.8.8" },
    { id: "Hq8ZrT2mW5xN0kLp3VyC7", name: "grace@example.com", ip: "1.1.1.1" },
    { id: "Lx4pQ9vT2nM8kR6wS1yB0", name: "linus@example.com", ip: "9.9.9.9" },
    { id: "Mh7cE2aF5gJ8kN1pR4tW6", name: "margaret@example.com", ip: "208.67.222.222" },
  ],
  circleci: [
    { id: "a1d4c7e2-8b3f-4a90-9e61-2f5b7c0d3e18", name: "priya-raman", ip: "1.1.1.1" },
    { id: "b2e5d8f1-4a7c-4b0e-8d3f-6a9c2e5b8d11", name: "jonas-berg", ip: "9.9.9.9" },
    { id: "c3f6e9a2-5b8d-4c1f-9e4a-7b0d3f6c9e22", name: "mei-chen", ip: "8.8.4.4" },
  ],
  airkit: [
    { id: "7c9e6679-7425-40de-944b-e07fc1f90ae7", email: "priya.raman@example.com" },
    { id: "9b2d4f6a-8c0e-4a2c-b4d6-f8a0c2e4a6b8", email: "jonas.berg@example.com" },
  ],
};

function turbopufferEvents(rand, now, used) {
  const actions = [
    "session-created",
    "session-created",
    "session-revoked",
    "api-key-created",
    "api-key-marked-as-expired",
    "invitation-created",
    "invitation-accepted",
    "user-removed",
  ];
  const events = times(rand, 179, now, used).map((t, i) => {
    const who = pick(rand, PEOPLE.turbopuffer);
    // A few API keys carry the needle of the free-text search test.
    const action = i % 60 === 7 ? "api-key-created" : pick(rand, actions);
    const session = `sess_${uuid(rand).replaceAll("-", "").slice(0, 21)}`;
    // Mostly from their usual address, sometimes from another one.
    const ip = rand() < 0.8 ? who.ip : pick(rand, ["8.8.8.8", "1.1.1.1", "9.9.9.9"]);
    let target;
    if (action.startsWith("session")) target = { type: "session", id: session, name: session };
    else if (action.startsWith("api-key")) {
      const name = i % 60 === 7 ? NEEDLE : pick(rand, ["production", "staging", "ci", "backfill"]);
      target = { type: "api-key", id: `${uuid(rand).slice(0, 22)}/${name}`, name };
    } else if (action.startsWith("invitation"))
      target = {
        type: "invitation",
        id: `inv_${uuid(rand).slice(0, 18)}`,
        name: "new@example.com",
      };
    else {
      const other = pick(rand, PEOPLE.turbopuffer);
      target = { type: "user", id: other.id, name: other.name };
    }
    const event = {
      action,
      occurred_at: isoSeconds(t),
      actor: { type: "user", id: who.id, name: who.name },
      targets: [target],
      context: { location: ip },
      metadata: { session_id: session },
    };
    if (i % 45 === 11) {
      event.metadata.impersonator = "support@turbopuffer.com";
      event.metadata.impersonation_reason = "ticket 4711";
    }
    return event;
  });
  // The newest event of all: a known row at the top of the default (newest first) view.
  events.push({
    action: "session-created",
    occurred_at: isoSeconds(now - 3 * 60_000),
    actor: { type: "user", id: PEOPLE.turbopuffer[0].id, name: PEOPLE.turbopuffer[0].name },
    targets: [{ type: "session", id: "sess_e2eNewest000000000", name: "sess_e2eNewest000000000" }],
    context: { location: "8.8.8.8" },
    metadata: { session_id: "sess_e2eNewest000000000" },
  });
  return events;
}

function circleciEvents(rand, now, used) {
  const actions = [
    ["context.env_var.store", "context", "aws-prod"],
    ["workflow.job.start", "job", "deploy-production"],
    ["workflow.job.approve", "job", "hold-production"],
    ["project.env_var.create", "project", "orders-api"],
    ["project.settings.update", "project", "orders-api"],
    ["project.ssh_key.create", "project", "billing-web"],
  ];
  const org = { id: "6f2c0c4e-9b1a-4f55-8d7e-3a0b2e9c1d44", name: "acme" };
  return times(rand, 70, now, used).map((t) => {
    const who = pick(rand, PEOPLE.circleci);
    const [action, targetType, targetName] = pick(rand, actions);
    const success = rand() > 0.1;
    const when = new Date(t).toISOString();
    return {
      id: uuid(rand),
      version: 1,
      action,
      actor: { id: who.id, type: "user", name: who.name },
      target: { id: uuid(rand), type: targetType, name: targetName },
      scope: { id: org.id, type: "account", name: org.name },
      organization: { id: org.id, type: "organization", name: org.name },
      account: { id: org.id, type: "account", name: org.name },
      payload: { project_name: "orders-api" },
      occurred_at: when,
      metadata: { source: "web-ui" },
      success,
      request: { id: uuid(rand), ip_address: who.ip },
      common_fields: {
        outcome: success ? "success" : "failure",
        source_ip: who.ip,
        status: "info",
        timestamp: when,
      },
    };
  });
}

const AIRKIT_HEADER =
  "ORGANIZATION_ID,EVENT_ID,EVENT_YEAR,EVENT_MONTH,EVENT_DATE,EVENT_TIME,ROOT_SCOPE_USER_ID,USER_ID,EMAIL,APP_ID,BRANCH_ID,DEPLOY_ID,SAVEPOINT_ID,SAVEPOINT_REVISION,RESOURCE_TYPE,RESOURCE_ID,DOMAIN,DATASTORE_ID,API_KEY_ID,NOTIFIER_ID,SAML_ID,WEBHOOK_ID,ADAPTER_ID,EMBED_ID,ROLE_ID,SERVICE,SERVICE_REVISION,LOGIN_TYPE,EVENT_TYPE";

function airkitCsv(rand, now, used) {
  const columns = AIRKIT_HEADER.split(",");
  const rows = times(rand, 50, now, used).map((t) => {
    const who = pick(rand, PEOPLE.airkit);
    const type = pick(rand, ["user_login", "user_login", "new_api_key", "app_deployed"]);
    const iso = new Date(t).toISOString();
    const row = Object.fromEntries(columns.map((c) => [c, ""]));
    Object.assign(row, {
      ORGANIZATION_ID: "2b7d4e91-5c3a-4f08-9e6b-1a2c3d4e5f60",
      EVENT_ID: uuid(rand),
      EVENT_YEAR: iso.slice(0, 4),
      EVENT_MONTH: `${iso.slice(0, 7)}-01`,
      EVENT_DATE: iso.slice(0, 10),
      EVENT_TIME: iso.slice(0, 23).replace("T", " "),
      USER_ID: who.id,
      EMAIL: who.email,
      EVENT_TYPE: type,
    });
    if (type === "user_login") row.LOGIN_TYPE = "SAML";
    if (type === "new_api_key") row.API_KEY_ID = uuid(rand);
    if (type === "app_deployed") {
      row.APP_ID = uuid(rand);
      row.DEPLOY_ID = uuid(rand);
      row.SAVEPOINT_REVISION = String(1 + Math.floor(rand() * 90));
    }
    return columns.map((c) => row[c]).join(",");
  });
  return { csv: `${[AIRKIT_HEADER, ...rows].join("\n")}\n`, count: rows.length };
}

async function call(base, path, init, expected) {
  const res = await fetch(base + path, init);
  const text = await res.text();
  if (res.status !== expected) {
    throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status} ${text.slice(0, 500)}`);
  }
  return JSON.parse(text);
}

/** How many rows GET /v1/logs returns for these parameters (follows the cursor). */
export async function countLogs(base, token, params = {}) {
  let n = 0;
  let cursor = null;
  do {
    const q = new URLSearchParams({ ...params, limit: "1000" });
    if (cursor) q.set("cursor", cursor);
    const body = await call(
      base,
      `/v1/logs?${q}`,
      { headers: { authorization: `Bearer ${token}` } },
      200,
    );
    n += body.data.length;
    cursor = body.nextCursor;
  } while (cursor);
  return n;
}

/** Rows per sourceID that GET /v1/logs returns (follows the cursor). */
export async function countBySource(base, token) {
  const by = {};
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: "1000" });
    if (cursor) q.set("cursor", cursor);
    const body = await call(
      base,
      `/v1/logs?${q}`,
      { headers: { authorization: `Bearer ${token}` } },
      200,
    );
    for (const row of body.data) by[row.sourceID] = (by[row.sourceID] ?? 0) + 1;
    cursor = body.nextCursor;
  } while (cursor);
  return by;
}

/**
 * Seeds the Worker at `base`. Returns { total, bySource, from, to, needle, people }: what the
 * tests may rely on (from/to: the oldest and newest event time).
 */
export async function seed(base, tokens, { log = (m) => console.log(`[seed] ${m}`) } = {}) {
  const t0 = Date.now();
  const rand = rng(20260421);
  const now = Date.now();
  const used = new Set();
  const push = turbopufferEvents(rand, now, used);
  const circle = circleciEvents(rand, now, used);
  const airkit = airkitCsv(rand, now, used);

  // turbopuffer: two JSON arrays and one gzipped NDJSON body.
  const ingest = (body, headers) =>
    call(
      base,
      "/v1/ingest/turbopuffer",
      { method: "POST", headers: { authorization: `Bearer ${tokens.ingest}`, ...headers }, body },
      200,
    );
  const third = Math.ceil(push.length / 3);
  let inserted = 0;
  for (const part of [push.slice(0, third), push.slice(third, 2 * third)]) {
    const r = await ingest(JSON.stringify(part), { "content-type": "application/json" });
    inserted += r.inserted;
  }
  const ndjson = push
    .slice(2 * third)
    .map((e) => JSON.stringify(e))
    .join("\n");
  const r = await ingest(gzipSync(ndjson), {
    "content-type": "application/x-ndjson",
    "content-encoding": "gzip",
  });
  inserted += r.inserted;
  if (inserted !== push.length) {
    throw new Error(`turbopuffer push inserted ${inserted} of ${push.length} events`);
  }

  // CircleCI and Airkit: files uploaded by an operator (admin token), consumed via the queue.
  const upload = (id, name, type, body) =>
    call(
      base,
      `/v1/sources/${id}/files?name=${name}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.admin}`, "content-type": type },
        body,
      },
      202,
    );
  await upload(
    "circleci",
    "e2e-circleci.ndjson",
    "application/x-ndjson",
    `${circle.map((e) => JSON.stringify(e)).join("\n")}\n`,
  );
  await upload("airkit", "e2e-airkit.csv", "text/csv", airkit.csv);

  const bySource = { turbopuffer: push.length, circleci: circle.length, airkit: airkit.count };
  // One query a poll (each query is itself audited as an event of the source "auditflare").
  const deadline = Date.now() + 60_000;
  for (;;) {
    const have = await countBySource(base, tokens.query);
    if (Object.keys(bySource).every((id) => have[id] === bySource[id])) break;
    if (Date.now() > deadline) {
      const quarantine = await fetch(`${base}/v1/quarantine`, {
        headers: { authorization: `Bearer ${tokens.query}` },
      }).then((x) => x.text());
      throw new Error(
        `seeded events not all queryable after 60 s: want ${JSON.stringify(bySource)}, have ${JSON.stringify(have)}; quarantine: ${quarantine.slice(0, 1000)}`,
      );
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
  const all = [...used].sort((a, b) => a - b);
  const total = Object.values(bySource).reduce((a, b) => a + b, 0);
  log(`${total} events queryable (${JSON.stringify(bySource)}) in ${Date.now() - t0} ms`);
  return {
    total,
    bySource,
    from: new Date(all[0]).toISOString(),
    to: new Date(now - 3 * 60_000).toISOString(),
    needle: NEEDLE,
    needleCount: push.filter((e) => e.targets[0].name === NEEDLE).length,
    people: PEOPLE,
  };
}
