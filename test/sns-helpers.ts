/**
 * A self-signed X.509 certificate made in the test (RSA 2048), and SNS messages signed with its
 * key exactly as SNS signs them (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA).
 */

const der = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  const len = body.length;
  const head =
    len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff];
  return new Uint8Array([...head, ...body]);
};
const bytes = (...b: number[]) => new Uint8Array(b);
const SHA256_RSA = der(
  0x30,
  der(0x06, bytes(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11)),
  der(0x05),
);
const name = (cn: string) =>
  der(
    0x30,
    der(0x31, der(0x30, der(0x06, bytes(0x55, 4, 3)), der(0x0c, new TextEncoder().encode(cn)))),
  );
const time = (s: string) => der(0x17, new TextEncoder().encode(s));

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

export interface TestSigner {
  pem: string;
  sign(message: Record<string, string>, version: "1" | "2"): Promise<Record<string, string>>;
}

/** Fields SNS signs, in its order (see src/transports/sns/verify.ts). */
function stringToSign(m: Record<string, string>): string {
  const fields =
    m.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  return fields
    .filter((f) => m[f] !== undefined)
    .map((f) => `${f}\n${m[f]}\n`)
    .join("");
}

export async function testSigner(): Promise<TestSigner> {
  const pair = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: bytes(1, 0, 1),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const spki = new Uint8Array(
    (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer,
  );
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, bytes(2))),
    der(0x02, bytes(1, 2, 3, 4)),
    SHA256_RSA,
    name("sns.test"),
    der(0x30, time("260101000000Z"), time("360101000000Z")),
    name("sns.test"),
    spki,
  );
  const sig = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, tbs));
  const cert = der(0x30, tbs, SHA256_RSA, der(0x03, bytes(0), sig));
  const lines = b64(cert)
    .match(/.{1,64}/g)
    ?.join("\n");
  const pem = `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer;
  const sha1 = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-1" },
    false,
    ["sign"],
  );
  return {
    pem,
    async sign(message, version) {
      const key = version === "1" ? sha1 : pair.privateKey;
      const data = new TextEncoder().encode(stringToSign(message));
      const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, data));
      return { ...message, SignatureVersion: version, Signature: b64(signature) };
    },
  };
}
