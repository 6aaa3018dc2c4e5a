#!/usr/bin/env node
// A local stand-in for the PlanetScale and Turso audit-log APIs, so `npm start` polls real-shaped
// data with no vendor account. Serves a few hundred generated events, newest first, with each
// vendor's real paging, checks the dev tokens, and adds a new event every 20 seconds.
//   PlanetScale: GET /planetscale/v1/organizations/:org/audit-log?limit&starting_after
//                Authorization: dev-ps-id:dev-ps-secret
//   Turso:       GET /turso/v1/organizations/:org/audit-logs?page&page_size
//                Authorization: Bearer dev-turso-token
import { createServer } from "node:http";

const port = Number(process.env.MOCK_VENDORS_PORT ?? 8788);
const PS_TOKEN = "dev-ps-id:dev-ps-secret";
const TURSO_TOKEN = "dev-turso-token";
const PS_ACTIONS = [
  ["database.created", "created", "Database"],
  ["branch.created", "created", "DatabaseBranch"],
  ["deploy_request.queued", "queued", "DeployRequest"],
  ["service_token.granted_access", "granted_access", "ServiceToken"],
  ["organization.updated_role", "updated_role", "Organization"],
];
const TURSO_CODES = [
  "db-create",
  "db-token-create",
  "group-create",
  "org-member-add",
  "user-token-create",
];
const IPS = ["8.8.8.8", "1.1.1.1", "192.0.2.140", "203.0.113.7", "2606:4700:4700::1111"];

let seq = 0;
const id12 = () => (seq++).toString(36).padStart(12, "0");
const psEvents = []; // newest first
const tursoEvents = [];

function addPs(t) {
  const [audit_action, action, type] = PS_ACTIONS[seq % PS_ACTIONS.length];
  psEvents.unshift({
    id: id12(),
    type: "AuditLogEvent",
    actor_id: "f2h6n0c4xv7m",
    actor_type: seq % 7 === 0 ? "ServiceToken" : "User",
    actor_display_name: seq % 7 === 0 ? "ci-deployer" : "Tomás Alvarez",
    auditable_id: "d4t4b4s3x1y2",
    auditable_type: type,
    auditable_display_name: "orders",
    audit_action,
    action,
    target_id: id12(),
    target_type: type,
    target_display_name: `target-${seq}`,
    location: seq % 3 === 0 ? null : "Chicago, IL",
    remote_ip: IPS[seq % IPS.length],
    metadata: seq % 4 === 0 ? null : { from: "main", into: `feature-${seq}` },
    created_at: new Date(t).toISOString(),
    updated_at: new Date(t).toISOString(),
  });
}

function addTurso(t) {
  tursoEvents.unshift({
    code: TURSO_CODES[seq++ % TURSO_CODES.length],
    message: "",
    origin: seq % 2 ? "cli" : "web",
    author: "marta-k",
    created_at: new Date(Math.floor(t / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    data: { name: `tenant-${seq}`, group: "default" },
    ...(seq % 3 === 0
      ? {}
      : {
          ip: IPS[seq % IPS.length],
          city: "Lisbon",
          country_code: "PT",
          latitude: "38.7223",
          longitude: "-9.1393",
        }),
  });
}

const start = Date.now();
for (let i = 300; i > 0; i--) addPs(start - i * 47_000);
for (let i = 300; i > 0; i--) addTurso(start - i * 31_000);
setInterval(() => {
  addPs(Date.now());
  addTurso(Date.now());
}, 20_000).unref();

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
  const ps = /^\/planetscale\/v1\/organizations\/[^/]+\/audit-log$/.exec(url.pathname);
  const turso = /^\/turso\/v1\/organizations\/[^/]+\/audit-logs$/.exec(url.pathname);
  if (ps) {
    if (req.headers.authorization !== PS_TOKEN)
      return send(res, 401, { code: "unauthorized", message: "invalid service token" });
    const limit = Math.min(100, Number(url.searchParams.get("limit") ?? 25));
    const after = url.searchParams.get("starting_after");
    const startAt = after ? psEvents.findIndex((e) => e.id === after) + 1 : 0;
    const data = psEvents.slice(startAt, startAt + limit);
    return send(res, 200, {
      type: "list",
      has_next: startAt + limit < psEvents.length,
      has_prev: startAt > 0,
      cursor_start: data[0]?.id ?? null,
      cursor_end: data.at(-1)?.id ?? null,
      data,
    });
  }
  if (turso) {
    if (req.headers.authorization !== `Bearer ${TURSO_TOKEN}`)
      return send(res, 401, { error: "invalid token" });
    const page = Math.max(1, Number(url.searchParams.get("page") ?? 1));
    const size = Math.min(1000, Number(url.searchParams.get("page_size") ?? 100));
    return send(res, 200, {
      audit_logs: tursoEvents.slice((page - 1) * size, page * size),
      pagination: {
        page,
        page_size: size,
        total_pages: Math.ceil(tursoEvents.length / size),
        total_rows: tursoEvents.length,
      },
    });
  }
  send(res, 404, { code: "not_found", message: `no mock for ${url.pathname}` });
});

server.listen(port, "127.0.0.1", () =>
  console.log(`[mock-vendors] PlanetScale and Turso mocks on http://127.0.0.1:${port}`),
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
