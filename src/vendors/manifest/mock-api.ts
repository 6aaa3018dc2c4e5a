import type { MockRequest, VendorMock } from "../mock";
import { at, readTime, setAt, text, writeTime } from "./paths";
import type { Manifest as AnyManifest, PolledManifest as Manifest } from "./schema";

/**
 * The local stand-in of a manifest vendor's API (`npm start`, test/vendors/mocks.test.ts), made
 * from its manifest and its fixture events: it serves `/<type><baseUrl path><request path>`,
 * checks the auth header the manifest describes, honours the since parameter, and pages as the
 * vendor does (Link header, body cursor, page numbers with their total, POST body cursor with
 * has_more), 50 events a page; the manifest's `mock` section adds the vendor's quirks (its dev
 * token, a cursor that is the last event's id, a has_next flag, constant fields). A polling
 * Link API (oldest first) links on even from its last page, as Okta's does. Times are written
 * as the fixtures write them (whole seconds when theirs are).
 * Not part of the Worker: only the mock server and the tests import it.
 */

const PAGE_SIZE = 50;

const encode = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, "");
function decode(token: string | null | undefined): { after?: string; since?: number } {
  if (!token) return {};
  try {
    return JSON.parse(atob(token)) as { after?: string; since?: number };
  } catch {
    return {};
  }
}

/** Where the token is expected: a header (name, value), or a field of the JSON body. */
function expectedAuth(m: Manifest, token: string): [string, string, "body"?] {
  const a = m.poll.auth;
  if (a.kind === "bearer" || a.kind === "google_service_account")
    return ["authorization", `Bearer ${token}`];
  if (a.kind === "basic") return ["authorization", `Basic ${btoa(token)}`];
  if (a.kind === "body") return [a.field, token, "body"];
  return [a.name.toLowerCase(), `${a.prefix}${token}`];
}

/** The request path's template as a pattern: any value for a {field}. */
const pathPattern = (template: string) =>
  new RegExp(
    `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^{}]+\\?\}/g, "[^/]+")}$`,
  );

export function manifestMock(any: AnyManifest, records: readonly unknown[]): VendorMock {
  if (!any.poll) throw new Error(`${any.type}: only a polled vendor has a mock API`);
  const m = any as Manifest;
  if (records.length === 0) throw new Error(`${m.type}: a mock needs fixture events`);
  const { poll, map } = m;
  const idPath = "path" in map.id ? map.id.path : null;
  const token = m.mock.token ?? `dev-${m.type}-token`;
  const basePath = poll.baseUrl ? new URL(poll.baseUrl).pathname.replace(/\/+$/, "") : "";
  const events: unknown[] = []; // oldest first
  const pattern = pathPattern(poll.request.path);
  const keyOf = (e: unknown, i: number) =>
    idPath ? (text(at(e, idPath)) ?? String(i)) : String(i);
  let seq = 0;

  function sinceOf(params: URLSearchParams, body: unknown): number | null {
    if (!poll.since) return null;
    const raw =
      poll.since.in === "body" ? at(body, poll.since.param) : params.get(poll.since.param);
    return raw === null || raw === undefined ? null : readTime(raw, poll.since.format);
  }

  /** The page's answer: its events and where the next one starts. */
  function page(list: unknown[], start: number, after: string | undefined) {
    const items = list.slice(start, start + PAGE_SIZE);
    const last = items.length > 0 ? keyOf(items.at(-1), start + items.length - 1) : after;
    return { items, more: start + PAGE_SIZE < list.length, last };
  }

  /** The time of a new event, written with the precision of its template's. */
  function timeText(template: unknown, t: number) {
    const v = writeTime(t, map.time.format);
    const was = at(template, map.time.path);
    return typeof v === "string" && typeof was === "string" && !/\.\d/.test(was)
      ? v.replace(/\.\d+Z$/, "Z")
      : v;
  }

  return {
    prefix: `/${m.type}${basePath}`,
    token,
    devFields: Object.fromEntries(Object.entries(m.config).map(([k, f]) => [k, f.dev])),
    add(t) {
      const template = records[seq % records.length];
      let e = setAt(template, map.time.path, timeText(template, t));
      if (idPath) e = setAt(e, idPath, `${text(at(template, idPath)) ?? "event"}-${seq}`);
      seq++;
      events.push(e);
    },
    handle(path, params, authorization, req?: MockRequest) {
      if (!pattern.test(path)) return null;
      const [header, value, inBody] = expectedAuth(m, token);
      const sent = inBody
        ? text(at(req?.body, header))
        : header === "authorization"
          ? authorization
          : req?.headers[header];
      if (sent !== value)
        return {
          status: 401,
          body: { error: "invalid_auth", message: `${header}: not the dev token` },
        };
      if ((req?.method ?? "GET") !== poll.request.method)
        return { status: 405, body: { error: "method_not_allowed" } };
      const p = poll.pagination;
      const lastId = m.mock.cursor === "last_id" && p.kind === "cursor";
      const cursor = lastId
        ? { after: params.get(p.param) ?? undefined, since: undefined }
        : p.kind === "body_cursor"
          ? decode(text(at(req?.body, p.field)))
          : decode(params.get(p.param));
      const since =
        p.kind === "body_cursor" && cursor.since !== undefined
          ? cursor.since
          : sinceOf(params, req?.body);
      const timeOf = (e: unknown) => readTime(at(e, map.time.path), map.time.format) ?? 0;
      const inWindow = events.filter((e) => since === null || timeOf(e) >= since);
      const list = poll.order === "newest_first" ? inWindow.reverse() : inWindow;
      const { after } = cursor;
      // A page number past the end is an empty page; an unknown cursor starts over.
      const start =
        p.kind === "page"
          ? Math.max(0, Number(params.get(p.param) ?? p.first) - p.first) * PAGE_SIZE
          : p.kind === "offset"
            ? Math.max(0, Number(params.get(p.param) ?? p.first) - p.first)
            : after === undefined
              ? 0
              : list.findIndex((e, i) => keyOf(e, i) === after) + 1;
      const { items, more, last } = page(list, start, after);
      const next = lastId ? (last ?? "") : encode({ after: last, since: since ?? undefined });
      let body: unknown = { ...m.mock.body };
      if (m.mock.more) body = setAt(body, m.mock.more, more);
      body = setAt(body, poll.records, items);
      const headers: Record<string, string> = {};
      if (p.kind === "link" && (more || poll.order === "oldest_first") && req) {
        const url = new URL(req.url);
        url.searchParams.set(p.param, next);
        headers.link = `<${req.url}>; rel="self", <${url}>; rel="next"`;
      }
      if (p.kind === "cursor")
        body = setAt(body, p.path, lastId ? (items.length > 0 ? next : null) : more ? next : "");
      if (p.kind === "page" && p.totalPages)
        body = setAt(body, p.totalPages, Math.ceil(list.length / PAGE_SIZE));
      if (p.kind === "body_cursor") body = setAt(setAt(body, p.path, next), p.hasMore, more);
      if (p.kind === "offset" && p.total) body = setAt(body, p.total, list.length);
      return { status: 200, body, headers };
    },
  };
}

/** A manifest's fixture events: the records of each fixture page (API answers), in order. */
export const fixtureEvents = (m: AnyManifest, pages: readonly unknown[]) =>
  pages.flatMap((page) => {
    const records = at(page, m.poll?.records ?? "");
    return Array.isArray(records) ? records : [];
  });
