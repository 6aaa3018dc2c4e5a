import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidrContains, parseCidr, parseIP } from "../../src/lib/ip";

const words = (hextets: number[]) =>
  [0, 2, 4, 6].map((i) => ((hextets[i] as number) * 65536 + (hextets[i + 1] as number)) >>> 0);

/** The RFC 5952 short form: the longest run of zero groups (>= 2) becomes "::". */
function compress(hextets: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

describe("IP parsing", () => {
  it("round-trips every IPv4 address", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const s = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
        expect(parseIP(s)).toEqual({ v: 4, n });
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips IPv6 addresses in full and compressed forms", () => {
    const hextet = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(hextet, { minLength: 8, maxLength: 8 }), fc.boolean(), (h, upper) => {
        const full = h.map((x) => x.toString(16)).join(":");
        const short = compress(h);
        expect(parseIP(upper ? full.toUpperCase() : full)).toEqual({ v: 6, w: words(h) });
        expect(parseIP(short)).toEqual({ v: 6, w: words(h) });
      }),
      { numRuns: 2000 },
    );
  });

  it("reads embedded IPv4, zones and brackets, and rejects malformed input", () => {
    expect(parseIP("::ffff:1.2.3.4")).toEqual({ v: 6, w: [0, 0, 0xffff, 0x01020304] });
    expect(parseIP("fe80::1%eth0")).toEqual({ v: 6, w: [0xfe800000, 0, 0, 1] });
    expect(parseIP("[2001:db8::1]")).toEqual({ v: 6, w: [0x20010db8, 0, 0, 1] });
    expect(parseIP("::")).toEqual({ v: 6, w: [0, 0, 0, 0] });
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "01.2.3.4",
      "256.1.1.1",
      "1..2.3",
      "::1::",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      ":1::",
      "1:",
      "g::1",
      "1.2.3.4:",
      "::ffff:1.2.3",
    ]) {
      expect(parseIP(bad), bad).toBeNull();
    }
  });

  it("matches CIDRs, including IPv4-mapped addresses", () => {
    const net = parseCidr("203.0.113.0/24");
    if (!net) throw new Error("cidr");
    expect(cidrContains(net, parseIP("203.0.113.200") as never)).toBe(true);
    expect(cidrContains(net, parseIP("203.0.114.1") as never)).toBe(false);
    expect(cidrContains(net, parseIP("::ffff:203.0.113.5") as never)).toBe(true);
  });
});
