/** An address as numbers: IPv4 as one u32, IPv6 as four u32 words (most significant first). */
export type ParsedIP = { v: 4; n: number } | { v: 6; w: [number, number, number, number] };

// Hand-rolled scanners (no regex, no split): enrichment parses one address per event, and
// these keep a lookup from a string well under a microsecond (`npm run bench`).

/** Dotted-quad IPv4 (no leading zeros) as a u32, or null. */
function parseIPv4(s: string, from = 0, to = s.length): number | null {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return null;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return null;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return (n * 256 + octet) >>> 0;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** IPv6 (with `::`, an embedded IPv4 tail, or a %zone) as four u32 words, or null. */
function parseIPv6(s: string): [number, number, number, number] | null {
  let end = s.indexOf("%");
  if (end < 0) end = s.length;
  if (end < 2 || end > 45) return null;
  const groups: number[] = [];
  let gap = -1; // index in groups where "::" stands
  let i = 0;
  if (s.charCodeAt(0) === 58 /* : */) {
    if (s.charCodeAt(1) !== 58) return null;
    gap = 0;
    i = 2;
    if (i === end) return [0, 0, 0, 0];
  }
  while (i < end) {
    let value = 0;
    let digits = 0;
    const start = i;
    while (i < end) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      i++;
    }
    if (i < end && s.charCodeAt(i) === 46 /* . */) {
      // IPv4 tail: the last 32 bits.
      const v4 = parseIPv4(s, start, end);
      if (v4 === null || groups.length > 6) return null;
      groups.push(v4 >>> 16, v4 & 0xffff);
      i = end;
      break;
    }
    if (digits === 0 || digits > 4) return null;
    groups.push(value);
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return null;
    i++;
    if (i < end && s.charCodeAt(i) === 58) {
      if (gap >= 0) return null;
      gap = groups.length;
      i++;
      if (i === end) break;
    } else if (i === end) return null; // trailing single colon
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return null;
  const full =
    gap < 0
      ? groups
      : [
          ...groups.slice(0, gap),
          ...new Array<number>(8 - groups.length).fill(0),
          ...groups.slice(gap),
        ];
  return [
    ((full[0] as number) * 65536 + (full[1] as number)) >>> 0,
    ((full[2] as number) * 65536 + (full[3] as number)) >>> 0,
    ((full[4] as number) * 65536 + (full[5] as number)) >>> 0,
    ((full[6] as number) * 65536 + (full[7] as number)) >>> 0,
  ];
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
