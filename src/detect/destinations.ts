import { z } from "zod";
import { readSecret } from "../config";
import { AuditflareError } from "../lib/errors";

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

export function loadDestinations(env: Env): Destination[] {
  const raw = (env as { DESTINATIONS?: unknown }).DESTINATIONS;
  if (!raw) return [];
  const value = typeof raw === "string" ? JSON.parse(raw) : raw;
  const parsed = z.array(destination).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditflareError(
      "config_invalid",
      `DESTINATIONS[${issue?.path.join(".")}]: ${issue?.message}`,
    );
  }
  return parsed.data;
}

const b64 = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** The Standard Webhooks signature header of `body` sent as message `id` at `timestamp` (s). */
export async function signWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const raw = secret.startsWith("whsec_")
    ? Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0))
    : new TextEncoder().encode(secret);
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const data = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  return `v1,${b64(await crypto.subtle.sign("HMAC", key, data))}`;
}

export interface Delivery {
  /** Stable per notification, on every attempt: receivers deduplicate by it. */
  id: string;
  body: string;
  slackText: string;
}

/** Sends one notification to one destination; throws (the queue retries) unless it is taken. */
export async function deliver(env: Env, d: Destination, n: Delivery): Promise<void> {
  const secretName = d.type === "webhook" ? d.secretEnv : d.urlEnv;
  const secret = readSecret(env, secretName);
  if (!secret) throw new Error(`destination ${d.id}: the secret ${secretName} is not set`);
  let res: Response;
  if (d.type === "webhook") {
    const timestamp = Math.floor(Date.now() / 1000);
    res = await fetch(d.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": n.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signWebhook(secret, n.id, timestamp, n.body),
      },
      body: n.body,
    });
  } else {
    res = await fetch(secret, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: n.slackText }),
    });
  }
  if (!res.ok) throw new Error(`destination ${d.id}: HTTP ${res.status}`);
}
