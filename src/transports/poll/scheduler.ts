import { loadSources, type SourceConfig } from "../../config";
import { describeError } from "../../lib/errors";
import { accessToken, parseServiceAccount } from "../../lib/google-token";
import { LIMITS, type Limits } from "../../lib/outbound";
import { readSecret } from "../../lib/secrets";
import type { Ports, WholeEntry } from "../../ports";
import { vendorOf } from "../../vendors";
import type { PollClient } from "../../vendors/types";
import { PollError } from "./http";
import type { PollContext, PollerSource, PollResult } from "./types";
import { walk } from "./walk";

/** The vendor's page client, for sources of polled vendors (src/vendors/<vendor>/poll.ts). */
const pollClientOf = (s: SourceConfig) => vendorOf(s.type).poll;

/** Pages one run may fetch per source (100 events each) before the next tick continues. */
const DEFAULT_MAX_PAGES = 50;
const MINUTE = 60_000;

type RunReport =
  | { sourceID: string; status: "not_due" | "leased" }
  | ({ sourceID: string; status: "polled" } & PollResult)
  | { sourceID: string; status: "error"; kind: string; error: string; nextDueAt: number };

/** Exponential backoff with ±50% jitter, so failing sources do not retry in lockstep. */
function backoffMs(failures: number, baseMs: number, capMs: number, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(failures, 20));
  return Math.round(exp * (0.5 + random()));
}

function nextDue(err: PollError | Error, failures: number, now: number): number {
  if (!(err instanceof PollError)) return now + backoffMs(failures, MINUTE, 30 * MINUTE);
  switch (err.kind) {
    case "rate_limited":
      return now + Math.min(60 * MINUTE, Math.max(1000, err.details.retryAfterMs ?? MINUTE));
    case "auth":
    case "config":
      return now + backoffMs(failures, 5 * MINUTE, 6 * 60 * MINUTE);
    default:
      return now + backoffMs(failures, MINUTE, 30 * MINUTE);
  }
}

/** The token a request carries: the secret, or the access token a service-account key grants. */
async function requestToken(client: PollClient, secret: string, tokenEnv: string) {
  if (!client.tokenGrant) return secret;
  try {
    return await accessToken(parseServiceAccount(secret), client.tokenGrant.scope);
  } catch (err) {
    throw new PollError(
      "auth",
      `the secret ${tokenEnv} gives no Google access token: ${describeError(err)}`,
    );
  }
}

/** One run of a leased source's walk; it reports what it stored. */
async function runClient(ctx: Omit<PollContext, "token" | "baseUrl">): Promise<PollResult> {
  const { source } = ctx;
  const token = readSecret(ctx.env, source.tokenEnv);
  if (!token)
    throw new PollError(
      "config",
      `the secret ${source.tokenEnv} is not set: add it with \`wrangler secret put ${source.tokenEnv}\``,
    );
  const client = pollClientOf(source as SourceConfig);
  if (!client) throw new PollError("config", `source type "${source.type}" is not polled`);
  const granted = await requestToken(client, token, source.tokenEnv);
  return walk({ ...ctx, token: granted, baseUrl: source.baseUrl ?? client.defaultBaseUrl }, client);
}

/** A page that is not in the documented shape: kept in quarantine, counted once per page. */
async function keepMalformedPage(ports: Ports, source: PollerSource, err: PollError, now: number) {
  if (err.kind !== "malformed" || err.details.body === undefined) return;
  const entry: WholeEntry = {
    sourceID: source.id,
    sourceType: source.type,
    stage: "fetch",
    errorCode: "malformed_page",
    error: err.message,
    location: err.details.url ?? null,
    raw: err.details.body,
    contentType: "application/json",
  };
  // Health gets the failure from failRun; the page itself counts once however often it is seen.
  await ports.quarantine.keepWhole(entry, now);
}

/** A failed run: backoff, health, and the page kept aside when it was malformed. */
async function failRun(
  ports: Ports,
  source: PollerSource,
  owner: string,
  failures: number,
  err: unknown,
  now: number,
): Promise<RunReport> {
  const error = err instanceof PollError ? `${err.message}` : `internal: ${describeError(err)}`;
  const kind = err instanceof PollError ? err.kind : "internal";
  const due = nextDue(err as Error, failures, now);
  console.error(`poll ${source.id}: ${kind}: ${error}`);
  if (err instanceof PollError) await keepMalformedPage(ports, source, err, now);
  // The failed request counts here, except a looping page's: its commit counted it.
  const uncounted = err instanceof PollError && err.kind !== "config" && err.kind !== "cursor_loop";
  const requests = uncounted ? 1 : 0;
  await ports.cursors.finishRun(source.id, owner, {
    nextDueAt: due,
    ok: false,
    status: kind,
    error,
    now,
    requests,
  });
  // At the moment of failure: pages this run committed before it failed count as successes
  // at their commit time, and must not hide the failure from the source's health.
  await ports.health.recordError(source.id, `${kind}: ${error}`, Math.max(now, Date.now()));
  return { sourceID: source.id, status: "error", kind, error, nextDueAt: due };
}

async function pollSource(
  env: Env,
  ports: Ports,
  source: PollerSource,
  now: number,
  owner: string,
  budget: { maxPages: number; limits: Limits },
): Promise<RunReport> {
  if ((await ports.cursors.load(source.id)).nextDueAt > now) {
    return { sourceID: source.id, status: "not_due" };
  }
  if (!(await ports.cursors.acquireLease(source.id, owner, now))) {
    return { sourceID: source.id, status: "leased" };
  }
  // Read the walk position under the lease: a run that just finished may have moved it.
  const state = await ports.cursors.load(source.id);
  try {
    const result = await runClient({ env, ports, source, state, owner, now, ...budget });
    // An unfinished walk (backfill) continues at the next tick; a finished one waits its interval.
    const due = result.complete ? now + source.intervalSeconds * 1000 : now;
    await ports.cursors.finishRun(source.id, owner, {
      nextDueAt: due,
      ok: true,
      status: result.complete ? "ok" : "walking",
      error: null,
      now,
    });
    return { sourceID: source.id, status: "polled", ...result };
  } catch (err) {
    return failRun(ports, source, owner, state.failures, err, now);
  }
}

/**
 * The cron entry point: every poller source that is due runs once, under its lease. Sources are
 * independent: one failing never stops the others. `ports`: the state the entry wiring hands
 * it (src/store/ports.ts).
 */
export async function runDuePollers(
  env: Env,
  ports: Ports,
  now = Date.now(),
  opts: { owner?: string; maxPages?: number; limits?: Limits } = {},
): Promise<RunReport[]> {
  const owner = opts.owner ?? crypto.randomUUID();
  const sources = loadSources(env).filter((s) => pollClientOf(s)) as PollerSource[];
  const budget = {
    maxPages: opts.maxPages ?? DEFAULT_MAX_PAGES,
    limits: opts.limits ?? LIMITS.api,
  };
  return Promise.all(sources.map((s) => pollSource(env, ports, s, now, owner, budget)));
}
