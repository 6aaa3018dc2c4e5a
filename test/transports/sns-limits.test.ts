import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { BASE, type Json } from "../helpers";
import { type TestSigner, testSigner } from "../sns-helpers";

/**
 * The two calls the SNS endpoint makes (the signing certificate, the SubscribeURL) are bounded:
 * a certificate that cannot be fetched is a 502 naming it (SNS retries), never a 500 or a hang;
 * a confirmation that never answers is a 502 whose reason is in the subscription's lastError.
 */

const TOPIC = "arn:aws:sns:us-east-1:123456789012:audit-files";
let signer: TestSigner;
beforeAll(async () => {
  signer = await testSigner();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

let certs = 0;
/** A certificate URL no earlier test fetched (keys are cached per isolate by URL). */
const certUrl = () =>
  `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-limits-${++certs}.pem`;

async function postSns(body: unknown): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/v1/sns/cci-s3`, {
      method: "POST",
      headers: { "content-type": "text/plain; charset=UTF-8" },
      body: JSON.stringify(body),
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const notification = (cert: string) =>
  signer.sign(
    {
      Type: "Notification",
      MessageId: `limits-${Math.random()}`,
      TopicArn: TOPIC,
      Subject: "Amazon S3 Notification",
      Message: '{"Service":"Amazon S3","Event":"s3:TestEvent"}',
      Timestamp: new Date().toISOString(),
      SigningCertURL: cert,
    },
    "2",
  );

/** A fetch answering only when aborted; `started` resolves at the first call. */
function hangingFetch(answer?: (url: string) => Response | undefined) {
  let called!: () => void;
  const started = new Promise<void>((resolve) => {
    called = resolve;
  });
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const now = answer?.(url);
    if (now) return Promise.resolve(now);
    called();
    return new Promise<Response>((_, reject) =>
      init?.signal?.addEventListener("abort", () => reject(new Error("The operation was aborted"))),
    );
  });
  return started;
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe("SNS: the certificate and the confirmation are bounded calls", () => {
  it("a certificate URL answering 500: 502 sns_certificate_unavailable naming it", async () => {
    const cert = certUrl();
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("oops", { status: 500 }));
    const res = await postSns(await notification(cert));
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.code).toBe("sns_certificate_unavailable");
    expect(error.message).toContain(cert);
    expect(error.message).toContain("HTTP 500");
  });

  it("a certificate that is not a certificate, or is too large: 502 naming it", async () => {
    const cert = certUrl();
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("not a PEM"));
    const res = await postSns(await notification(cert));
    expect(res.status).toBe(502);
    expect(await errorOf(res)).toMatchObject({ code: "sns_certificate_unavailable" });
    const big = certUrl();
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("x".repeat(300 * 1024)));
    const tooLarge = await postSns(await notification(big));
    expect(tooLarge.status).toBe(502);
    expect((await errorOf(tooLarge)).message).toMatch(/too_large/);
  });

  it("a certificate URL that never answers: 502 after 10 s, not a hang", async () => {
    const cert = certUrl();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const started = hangingFetch();
    const pending = postSns(await notification(cert));
    await started;
    await vi.advanceTimersByTimeAsync(10_001);
    const res = await pending;
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.code).toBe("sns_certificate_unavailable");
    expect(error.message).toMatch(/timeout/);
    expect(error.message).toContain(cert);
  });

  it("a certificate fetch still hanging for one message does not hold the next: it fetches the certificate itself and is stored", async () => {
    const cert = certUrl();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let calls = 0;
    const started = hangingFetch((url) =>
      // the first fetch of the certificate hangs (its request gone); later ones answer
      url === cert && ++calls > 1 ? new Response(signer.pem) : undefined,
    );
    const first = postSns(await notification(cert));
    await started;
    // the second message is answered while the first one's fetch still hangs
    const second = await postSns(await notification(cert));
    expect(second.status).toBe(200);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(10_001);
    expect((await first).status).toBe(502);
    // the key, once had, is kept: a third message fetches nothing
    expect((await postSns(await notification(cert))).status).toBe(200);
    expect(calls).toBe(2);
  });

  it("a SubscribeURL that never answers: 502, the subscription pending with a timeout", async () => {
    const cert = certUrl();
    const subscribe =
      "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=limits";
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const started = hangingFetch((url) => (url === cert ? new Response(signer.pem) : undefined));
    const confirmation = await signer.sign(
      {
        Type: "SubscriptionConfirmation",
        MessageId: `confirm-limits-${Math.random()}`,
        Token: "limits",
        TopicArn: TOPIC,
        Message: "You have chosen to subscribe to the topic.",
        SubscribeURL: subscribe,
        Timestamp: new Date().toISOString(),
        SigningCertURL: cert,
      },
      "1",
    );
    const pending = postSns(confirmation);
    await started;
    await vi.advanceTimersByTimeAsync(10_001);
    const res = await pending;
    expect(res.status).toBe(502);
    const row = await env.DB.prepare(
      "SELECT status, lastError FROM subscriptions WHERE sourceID = 'cci-s3' AND topicArn = ?",
    )
      .bind(TOPIC)
      .first<Json>();
    expect(row?.status).toBe("pending");
    expect(String(row?.lastError)).toMatch(/timeout/);
  });
});
