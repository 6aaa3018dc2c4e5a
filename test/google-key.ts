/**
 * A fresh RSA key pair for the Google service-account tests (test/lib/google-token.test.ts,
 * test/vendors/google-sa.poll.test.ts), with its private key as the PKCS#8 PEM a key file holds.
 */
export const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

export async function serviceAccountKey(): Promise<{ pair: CryptoKeyPair; pem: string }> {
  const pair = (await crypto.subtle.generateKey(
    { ...RS256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(
    (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer,
  );
  const pem = `-----BEGIN PRIVATE KEY-----\n${(
    btoa(String.fromCharCode(...pkcs8)).match(/.{1,64}/g) ?? []
  ).join("\n")}\n-----END PRIVATE KEY-----\n`;
  return { pair, pem };
}
