import { z } from "zod";
import { AppError } from "../../lib/errors";
import { type BoundedResponse, fetchBounded, LIMITS, OutboundError } from "../../lib/outbound";
import { pemToDer, spkiOfCertificate } from "../../lib/x509";

/**
 * Amazon SNS message signatures (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
 * the fields of the message, in a fixed order, each as "Name\nvalue\n", signed with RSA and
 * SHA-1 (SignatureVersion 1) or SHA-256 (2) by the key of the certificate at SigningCertURL.
 * Every check that needs no network runs first; the certificate is fetched (once per isolate)
 * only for a message whose URL, topic and age already passed, or taken from the SNS_CERTS pins.
 */

const snsMessage = z.looseObject({
  Type: z.enum(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  Subject: z.string().optional(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
  SignatureVersion: z.enum(["1", "2"]),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
});
export type SnsMessage = z.infer<typeof snsMessage>;

const NOTIFICATION_FIELDS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"];
const CONFIRMATION_FIELDS = [
  "Message",
  "MessageId",
  "SubscribeURL",
  "Timestamp",
  "Token",
  "TopicArn",
  "Type",
];

/** The string SNS signed: the message's fields in AWS's order, absent optional ones left out. */
export function stringToSign(m: SnsMessage): string {
  const fields = m.Type === "Notification" ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let s = "";
  for (const f of fields) {
    const v = (m as Record<string, unknown>)[f];
    if (typeof v === "string") s += `${f}\n${v}\n`;
  }
  return s;
}

const fail = (message: string) => new AppError("sns_verification_failed", message);

/** An SNS host: sns.<region>.amazonaws.com (or .com.cn), over https, on the default port. */
export function checkSnsUrl(raw: string | undefined, what: string, pem = false): URL {
  let url: URL;
  try {
    url = new URL(raw ?? "");
  } catch {
    throw fail(`${what} is not a URL`);
  }
  const host = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(url.hostname);
  if (url.protocol !== "https:" || !host || url.port !== "" || url.username || url.password)
    throw fail(`${what} must be https://sns.<region>.amazonaws.com/…, not ${url.origin}`);
  if (pem && !url.pathname.endsWith(".pem")) throw fail(`${what} must end in .pem`);
  return url;
}

/** The body as an SNS message: 400 for what is not one, 401 for one that is not signed. */
export function parseSnsBody(text: string): SnsMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_sns_message", "the body is not JSON (an SNS message is)");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new AppError("invalid_sns_message", "the body is not a JSON object");
  if (!("Signature" in value) || !("SignatureVersion" in value))
    throw fail(
      "the message is not signed: raw message delivery must be off on the subscription, and messages must come from SNS",
    );
  const parsed = snsMessage.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      "invalid_sns_message",
      `not an SNS message: ${issue?.path.join(".") || "body"}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

export interface SnsPolicy {
  topicArns: readonly string[];
  maxAgeSeconds: number;
  now: number;
}

/** The checks that need no network: certificate URL, topic, age. */
export function checkSnsMessage(m: SnsMessage, p: SnsPolicy): void {
  checkSnsUrl(m.SigningCertURL, "SigningCertURL", true);
  if (!p.topicArns.includes(m.TopicArn))
    throw fail(`topic ${m.TopicArn} is not in this source's s3.topicArns`);
  const t = Date.parse(m.Timestamp);
  if (Number.isNaN(t)) throw fail(`Timestamp "${m.Timestamp}" is not a time`);
  const age = (p.now - t) / 1000;
  if (age > p.maxAgeSeconds || age < -300)
    throw fail(
      `Timestamp ${m.Timestamp} is ${Math.round(age)} s old (s3.snsMaxAgeSeconds is ${p.maxAgeSeconds})`,
    );
  if (m.Type !== "Notification") checkSnsUrl(m.SubscribeURL, "SubscribeURL");
}

const keys = new Map<string, CryptoKey>();

function pinnedCerts(env: Env): Record<string, string> {
  const raw = (env as { SNS_CERTS?: unknown }).SNS_CERTS;
  if (!raw) return {};
  const v = typeof raw === "string" ? JSON.parse(raw) : raw;
  return v && typeof v === "object" ? (v as Record<string, string>) : {};
}

/** The certificate could not be had: 502 naming it (SNS retries the message). */
const unavailable = (url: string, why: string) =>
  new AppError(
    "sns_certificate_unavailable",
    `the SNS signing certificate ${url} could not be fetched: ${why}`,
  );

async function certificatePem(env: Env, url: string): Promise<string> {
  const pinned = pinnedCerts(env)[url];
  if (pinned) return pinned;
  let res: BoundedResponse;
  try {
    res = await fetchBounded(url, {}, LIMITS.small);
  } catch (err) {
    if (err instanceof OutboundError) throw unavailable(url, `${err.kind}: ${err.message}`);
    throw err;
  }
  if (!res.ok) throw unavailable(url, `HTTP ${res.status}`);
  return res.text();
}

/** The certificate's public key for `hash`; a PEM that is not a certificate is a 502 naming it. */
async function importCertificate(
  pem: string,
  url: string,
  hash: "SHA-1" | "SHA-256",
): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey(
      "spki",
      spkiOfCertificate(pemToDer(pem)),
      { name: "RSASSA-PKCS1-v1_5", hash },
      false,
      ["verify"],
    );
  } catch (err) {
    throw unavailable(url, `not an RSA certificate (${(err as Error).message})`);
  }
}

/**
 * The certificate's key for `hash`, kept per isolate once imported (pins are never fetched). Kept
 * as a value, never as the fetch in flight: workerd cancels a fetch with the request that made
 * it, so a promise shared with later requests would never settle and hold every later message
 * with that certificate (as src/lib/jwt.ts keeps its key sets). A failed fetch is not kept: the
 * next message tries again. Requests that meet no key each fetch it.
 */
async function signingKey(env: Env, url: string, hash: "SHA-1" | "SHA-256"): Promise<CryptoKey> {
  const pinned = pinnedCerts(env)[url];
  const id = `${hash} ${url} ${pinned ?? ""}`;
  const known = keys.get(id);
  if (known) return known;
  const key = await importCertificate(await certificatePem(env, url), url, hash);
  if (keys.size >= 64) keys.clear(); // AWS signs with a few certificates at a time
  keys.set(id, key);
  return key;
}

/** Verifies the signature; throws 401 when it does not match. */
export async function verifySnsSignature(env: Env, m: SnsMessage): Promise<void> {
  const hash = m.SignatureVersion === "1" ? "SHA-1" : "SHA-256";
  const key = await signingKey(env, m.SigningCertURL, hash);
  let signature: Uint8Array;
  try {
    signature = Uint8Array.from(atob(m.Signature), (c) => c.charCodeAt(0));
  } catch {
    throw fail("Signature is not base64");
  }
  const ok = await crypto.subtle.verify(
    "RSASSA-PKCS1-v1_5",
    key,
    signature,
    new TextEncoder().encode(stringToSign(m)),
  );
  if (!ok) throw fail("the signature does not match the message");
}
