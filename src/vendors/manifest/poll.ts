import { zodMessage } from "../event";
import type { PageRequest, PageTarget, PollClient } from "../types";
import { eventTime } from "./normalize";
import { at, fill, text, writeTime } from "./paths";
import type { Manifest as AnyManifest, PolledManifest as Manifest } from "./schema";
import { typesCheck } from "./types";

/**
 * The page client a manifest's `poll` describes, driven by the one poll walker like every
 * TypeScript client: the request (method, path and query templates, auth, the since parameter of
 * the first page), the page's records and next token, and the auth statuses in the user's words.
 * A page token is the next URL (Link paging), a cursor, or a page number. A page whose
 * `envelope` fields have the wrong types is malformed (kept in quarantine, the walk stops).
 */

/** A source field by name, as text ("" when it has none). */
const fieldOf = (at: PageTarget) => (name: string) =>
  text((at.source as unknown as Record<string, unknown>)[name]);

/** The `rel="next"` URL of a Link header. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m?.[2] ?? "")?.[1]?.split(/\s+/) ?? [];
    if (m && rels.includes("next")) return m[1] ?? null;
  }
  return null;
}

function authHeaders(m: Manifest, token: string): Record<string, string> {
  const a = m.poll.auth;
  if (a.kind === "bearer" || a.kind === "google_service_account")
    return { authorization: `Bearer ${token}` };
  if (a.kind === "basic") return { authorization: `Basic ${btoa(token)}` };
  if (a.kind === "body") return {};
  return { [a.name.toLowerCase()]: `${a.prefix}${token}` };
}

function explainAuth(m: Manifest, at: PageTarget) {
  const vars = (name: string) => (name === "tokenEnv" ? at.source.tokenEnv : fieldOf(at)(name));
  return (status: number) => {
    const words = m.poll.errors[String(status) as "401"];
    return words
      ? fill(words, vars)
      : `${m.name} answered ${status}: check the token in ${at.source.tokenEnv} and its permissions`;
  };
}

/** The first page's URL and body: the templates, the since parameter, the first page number. */
function firstPage(m: Manifest, target: PageTarget, next: string | null) {
  const { request, since, pagination } = m.poll;
  const vars = fieldOf(target);
  const url = new URL(
    target.baseUrl.replace(/\/+$/, "") +
      fill(request.path, (n) => encodeURIComponent(vars(n) ?? "")),
  );
  for (const [k, v] of Object.entries(request.query)) url.searchParams.set(k, fill(v, vars));
  let body: Record<string, unknown> | undefined = request.body
    ? Object.fromEntries(
        Object.entries(request.body).map(([k, v]) => [
          k,
          typeof v === "string" ? fill(v, vars) : v,
        ]),
      )
    : undefined;
  if (since && target.floor !== null && next === null) {
    const t = writeTime(Math.max(0, target.floor), since.format);
    if (since.in === "body") body = { ...body, [since.param]: t };
    else url.searchParams.set(since.param, String(t));
  }
  if (pagination.kind === "page")
    url.searchParams.set(pagination.param, next ?? String(pagination.first));
  if (pagination.kind === "offset")
    url.searchParams.set(pagination.param, next ?? String(pagination.first));
  if (pagination.kind === "cursor" && next !== null) url.searchParams.set(pagination.param, next);
  if (pagination.kind === "body_cursor" && next !== null) body = { [pagination.field]: next };
  return { url: url.toString(), body };
}

/** The page after page `next` (a number), unless it is the last `totalPages` names. */
function nextPage(body: unknown, next: string | null, p: { first: number; totalPages?: string }) {
  const page = Number(next ?? p.first);
  const total = p.totalPages === undefined ? undefined : at(body, p.totalPages);
  return typeof total === "number" && page - p.first + 1 >= total ? null : String(page + 1);
}

