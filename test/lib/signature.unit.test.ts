import { describe, expect, it } from "vitest";
import { type HmacScheme, verifyHmac } from "../../src/lib/signature";
import { GITHUB } from "../fixtures/signature-schemes";

/**
 * The schemes of two vendors that publish a worked example of their webhook signature:
 * - GitHub, "Validating webhook deliveries" (docs.github.com/en/webhooks/using-webhooks/
 *   validating-webhook-deliveries#testing-the-webhook-payload-validation): secret
 *   "It's a Secret to Everybody", payload "Hello, World!", X-Hub-Signature-256 below;
 * - Slack, "Verifying requests from Slack" (api.slack.com/authentication/verifying-requests-
 *   from-slack): signing secret, timestamp 1531420618, the slash-command body and v0 signature.
 */
const GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

const SLACK: HmacScheme = {
  kind: "hmac",
  header: "x-slack-signature",
  algorithm: "SHA-256",
  encoding: "hex",
  prefix: "v0=",
  timestamp: { header: "x-slack-request-timestamp", toleranceSeconds: 300 },
  signed: "v0:{timestamp}:{body}",
};
const SLACK_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SLACK_HEADERS = {
  "x-slack-request-timestamp": "1531420618",
  "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};

const bytes = (s: string) => new TextEncoder().encode(s);
const delivery = (headers: Record<string, string>, body: string, now = Date.now()) => ({
  header: (name: string) => headers[name.toLowerCase()],
  body: bytes(body),
  now,
});

describe("verifyHmac: vendors' published examples", () => {
  it("accepts GitHub's example delivery and refuses it with one byte changed", async () => {
    const headers = { "x-hub-signature-256": GITHUB_SIGNATURE };
    const secret = "It's a Secret to Everybody";
    expect(await verifyHmac(GITHUB, secret, delivery(headers, "Hello, World!"))).toEqual({
      ok: true,
    });
    const tampered = await verifyHmac(GITHUB, secret, delivery(headers, "Hello, World?"));
    expect(tampered).toEqual({
      ok: false,
      reason: "the x-hub-signature-256 signature does not match the body",
    });
    const otherSecret = await verifyHmac(GITHUB, "wrong", delivery(headers, "Hello, World!"));
    expect(otherSecret.ok).toBe(false);
  });

  it("accepts Slack's example (timestamp in the signed text) at its time, not 10 minutes later", async () => {
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    const at = 1531420618 * 1000;
    expect(
      await verifyHmac(SLACK, secret, delivery(SLACK_HEADERS, SLACK_BODY, at + 60_000)),
    ).toEqual({
      ok: true,
    });
    const late = await verifyHmac(SLACK, secret, delivery(SLACK_HEADERS, SLACK_BODY, at + 600_000));
    expect(late).toMatchObject({ ok: false, reason: expect.stringContaining("more than 300 s") });
    // The timestamp is signed: moving it to "now" breaks the signature.
    const moved = { ...SLACK_HEADERS, "x-slack-request-timestamp": String(1531420618 + 500) };
    expect((await verifyHmac(SLACK, secret, delivery(moved, SLACK_BODY, at + 500_000))).ok).toBe(
      false,
    );
  });

  it("names what is wrong with the header", async () => {
    const check = (headers: Record<string, string>) =>
      verifyHmac(GITHUB, "s", delivery(headers, "x"));
    expect(await check({})).toEqual({
      ok: false,
      reason: "the x-hub-signature-256 header is missing",
    });
    expect(await check({ "x-hub-signature-256": "sha1=00" })).toEqual({
      ok: false,
      reason: 'the x-hub-signature-256 header does not start with "sha256="',
    });
    expect(await check({ "x-hub-signature-256": "sha256=zz" })).toEqual({
      ok: false,
      reason: "the x-hub-signature-256 header is not hex",
    });
  });

  it("checks base64 signatures over the raw bytes (not text re-encoded)", async () => {
    const scheme: HmacScheme = { ...GITHUB, encoding: "base64", prefix: "" };
    const body = new Uint8Array([0xff, 0x00, 0x7b, 0x7d]);
    const key = await crypto.subtle.importKey(
      "raw",
      bytes("k"),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, body));
    const header = btoa(String.fromCharCode(...sig));
    const d = { header: () => header, body, now: 0 };
    expect(await verifyHmac(scheme, "k", d)).toEqual({ ok: true });
  });
});
