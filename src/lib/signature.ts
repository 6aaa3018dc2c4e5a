/**
 * HMAC signatures over a pushed body, as vendors that sign their webhooks send them (GitHub's
 * `X-Hub-Signature-256: sha256=<hex>`, Slack's `v0=<hex>` over `v0:<timestamp>:<body>`, Stripe-
 * and Svix-style timestamps). Pure: WebCrypto only, the same in workerd and Node. The comparison
 * is `crypto.subtle.verify`, constant time by construction.
 */

/** How a vendor signs its deliveries (a vendor's `push.auth`, or a manifest's). */
export interface HmacScheme {
  kind: "hmac";
  /** The header carrying the signature (e.g. `x-hub-signature-256`). */
  header: string;
  algorithm: "SHA-256" | "SHA-1" | "SHA-512";
  encoding: "hex" | "base64";
  /** Text before the signature in the header (e.g. `sha256=`, `v0=`). */
  prefix?: string;
  /** Signed deliveries that carry their time: the header, and how old one may be. */
  timestamp?: { header: string; toleranceSeconds: number };
  /**
   * What is signed, `{body}` and `{timestamp}` replaced (e.g. Slack's `v0:{timestamp}:{body}`).
   * Default: the body's bytes as received.
   */
  signed?: string;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const encoder = new TextEncoder();

function decode(text: string, encoding: "hex" | "base64"): Uint8Array | null {
  if (encoding === "hex") {
    if (!/^(?:[0-9a-f]{2})+$/i.test(text)) return null;
    return Uint8Array.from(text.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  }
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function signedBytes(scheme: HmacScheme, body: Uint8Array, timestamp: string): Uint8Array {
  if (!scheme.signed) return body;
  const at = scheme.signed.indexOf("{body}");
  const fill = (s: string) => encoder.encode(s.replaceAll("{timestamp}", timestamp));
  if (at < 0) return fill(scheme.signed);
  const head = fill(scheme.signed.slice(0, at));
  const tail = fill(scheme.signed.slice(at + "{body}".length));
  const out = new Uint8Array(head.length + body.length + tail.length);
  out.set(head);
  out.set(body, head.length);
  out.set(tail, head.length + body.length);
  return out;
}

/** The delivery's timestamp if the scheme has one and it is within tolerance, else why not. */
function checkTimestamp(
  scheme: HmacScheme,
  header: (name: string) => string | undefined,
  now: number,
): { ok: true; value: string } | { ok: false; reason: string } {
  if (!scheme.timestamp) return { ok: true, value: "" };
  const value = header(scheme.timestamp.header)?.trim();
  if (!value) return { ok: false, reason: `the ${scheme.timestamp.header} header is missing` };
  const seconds = Number(value);
  if (!Number.isFinite(seconds))
    return { ok: false, reason: `the ${scheme.timestamp.header} header is not epoch seconds` };
  if (Math.abs(now / 1000 - seconds) > scheme.timestamp.toleranceSeconds)
    return {
      ok: false,
      reason: `the delivery's timestamp is more than ${scheme.timestamp.toleranceSeconds} s away from now (a replay, or a clock off)`,
    };
  return { ok: true, value };
}

/** Checks a delivery's signature with `secret`; the reason names the header at fault. */
export async function verifyHmac(
  scheme: HmacScheme,
  secret: string,
  delivery: { header: (name: string) => string | undefined; body: Uint8Array; now: number },
): Promise<SignatureCheck> {
  const raw = delivery.header(scheme.header)?.trim();
  if (!raw) return { ok: false, reason: `the ${scheme.header} header is missing` };
  const prefix = scheme.prefix ?? "";
  if (!raw.startsWith(prefix))
    return { ok: false, reason: `the ${scheme.header} header does not start with "${prefix}"` };
  const signature = decode(raw.slice(prefix.length), scheme.encoding);
  if (!signature)
    return { ok: false, reason: `the ${scheme.header} header is not ${scheme.encoding}` };
  const time = checkTimestamp(scheme, delivery.header, delivery.now);
  if (!time.ok) return time;
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: scheme.algorithm },
    false,
    ["verify"],
  );
  const valid = await crypto.subtle.verify(
    "HMAC",
    key,
    signature,
    signedBytes(scheme, delivery.body, time.value),
  );
  return valid
    ? { ok: true }
    : { ok: false, reason: `the ${scheme.header} signature does not match the body` };
}
