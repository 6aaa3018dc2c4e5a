import {
  AuthorizationError,
  CimdFetchError,
  type ConsentDescription,
} from "@cloudflare/workers-oauth-provider";
import type { Context } from "hono";
import { accessConfigured, accessIdentity } from "../lib/access";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";
import { storeAudit } from "../routes/audit";
import { roleOf } from "../routes/query-auth";
import { authorizationServer, type GrantProps, oauthEnv, SCOPE_ADMIN, SCOPE_READ } from "./oauth";

/**
 * The consent page of the OAuth flow (GET and POST /oauth/authorize). The person signs in with
 * Cloudflare Access (the assertion Access adds to every request) or by typing the query or admin
 * token, sees which app asks, where the tokens go and what it may do, and allows or denies. The
 * grant carries the role: a reader's grant can only read; an admin's carries the admin scope only
 * when "allow admin tools" is ticked. Each approval is audited (`oauth.authorize`).
 */

const esc = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

const STYLE =
  "body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#111}code{background:#eee;padding:0 .2rem}.warn{background:#fff3cd;padding:.5rem}label{display:block;margin:.5rem 0}button{font-size:1rem;margin-right:.5rem}";

function page(title: string, body: string, status = 200, headers?: Headers): Response {
  const h = new Headers(headers);
  for (const [k, v] of Object.entries(PAGE_HEADERS)) h.set(k, v);
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title><style>${STYLE}</style><main><h1>${esc(title)}</h1>${body}</main></html>`;
  return new Response(html, { status, headers: h });
}

const errorPage = (message: string, status = 400) =>
  page("Cannot authorize", `<p>${esc(message)}</p><p>Start again from your assistant.</p>`, status);

/** A person signed in through Cloudflare Access, or null (no Access, or no assertion). */
async function accessPerson(c: Context<AppEnv>) {
  const assertion = c.req.header("cf-access-jwt-assertion");
  if (!assertion || !accessConfigured(c.env)) return null;
  return accessIdentity(c.env, assertion);
}

function consentForm(d: ConsentDescription, handle: string, signedIn: string | null): string {
  const who = d.clientDomain
    ? `Published by <strong>${esc(d.clientDomain)}</strong>.`
    : "This app registered itself: its name is not verified.";
  const loopback = d.redirectIsLoopback
    ? '<p class="warn">Access will be sent to an app on your computer. Continue only if you just started connecting it.</p>'
    : "";
  const signIn = signedIn
    ? `<p>Signed in as <strong>${esc(signedIn)}</strong> (Cloudflare Access).</p>`
    : `<label>Your auditflare token (the query token reads; the admin token may also acknowledge and close alerts)<br><input type="password" name="token" autocomplete="off" required size="40"></label>`;
  return `<p><strong>${esc(d.clientName)}</strong> asks to use auditflare's MCP tools for you: search events, run read-only SQL, read sources, alerts, rules and quarantine. ${who}</p>
<p>Access will be sent to <strong>${esc(d.redirectHost)}</strong>.</p>${loopback}
<form method="post">
<input type="hidden" name="handle" value="${esc(handle)}">
${signIn}
<label><input type="checkbox" name="admin" value="yes"> Also allow admin tools (acknowledge and close alerts), if you are an admin</label>
<p>Every tool call is recorded in auditflare's audit trail under your name and this app's id.</p>
<p><button name="decision" value="approve">Allow</button><button name="decision" value="deny">Deny</button></p>
</form>`;
}

/** Renders the provider's authorization errors safely (redirect only when it validated the client). */
function authorizationFailure(err: unknown): Response {
  if (err instanceof AuthorizationError && err.redirectTo)
    return new Response(null, { status: 302, headers: { location: err.redirectTo } });
  if (err instanceof AuthorizationError) return errorPage(err.description);
  if (err instanceof CimdFetchError) return errorPage("This app could not be verified.");
  if (err instanceof AppError) return errorPage(err.message, err.status);
  throw err;
}

export async function consentGet(c: Context<AppEnv>): Promise<Response> {
  const origin = new URL(c.req.url).origin;
  const oauth = authorizationServer(origin).getOAuthApi(oauthEnv(c.env));
  try {
    const request = await oauth.parseAuthRequest(c.req.raw);
    const person = await accessPerson(c);
    const details = await oauth.describeConsent(request);
    const consent = await oauth.beginConsent(request);
    return page(
      `Connect ${details.clientName} to auditflare?`,
      consentForm(details, consent.handle, person?.name ?? null),
      200,
      consent.headers,
    );
  } catch (err) {
    return authorizationFailure(err);
  }
}

/** Who approves: the Access identity, else the token typed in the form (constant time). */
async function approver(c: Context<AppEnv>, form: FormData) {
  const person = await accessPerson(c);
  if (person)
    return { role: person.admin ? "admin" : "reader", name: person.name, via: "access" } as const;
  const token = form.get("token");
  const role = typeof token === "string" && token ? await roleOf(c.env, token) : null;
  if (!role) return null;
  return { role, name: role === "admin" ? "admin token" : "query token", via: "token" } as const;
}

export async function consentPost(c: Context<AppEnv>): Promise<Response> {
  const origin = new URL(c.req.url).origin;
  const oauth = authorizationServer(origin).getOAuthApi(oauthEnv(c.env));
  try {
    const form = await c.req.raw.formData();
    const handle = String(form.get("handle") ?? "");
    if (form.get("decision") !== "approve") {
      const denied = await oauth.denyConsent(c.req.raw, handle);
      denied.headers.set("location", denied.redirectTo);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    const who = await approver(c, form);
    if (!who) return errorPage("That token is not the query or the admin token.", 401);
    const admin = who.role === "admin" && form.get("admin") === "yes";
    const scope = admin ? [SCOPE_READ, SCOPE_ADMIN] : [SCOPE_READ];
    const approved = await oauth.approveConsent(c.req.raw, handle, { scope });
    const props: GrantProps = { role: admin ? "admin" : "reader", name: who.name, via: who.via };
    const { redirectTo } = await oauth.completeAuthorization({
      request: approved.request,
      userId: encodeURIComponent(who.name),
      metadata: { name: who.name, via: who.via },
      scope,
      props,
    });
    storeAudit(c.env, c.executionCtx, {
      id: crypto.randomUUID(),
      time: new Date().toISOString(),
      action: "oauth.authorize",
      actor: { name: who.name, via: who.via },
      ip: c.req.header("cf-connecting-ip") ?? null,
      method: "POST",
      path: new URL(c.req.url).pathname,
      params: { clientId: approved.request.clientId, scope: scope.join(" ") },
      status: 302,
      requestId: c.get("requestId") ?? null,
      readOnly: false,
    });
    approved.headers.set("location", redirectTo);
    return new Response(null, { status: 302, headers: approved.headers });
  } catch (err) {
    return authorizationFailure(err);
  }
}
