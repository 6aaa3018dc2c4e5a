/** An address as numbers: IPv4 as one u32, IPv6 as four u32 words (most significant first). */
export type ParsedIP = { v: 4; n: number } | { v: 6; w: [number, number, number, number] };

export function parseIPv4(s: string): number | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n >>> 0;
}

function parseIPv6(input: string): [number, number, number, number] | null {
  let s = input;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (s.length < 2 || s.length > 45) return null;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const hextets: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    hextets.push(Number.parseInt(g, 16));
  }
  const w: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++)
    w[i] = ((hextets[2 * i] ?? 0) * 65536 + (hextets[2 * i + 1] ?? 0)) >>> 0;
  return w;
}

export function parseIP(s: string): ParsedIP | null {
  const t = s.trim();
  if (t.includes(":")) {
    const w = parseIPv6(t.startsWith("[") && t.endsWith("]") ? t.slice(1, -1) : t);
    return w ? { v: 6, w } : null;
  }
  const n = parseIPv4(t);
  return n === null ? null : { v: 4, n };
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it carries. */
export function unmapIPv4(ip: ParsedIP): ParsedIP {
  if (ip.v === 6 && ip.w[0] === 0 && ip.w[1] === 0 && ip.w[2] === 0xffff)
    return { v: 4, n: ip.w[3] };
  return ip;
}

export interface Cidr {
  ip: ParsedIP;
  bits: number;
}

export function parseCidr(s: string): Cidr | null {
  const [addr = "", len] = s.split("/");
  const ip = parseIP(addr);
  if (!ip) return null;
  const max = ip.v === 4 ? 32 : 128;
  if (len === undefined) return { ip, bits: max };
  if (!/^\d{1,3}$/.test(len)) return null;
  const bits = Number(len);
  return bits <= max ? { ip, bits } : null;
}

function prefixEqual(a: number, b: number, bits: number): boolean {
  if (bits <= 0) return true;
  if (bits >= 32) return a === b;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

export function cidrContains(cidr: Cidr, candidate: ParsedIP): boolean {
  const ip = unmapIPv4(candidate);
  const net = unmapIPv4(cidr.ip);
  if (ip.v !== net.v) return false;
  if (ip.v === 4 && net.v === 4)
    return prefixEqual(ip.n, net.n, cidr.bits - (cidr.ip.v === 6 ? 96 : 0));
  if (ip.v === 6 && net.v === 6) {
    for (let i = 0; i < 4; i++) {
      if (!prefixEqual(ip.w[i] ?? 0, net.w[i] ?? 0, cidr.bits - 32 * i)) return false;
    }
    return true;
  }
  return false;
}
