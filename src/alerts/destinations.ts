import { z } from "zod";
import { AuditflareError } from "../lib/errors";
import { fetchStatus, LIMITS, OutboundError } from "../lib/outbound";
import { readSecret } from "../lib/secrets";

/**
 * Where alerts go: the var DESTINATIONS (a JSON array). Webhooks are signed per the Standard
 * Webhooks specification (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the `whsec_` secret.
 * Slack incoming webhooks get a readable message.
 */

const destination = z.discriminatedUnion("type", [
  z
    .object({
      id: z.string().min(1),
      type: z.literal("webhook"),
      url: z.url({ protocol: /^https?$/ }),
      secretEnv: z.string().min(1),
    })
    .strict(),
  z.object({ id: z.string().min(1), type: z.literal("slack"), urlEnv: z.string().min(1) }).strict(),
]);
export type Destination = z.infer<typeof destination>;

/** The destinations of the last DESTINATIONS read (the same var for an isolate's life). */
let loaded: { raw: unknown; destinations: readonly Destination[] } | undefined;

/**
 * The var DESTINATIONS, checked: read at every queueing and every delivery, so it is parsed
 * and checked once per value (a matching push's outbox read it per alert, issue 27).
 */
export function loadDestinations(env: Env): readonly Destination[] {
  const raw = (env as { DESTINATIONS?: unknown }).DESTINATIONS;
  if (!raw) return [];
  if (loaded?.raw === raw) return loaded.destinations;
  const value = typeof raw === "string" ? JSON.parse(raw) : raw;
  const parsed = z.array(destination).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditflareError(
      "config_invalid",
      `DESTINATIONS[${issue?.path.join(".")}]: ${issue?.message}`,
    );
  }
  // a var given as an object (not JSON text) is checked again whenever it could have changed
  const destinations = Object.freeze(parsed.data.map((d) => Object.freeze(d)));
  if (typeof raw === "string") loaded = { raw, destinations };
  return destinations;
}

const b64 = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)));

/**
 * The HMAC keys of the webhook secrets, imported once each (a few destinations per Worker). The
 * keys are kept, not the promises: a request never awaits another request's work.
 */
const KEYS = new Map<string, CryptoKey>();
const MAX_KEYS = 32;

async function hmacKey(secret: string): Promise<CryptoKey> {
  const known = KEYS.get(secret);
  if (known) return known;
  const raw = secret.startsWith("whsec_")
    ? Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0))
    : new TextEncoder().encode(secret);
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  if (KEYS.size >= MAX_KEYS) KEYS.clear();
  KEYS.set(secret, key);
  return key;
}

/** The Standard Webhooks signature header of `body` sent as message `id` at `timestamp` (s). */
export async function signWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await hmacKey(secret);
  const data = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  return `v1,${b64(await crypto.subtle.sign("HMAC", key, data))}`;
}

export interface Delivery {
  /** Stable per notification, on every attempt: receivers deduplicate by it. */
  id: string;
  body: string;
  slackText: string;
}

/** Why a delivery failed, as the destination's health and the alert's `delivery` show it. */
export class DeliveryError extends Error {
  constructor(
    readonly destination: string,
    readonly reason: string,
  ) {
    super(`destination ${destination}: ${reason}`);
    this.name = "DeliveryError";
  }
}

/**
 * The request of one notification to one destination (a fresh signature per attempt). Redirects
 * are not followed (`manual`): a 301/302/303 would be re-sent as a GET without the body (an SSO
 * login page answering 200 would count it delivered), a 307/308 would post the signed alert
 * wherever Location says; a 3xx is a failed delivery naming it.
 */
async function request(d: Destination, secret: string, n: Delivery) {
  if (d.type === "slack") {
    const init: RequestInit = {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: n.slackText }),
    };
    return { url: secret, init };
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const init: RequestInit = {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/json",
      "webhook-id": n.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signWebhook(secret, n.id, timestamp, n.body),
    },
    body: n.body,
  };
  return { url: d.url, init };
}

function hideUrl(message: string, url: string, label: string): string {
  let shown = message.split(url).join(label);
  try {
    const u = new URL(url);
    shown = shown.split(`${u.origin}${u.pathname}`).join(label);
  } catch {}
  return shown;
}

/**
 * Sends one notification to one destination within LIMITS.webhook (a receiver that never
 * answers is a `timeout`, never a hang); throws a DeliveryError (the queue retries) unless it
 * is taken.
 */
export async function deliver(env: Env, d: Destination, n: Delivery): Promise<void> {
  const secretName = d.type === "webhook" ? d.secretEnv : d.urlEnv;
  const secret = readSecret(env, secretName);
  if (!secret) throw new DeliveryError(d.id, `the secret ${secretName} is not set`);
  const { url, init } = await request(d, secret, n);
  let status: number;
  try {
    status = await fetchStatus(url, init, LIMITS.webhook);
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    // A Slack webhook URL is itself the secret: never shown in the health or the alert.
    const message =
      d.type === "slack" ? hideUrl(err.message, url, "the Slack webhook") : err.message;
    throw new DeliveryError(d.id, `${err.kind}: ${message}`);
  }
  if (status >= 300 && status < 400)
    throw new DeliveryError(
      d.id,
      `HTTP ${status}: a redirect, which deliveries do not follow (configure the URL it points to)`,
    );
  if (status < 200 || status >= 300) throw new DeliveryError(d.id, `HTTP ${status}`);
}
