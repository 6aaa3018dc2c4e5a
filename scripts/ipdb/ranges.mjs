// IP ranges of the ip-location-db `-num.csv` files: CSV rows → ranges → flat, non-overlapping
// segments (the most specific range wins), and several such layers combined on one set of
// segment starts. Pure: no I/O, no Node APIs (the Worker tests run it too).
import Papa from "papaparse";

/** The rows of a CSV text (RFC 4180 quoting, via papaparse); blank and `#` lines skipped. */
export function csvRows(text, what) {
  const parsed = Papa.parse(text, { delimiter: ",", comments: "#", skipEmptyLines: "greedy" });
  const bad = parsed.errors[0];
  if (bad) throw new Error(`${what}: CSV row ${(bad.row ?? 0) + 1}: ${bad.message}`);
  return parsed.data;
}

function bound(s, max, what) {
  if (!/^\d+$/.test(s)) throw new Error(`${what}: not a number: ${s}`);
  const v = BigInt(s);
  if (v > max) throw new Error(`${what}: ${s} is out of range`);
  return v;
}

/**
 * Rows of one `-num.csv` file → ranges { s, e, v } (BigInt bounds, numeric value).
 * `value(fields)` turns a row's remaining fields into a non-zero number (0 skips the row).
 */
export function parseRanges(text, max, value, what) {
  const out = [];
  for (const f of csvRows(text, what)) {
    const s = bound(f[0] ?? "", max, what);
    const e = bound(f[1] ?? "", max, what);
    if (e < s) throw new Error(`${what}: range end before start: ${f.join(",")}`);
    const v = value(f.slice(2));
    if (v !== 0) out.push({ s, e, v });
  }
  return out;
}

// A binary min-heap of range indices: the smallest range on top; of equal sizes, the later row.
class Heap {
  constructor(better) {
    this.a = [];
    this.better = better;
  }
  get size() {
    return this.a.length;
  }
  top() {
    return this.a[0];
  }
  push(x) {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop() {
    const a = this.a;
    const last = a.pop();
    if (a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.better(a[l], a[m])) m = l;
      if (r < a.length && this.better(a[r], a[m])) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}

const cmpBig = (x, y) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * Possibly nested or overlapping ranges → one value per address: contiguous segments
 * { starts, values } from 0 to max, where the most specific (smallest) range covering an
 * address wins (of equal sizes, the later row), gaps get 0, and equal neighbours are merged.
 */
export function flatten(ranges, max) {
  const order = ranges.map((_, i) => i).sort((x, y) => cmpBig(ranges[x].s, ranges[y].s) || x - y);
  const size = ranges.map((r) => r.e - r.s);
  const heap = new Heap((x, y) => {
    const c = cmpBig(size[x], size[y]);
    return c < 0 || (c === 0 && x > y);
  });
  const points = [0n];
  for (const r of ranges) {
    points.push(r.s);
    if (r.e < max) points.push(r.e + 1n);
  }
  points.sort(cmpBig);
  const starts = [];
  const values = [];
  let j = 0;
  let prev;
  for (const p of points) {
    if (p === prev) continue;
    prev = p;
    while (j < order.length && ranges[order[j]].s === p) heap.push(order[j++]);
    while (heap.size > 0 && ranges[heap.top()].e < p) heap.pop();
    const v = heap.size > 0 ? ranges[heap.top()].v : 0;
    if (values.length > 0 && values[values.length - 1] === v) continue;
    starts.push(p);
    values.push(v);
  }
  return { starts, values };
}

/**
 * Several flattened layers (each covering 0..max) → one segment list whose every segment has
 * one value per layer; neighbours equal in every layer are merged.
 */
export function combine(layers) {
  const idx = layers.map(() => 0);
  const starts = [];
  const values = layers.map(() => []);
  let p = 0n;
  for (;;) {
    const same =
      starts.length > 0 &&
      layers.every((L, k) => values[k][values[k].length - 1] === L.values[idx[k]]);
    if (!same) {
      starts.push(p);
      for (let k = 0; k < layers.length; k++) values[k].push(layers[k].values[idx[k]]);
    }
    let next;
    for (let k = 0; k < layers.length; k++) {
      const n = layers[k].starts[idx[k] + 1];
      if (n !== undefined && (next === undefined || n < next)) next = n;
    }
    if (next === undefined) break;
    p = next;
    for (let k = 0; k < layers.length; k++) if (layers[k].starts[idx[k] + 1] === p) idx[k]++;
  }
  return { starts, values };
}
