import type { ParsedIP } from "../lib/ip";

/**
 * Special-purpose addresses (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890 and
 * successors) that say nothing about who is behind them: private, shared (CGNAT), loopback,
 * link-local, documentation, benchmarking, multicast, reserved. They are never looked up.
 */

type V4Block = readonly [net: number, bits: number, why: string];
type V6Block = readonly [net: readonly [number, number, number, number], bits: number, why: string];

const V4: readonly V4Block[] = [
  [0x00000000, 8, "this network"],
  [0x0a000000, 8, "private (RFC 1918)"],
  [0x64400000, 10, "shared address space / CGNAT (RFC 6598)"],
  [0x7f000000, 8, "loopback"],
  [0xa9fe0000, 16, "link-local"],
  [0xac100000, 12, "private (RFC 1918)"],
  [0xc0000000, 24, "IETF protocol assignments"],
  [0xc0000200, 24, "documentation (TEST-NET-1)"],
  [0xc0a80000, 16, "private (RFC 1918)"],
  [0xc6120000, 15, "benchmarking"],
  [0xc6336400, 24, "documentation (TEST-NET-2)"],
  [0xcb007100, 24, "documentation (TEST-NET-3)"],
  [0xe0000000, 4, "multicast"],
  [0xf0000000, 4, "reserved and limited broadcast"],
];

const V6: readonly V6Block[] = [
  [[0, 0, 0, 0], 128, "unspecified"],
  [[0, 0, 0, 1], 128, "loopback"],
  [[0x0064ff9b, 0x00010000, 0, 0], 48, "local-use IPv4/IPv6 translation"],
  [[0x01000000, 0, 0, 0], 64, "discard-only"],
  [[0x20010002, 0, 0, 0], 48, "benchmarking"],
  [[0x20010db8, 0, 0, 0], 32, "documentation"],
  [[0x3fff0000, 0, 0, 0], 20, "documentation (RFC 9637)"],
  [[0xfc000000, 0, 0, 0], 7, "unique local"],
  [[0xfe800000, 0, 0, 0], 10, "link-local"],
  [[0xfec00000, 0, 0, 0], 10, "site-local (deprecated)"],
  [[0xff000000, 0, 0, 0], 8, "multicast"],
];

const samePrefix = (a: number, b: number, bits: number) =>
  bits <= 0 || (bits >= 32 ? a === b : a >>> (32 - bits) === b >>> (32 - bits));

/** Why an (unmapped) address is special-purpose, or null if it is a global address. */
export function specialPurpose(ip: ParsedIP): string | null {
  if (ip.v === 4) {
    for (const [net, bits, why] of V4) if (samePrefix(ip.n, net, bits)) return why;
    return null;
  }
  for (const [net, bits, why] of V6) {
    let inside = true;
    for (let k = 0; k < 4 && inside; k++)
      inside = samePrefix(ip.w[k] as number, net[k] as number, bits - 32 * k);
    if (inside) return why;
  }
  return null;
}
