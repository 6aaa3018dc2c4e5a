/**
 * The public key of an X.509 certificate (RFC 5280), for WebCrypto's `importKey("spki")`, which
 * takes a SubjectPublicKeyInfo, not a certificate. Only the DER structure up to that field is
 * walked: Certificate → tbsCertificate → [version], serial, signature, issuer, validity, subject,
 * subjectPublicKeyInfo. The certificate's own signature and validity are not checked (the SNS
 * path trusts a certificate by where it came from: an https URL on an SNS host, or a pin).
 */

interface Tlv {
  tag: number;
  /** Where the element starts (its tag), its content starts, and it ends. */
  at: number;
  start: number;
  end: number;
}

function tlv(der: Uint8Array, at: number): Tlv {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) throw new Error("certificate: truncated DER");
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n < 1 || n > 4) throw new Error("certificate: unsupported DER length");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[start + i] ?? 0);
    start += n;
  }
  const end = start + length;
  if (end > der.length) throw new Error("certificate: truncated DER");
  return { tag, at, start, end };
}

function sequence(der: Uint8Array, at: number, what: string): Tlv {
  const t = tlv(der, at);
  if (t.tag !== 0x30) throw new Error(`certificate: ${what} is not a SEQUENCE`);
  return t;
}

export function spkiOfCertificate(der: Uint8Array): Uint8Array {
  const cert = sequence(der, 0, "Certificate");
  const tbs = sequence(der, cert.start, "tbsCertificate");
  let at = tbs.start;
  if (tlv(der, at).tag === 0xa0) at = tlv(der, at).end; // [0] version
  for (const _field of ["serialNumber", "signature", "issuer", "validity", "subject"])
    at = tlv(der, at).end;
  const spki = sequence(der, at, "subjectPublicKeyInfo");
  return der.slice(spki.at, spki.end);
}

/** The DER bytes of the first PEM block labelled `label` (e.g. "CERTIFICATE"). */
export function pemToDer(pem: string, label = "CERTIFICATE"): Uint8Array {
  const m = pem.match(
    new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`),
  );
  if (!m?.[1]) throw new Error(`not a PEM ${label}`);
  return Uint8Array.from(atob(m[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}
