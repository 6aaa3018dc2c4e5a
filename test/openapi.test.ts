// GET /v1/openapi.json: what generated clients rely on (redocly lint checks the rest, in
// `npm run lint`).
import { describe, expect, it } from "vitest";
import { call } from "./helpers";

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  responses: Record<string, unknown>;
  requestBody?: { content: Record<string, unknown> };
  parameters?: Array<{ in: string; name: string }>;
};
type Doc = {
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
};

const doc = async () => (await (await call("/v1/openapi.json")).json()) as Doc;
const operations = (d: Doc) =>
  Object.entries(d.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ where: `${method} ${path}`, op })),
  );

describe("GET /v1/openapi.json", () => {
  it("names, tags and secures every operation", async () => {
    const d = await doc();
    const declared = new Set((d.tags ?? []).map((t) => t.name));
    expect(d.tags?.every((t) => t.description)).toBe(true);
    expect(d.servers?.length).toBeGreaterThan(0);
    const ids = new Set<string>();
    for (const { where, op } of operations(d)) {
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(ids.has(op.operationId as string), `${where}: duplicate operationId`).toBe(false);
      ids.add(op.operationId as string);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      for (const t of op.tags ?? []) expect(declared.has(t), `${where}: tag ${t}`).toBe(true);
      // Every operation is authenticated (a token, or a vendor's signature): each documents 401.
      expect(op.security, where).toBeDefined();
      expect(Object.keys(op.responses), where).toContain("401");
      for (const req of op.security ?? [])
        for (const name of Object.keys(req))
          expect(d.components.securitySchemes[name], `${where}: scheme ${name}`).toBeDefined();
    }
    expect([...ids].sort()).toEqual(
      expect.arrayContaining([
        "azureEventGrid",
        "azureWebhookHandshake",
        "gcsPush",
        "getLog",
        "listLogs",
        "listQuarantine",
        "listSources",
        "pushEvents",
        "replayQuarantineEntry",
        "snsNotification",
        "uploadFile",
      ]),
    );
  });

  it("documents the push body: JSON, NDJSON and gzip", async () => {
    const push = (await doc()).paths["/v1/ingest/{sourceId}"]?.post;
    expect(Object.keys(push?.requestBody?.content ?? {}).sort()).toEqual([
      "application/gzip",
      "application/json",
      "application/x-ndjson",
    ]);
    expect(push?.parameters).toContainEqual(
      expect.objectContaining({ in: "header", name: "Content-Encoding" }),
    );
    expect(push?.security).toEqual([{ ingestToken: [] }]);
  });
});
