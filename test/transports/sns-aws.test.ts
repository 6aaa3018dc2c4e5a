import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { checkSnsMessage, parseSnsBody, verifySnsSignature } from "../../src/transports/sns/verify";
import messagesJson from "../fixtures/sns/aws-php-sns-message-validator/messages.json?raw";
import pem from "../fixtures/sns/aws-php-sns-message-validator/signing-cert.pem?raw";
import { BASE, envWith } from "../helpers";

/**
 * AWS's own signed SNS messages and signing certificate, from the test suite of
 * aws/aws-php-sns-message-validator (see the fixture's ORIGIN.md): SignatureVersion 1 and 2,
 * with and without Subject. The certificate expired in 2022: its validity is not checked (a
 * certificate is trusted by its https SNS URL, or a pin), and the age limit is configurable.
 */
const messages = (JSON.parse(messagesJson) as Array<Record<string, string>>).map(
  ({ _name, ...m }) => ({ name: _name as string, m }),
);
const pinned = (url: string, vars: Record<string, unknown> = {}) =>
  envWith({ SNS_CERTS: JSON.stringify({ [url]: pem }), ...vars });

describe("AWS's signed SNS examples (aws-php-sns-message-validator)", () => {
  it("all four verify; the same with one byte changed in any signed field does not", async () => {
    expect(messages.map((x) => x.name).sort()).toEqual([
      "v1 with subject",
      "v1 without subject",
      "v2 with subject",
      "v2 without subject",
    ]);
    for (const { name, m } of messages) {
      const e = pinned(m.SigningCertURL as string);
      const parsed = parseSnsBody(JSON.stringify(m));
      checkSnsMessage(parsed, {
        topicArns: [m.TopicArn as string],
        maxAgeSeconds: 3600,
        now: Date.parse(m.Timestamp as string) + 60_000,
      });
      await expect(verifySnsSignature(e, parsed), name).resolves.toBeUndefined();
      for (const field of ["Message", "MessageId", "Timestamp", "TopicArn", "Signature"]) {
        const v = m[field] as string;
        const i = field === "Signature" ? 10 : v.length - 1;
        const changed = `${v.slice(0, i)}${v[i] === "A" ? "B" : "A"}${v.slice(i + 1)}`;
        const bad = parseSnsBody(JSON.stringify({ ...m, [field]: changed }));
        await expect(verifySnsSignature(e, bad), `${name}: ${field}`).rejects.toThrow(
          /signature does not match|not base64/,
        );
      }
      if (m.Subject) {
        const { Subject: _, ...noSubject } = m;
        await expect(
          verifySnsSignature(e, parseSnsBody(JSON.stringify(noSubject))),
        ).rejects.toThrow();
      }
    }
  });

  it("through POST /v1/sns/:sourceId: accepted with a configured age limit, 401 as stale with the default", async () => {
    const { m } = messages[3] as { m: Record<string, string> };
    const source = (maxAge?: number) => ({
      id: "aws-example",
      type: "circleci",
      s3: {
        bucket: "acme-audit",
        region: "us-east-2",
        accessKeyIdEnv: "CCI_S3_KEY_ID",
        secretAccessKeyEnv: "CCI_S3_SECRET",
        topicArns: [m.TopicArn],
        ...(maxAge ? { snsMaxAgeSeconds: maxAge } : {}),
      },
    });
    const post = async (maxAge?: number) => {
      const e = pinned(m.SigningCertURL as string, {
        SOURCES: [...(env.SOURCES as unknown as unknown[]), source(maxAge)],
      });
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request(`${BASE}/v1/sns/aws-example`, {
          method: "POST",
          headers: { "content-type": "text/plain; charset=UTF-8" },
          body: JSON.stringify(m),
        }),
        e,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    };
    const stale = await post();
    expect(stale.status).toBe(401);
    expect(await stale.text()).toMatch(/Timestamp .* s old \(s3.snsMaxAgeSeconds is 3600\)/);
    // "Hello world" is a verified message but not an S3 event: kept, and SNS is told 200.
    const ok = await post(10 * 365 * 86_400);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "quarantined" });
  });
});
