import { MOCK_IPS, type VendorMock } from "../mock";

/** PlanetScale: GET /planetscale/v1/organizations/:org/audit-log?limit&starting_after. */
const TOKEN = "dev-ps-id:dev-ps-secret";
const ACTIONS = [
  ["database.created", "created", "Database"],
  ["branch.created", "created", "DatabaseBranch"],
  ["deploy_request.queued", "queued", "DeployRequest"],
  ["service_token.granted_access", "granted_access", "ServiceToken"],
  ["organization.updated_role", "updated_role", "Organization"],
] as const;

let seq = 0;
const id12 = () => (seq++).toString(36).padStart(12, "0");
const events: Array<Record<string, unknown> & { id: string }> = []; // newest first

export const mock: VendorMock = {
  prefix: "/planetscale/v1",
  token: TOKEN,
  add(t) {
    const [audit_action, action, type] = ACTIONS[seq % ACTIONS.length] as (typeof ACTIONS)[number];
    events.unshift({
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
      remote_ip: MOCK_IPS[seq % MOCK_IPS.length],
      metadata: seq % 4 === 0 ? null : { from: "main", into: `feature-${seq}` },
      created_at: new Date(t).toISOString(),
      updated_at: new Date(t).toISOString(),
    });
  },
  handle(path, params, authorization) {
    if (!/^\/organizations\/[^/]+\/audit-log$/.test(path)) return null;
    if (authorization !== TOKEN)
      return { status: 401, body: { code: "unauthorized", message: "invalid service token" } };
    const limit = Math.min(100, Number(params.get("limit") ?? 25));
    const after = params.get("starting_after");
    const startAt = after ? events.findIndex((e) => e.id === after) + 1 : 0;
    const data = events.slice(startAt, startAt + limit);
    return {
      status: 200,
      body: {
        type: "list",
        has_next: startAt + limit < events.length,
        has_prev: startAt > 0,
        cursor_start: data[0]?.id ?? null,
        cursor_end: data.at(-1)?.id ?? null,
        data,
      },
    };
  },
};
