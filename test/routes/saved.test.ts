import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, count, type Json, push, QUERY_TOKEN, query, tpEvent } from "../helpers";

/** Saved searches / SQL (routes/saved.ts) and notes on alerts (routes/alerts.ts), issue 30. */

const as = (token: string, method: string, body?: unknown): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const admin = (path: string, method: string, body?: unknown) =>
  call(path, as(ADMIN_TOKEN, method, body));

async function list(token = QUERY_TOKEN, kind = ""): Promise<Json[]> {
  const res = await call(`/v1/saved${kind ? `?kind=${kind}` : ""}`, as(token, "GET"));
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Json[] }).data;
}

/** The self-audit events of an operation on a path (stored after the response, by waitUntil). */
const audited = (operation: string, path: string) =>
  count(
    "SELECT count(*) AS n FROM logs WHERE sourceType = 'auditflare' AND eventName = ?1 AND rawLog ->> '$.path' = ?2",
    operation,
    path,
  );

describe("saved searches and SQL", () => {
  it("a PUT with the admin token creates (201) then replaces (200) one row; a retry writes nothing twice", async () => {
    const search = {
      kind: "search",
      name: "Ada's keys",
      shared: true,
      query: "since=7d&actor=ada",
    };
    const created = await admin("/v1/saved/s-ada", "PUT", search);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: "s-ada",
      owner: "admin token",
      shared: true,
      query: "since=7d&actor=ada",
    });
    const again = await admin("/v1/saved/s-ada", "PUT", search);
    expect(again.status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM saved WHERE id = 's-ada'")).toBe(1);
    const renamed = await admin("/v1/saved/s-ada", "PUT", { ...search, name: "Ada, 7 days" });
    expect(((await renamed.json()) as Json).name).toBe("Ada, 7 days");
    expect(await audited("putSaved", "/v1/saved/s-ada")).toBe(3);
  });

  it("the query token lists the shared items, not the admin's private ones, and cannot write", async () => {
    await admin("/v1/saved/q-private", "PUT", {
      kind: "sql",
      name: "private",
      shared: false,
      query: "SELECT 1",
    });
    await admin("/v1/saved/q-shared", "PUT", {
      kind: "sql",
      name: "per source",
      shared: true,
      query: "SELECT sourceType, count(*) FROM logs GROUP BY 1",
    });
    const reader = (await list(QUERY_TOKEN, "sql")).map((s) => s.id);
    expect(reader).toContain("q-shared");
    expect(reader).not.toContain("q-private");
    expect((await list(ADMIN_TOKEN, "sql")).map((s) => s.id)).toEqual(
      expect.arrayContaining(["q-private", "q-shared"]),
    );
    expect((await list(QUERY_TOKEN, "search")).every((s) => s.kind === "search")).toBe(true);
    const denied = await call(
      "/v1/saved/q-reader",
      as(QUERY_TOKEN, "PUT", { kind: "sql", name: "x", query: "SELECT 1" }),
    );
    expect(denied.status).toBe(403);
    expect(await count("SELECT count(*) AS n FROM saved WHERE id = 'q-reader'")).toBe(0);
  });

  it("another owner's id is refused (403) and left as it was", async () => {
    await env.DB.prepare(
      "INSERT INTO saved (id, kind, name, owner, shared, query, createdAt, updatedAt) VALUES ('theirs', 'sql', 'theirs', 'someone@example.com', 1, 'SELECT 2', 0, 0)",
    ).run();
    const res = await admin("/v1/saved/theirs", "PUT", {
      kind: "sql",
      name: "mine now",
      query: "SELECT 3",
    });
    expect(res.status).toBe(403);
    expect((await res.json()) as Json).toMatchObject({ error: { code: "saved_owned_by_other" } });
    expect((await admin("/v1/saved/theirs", "DELETE")).status).toBe(403);
    const row = await env.DB.prepare("SELECT name, query FROM saved WHERE id = 'theirs'").first();
    expect(row).toEqual({ name: "theirs", query: "SELECT 2" });
  });

  it("DELETE removes the caller's item (204), then 404", async () => {
    await admin("/v1/saved/to-delete", "PUT", { kind: "search", name: "tmp", query: "" });
    expect((await admin("/v1/saved/to-delete", "DELETE")).status).toBe(204);
    expect((await admin("/v1/saved/to-delete", "DELETE")).status).toBe(404);
    expect(await audited("deleteSaved", "/v1/saved/to-delete")).toBe(2);
  });

  it("rejects a bad id, kind or name with 400", async () => {
    expect(
      (await admin("/v1/saved/a%20b", "PUT", { kind: "sql", name: "x", query: "" })).status,
    ).toBe(400);
    expect(
      (await admin("/v1/saved/ok", "PUT", { kind: "other", name: "x", query: "" })).status,
    ).toBe(400);
    expect((await admin("/v1/saved/ok", "PUT", { kind: "sql", name: " ", query: "" })).status).toBe(
      400,
    );
  });
});

describe("an alert's detail and notes", () => {
  async function anAlert(): Promise<Json> {
    const e = tpEvent(93_000, Date.now() - 60_000);
    e.action = "invitation-created";
    e.actor = { type: "user", id: "notes-actor", name: "notes@acme.test" };
    const res = await push("tp-other", JSON.stringify([e]), { token: "other-ingest-token" });
    expect(await res.json()).toMatchObject({ inserted: 1 });
    const alerts = (await (
      await query("/v1/alerts?ruleId=turbopuffer-invitation-created")
    ).json()) as {
      data: Json[];
    };
    const alert = alerts.data[0];
    expect(alert).toBeDefined();
    return alert as Json;
  }

  it("GET /v1/alerts/:id gives the alert with its events as rows and its notes", async () => {
    const alert = await anAlert();
    const res = await query(`/v1/alerts/${alert.id}`);
    expect(res.status).toBe(200);
    const detail = (await res.json()) as Json & { events: Json[]; notes: Json[] };
    expect(detail).toMatchObject({ id: alert.id, ruleId: "turbopuffer-invitation-created" });
    expect(detail.events).toHaveLength((alert.eventIds as string[]).length);
    expect(detail.events[0]).toMatchObject({
      eventName: "invitation-created",
      sourceID: "tp-other",
    });
    expect(detail.notes).toEqual([]);
    expect((await query("/v1/alerts/nope")).status).toBe(404);
  });

  it("a note is stored once under retries, with who and when, and audited; the query token cannot add one", async () => {
    const alert = await anAlert();
    const note = { id: "note-1", text: "Checked with Ada: expected invitation." };
    const first = await admin(`/v1/alerts/${alert.id}/notes`, "POST", note);
    expect(first.status).toBe(201);
    const retry = await admin(`/v1/alerts/${alert.id}/notes`, "POST", note);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(await first.json());
    expect(await count("SELECT count(*) AS n FROM alert_notes WHERE id = 'note-1'")).toBe(1);
    const denied = await call(
      `/v1/alerts/${alert.id}/notes`,
      as(QUERY_TOKEN, "POST", { id: "note-2", text: "x" }),
    );
    expect(denied.status).toBe(403);
    const detail = (await (await query(`/v1/alerts/${alert.id}`)).json()) as { notes: Json[] };
    expect(detail.notes).toEqual([
      {
        id: "note-1",
        alertId: alert.id,
        author: "admin token",
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
        text: note.text,
      },
    ]);
    expect(await audited("addAlertNote", `/v1/alerts/${alert.id}/notes`)).toBe(3);
    expect((await admin("/v1/alerts/nope/notes", "POST", { id: "n3", text: "x" })).status).toBe(
      404,
    );
  });
});