export function manifestPoll(any: AnyManifest): PollClient {
  if (!any.poll) throw new Error(`${any.type}: the manifest has no poll section`);
  const m = any as Manifest;
  const { pagination, records } = m.poll;
  const idPath = "path" in m.map.id ? m.map.id.path : null;
  const envelope = typesCheck(m.poll.envelope);
  return {
    name: m.name,
    defaultBaseUrl: m.poll.baseUrl ?? "",
    order: m.poll.order,
    ...(m.poll.rateLimit && { rateLimit: m.poll.rateLimit }),
    ...(m.poll.auth.kind === "google_service_account" && {
      tokenGrant: { kind: "google_service_account", scope: m.poll.auth.scope },
    }),
    request(target, next): PageRequest {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.poll.request.headers))
        headers[k.toLowerCase()] = fill(v, fieldOf(target));
      Object.assign(headers, authHeaders(m, target.token));
      const explain = explainAuth(m, target);
      if (pagination.kind === "link" && next !== null)
        return { url: next, headers, explainAuth: explain };
      const { url, body } = firstPage(m, target, next);
      if (m.poll.request.method === "GET") return { url, headers, explainAuth: explain };
      headers["content-type"] = "application/json";
      const auth = m.poll.auth;
      const signed = auth.kind === "body" ? { ...body, [auth.field]: target.token } : body;
      return {
        url,
        method: "POST",
        body: JSON.stringify(signed ?? {}),
        headers,
        explainAuth: explain,
      };
    },
    parse(body, _next, page) {
      const issues = envelope && !envelope.ok(body) ? envelope.issues(body) : [];
      if (issues.length > 0)
        return { ok: false, error: `not a ${m.name} page: ${zodMessage(issues)}` };
      const items = at(body, records);
      if (!Array.isArray(items))
        return { ok: false, error: `not a ${m.name} page: ${records || "the body"} is not a list` };
      if (items.length === 0) return { ok: true, items, next: null };
      if (pagination.kind === "page")
        return { ok: true, items, next: nextPage(body, _next, pagination) };
      if (pagination.kind === "offset") {
        const offset = Number(_next ?? pagination.first) + items.length;
        const total = pagination.total === undefined ? undefined : at(body, pagination.total);
        const last =
          (pagination.size !== undefined && items.length < pagination.size) ||
          (typeof total === "number" && offset >= total);
        return { ok: true, items, next: last ? null : String(offset) };
      }
      if (pagination.kind === "cursor")
        return { ok: true, items, next: text(at(body, pagination.path)) };
      if (pagination.kind === "body_cursor") {
        const more = at(body, pagination.hasMore) === true;
        return { ok: true, items, next: more ? text(at(body, pagination.path)) : null };
      }
      const link = nextLink(page?.headers.get("link") ?? null);
      if (link === null || !page) return { ok: true, items, next: null };
      const url = new URL(link, page.url);
      if (url.origin !== new URL(page.url).origin)
        return {
          ok: false,
          error: `${m.name}'s next link leaves ${new URL(page.url).origin}: ${url.origin}`,
        };
      return { ok: true, items, next: url.toString() };
    },
    pageLabel: (next) =>
      pagination.kind === "page"
        ? `page ${next ?? pagination.first}`
        : pagination.kind === "offset"
          ? `${pagination.param}=${next ?? pagination.first}`
          : next === null
            ? "head"
            : `${pagination.kind === "link" ? "" : `${"field" in pagination ? pagination.field : pagination.param}=`}${next}`,
    tokenLabel: (next) =>
      pagination.kind === "page"
        ? `page ${next}`
        : pagination.kind === "offset"
          ? `the offset ${next}`
          : pagination.kind === "link"
            ? `the next link ${JSON.stringify(next)}`
            : `the cursor ${JSON.stringify(next)}`,
    idOf: (item) => (idPath === null ? null : text(at(item, idPath))),
    timeOf: (item) => eventTime(m.map, item),
  };
}
