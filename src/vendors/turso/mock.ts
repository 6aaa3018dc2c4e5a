import { MOCK_IPS, type VendorMock } from "../mock";

/** Turso: GET /turso/v1/organizations/:org/audit-logs?page&page_size. */
const TOKEN = "dev-turso-token";
const CODES = [
  "db-create",
  "db-token-create",
  "group-create",
  "org-member-add",
  "user-token-create",
];

let seq = 0;
const events: Array<Record<string, unknown>> = []; // newest first

export const mock: VendorMock = {
  prefix: "/turso/v1",
  token: TOKEN,
  add(t) {
    events.unshift({
      code: CODES[seq++ % CODES.length],
      message: "",
      origin: seq % 2 ? "cli" : "web",
      author: "marta-k",
      created_at: new Date(Math.floor(t / 1000) * 1000).toISOString().replace(".000Z", "Z"),
      data: { name: `tenant-${seq}`, group: "default" },
      ...(seq % 3 === 0
        ? {}
        : {
            ip: MOCK_IPS[seq % MOCK_IPS.length],
            city: "Lisbon",
            country_code: "PT",
            latitude: "38.7223",
            longitude: "-9.1393",
          }),
    });
  },
  handle(path, params, authorization) {
    if (!/^\/organizations\/[^/]+\/audit-logs$/.test(path)) return null;
    if (authorization !== `Bearer ${TOKEN}`)
      return { status: 401, body: { error: "invalid token" } };
    const page = Math.max(1, Number(params.get("page") ?? 1));
    const size = Math.min(1000, Number(params.get("page_size") ?? 100));
    return {
      status: 200,
      body: {
        audit_logs: events.slice((page - 1) * size, page * size),
        pagination: {
          page,
          page_size: size,
          total_pages: Math.ceil(events.length / size),
          total_rows: events.length,
        },
      },
    };
  },
};
