import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { runArchive } from "../src/archive/job";
import { prepareRecords } from "../src/pipeline/prepare";
import { HOUR, hourOf } from "../src/store/archive";
import { commit } from "../src/store/ingest";
import { type Json, query, tpEvent } from "../test/helpers";

/**
 * Reading the archive (issue 28): one archived day of one source (24 hourly parts of 1,000
 * events, all cold and gone from D1). A filtered page of 100 (p50 over 10 pages by cursor), its
 * bytes against the day's partitions; a 90-day histogram (60 days before, 30 after); an id
 * lookup with and without eventTime; a 30-day range straddling the tiers paged by 100 (every row
 * once, in order).
 */
const report = (name: string, value: string | number) => console.log(`BENCH ${name} ${value}`);
const DAY = 86_400_000;
const NOW = Date.now();
const PER_HOUR = 1000;
const ACTIONS = ["session-created", "namespace-deleted", "api-key-created"];

it("archive read: a filtered page over an archived day, a 90-day histogram, an id lookup", async () => {
  const first = hourOf(NOW) - 30 * HOUR;
  const dayStart = Math.floor((NOW - 60 * DAY) / DAY) * DAY;
  let i = 0;
  for (let h = 0; h < 24; h++) {
    const events: Json[] = [];
    for (let k = 0; k < PER_HOUR; k++) {
      const e = tpEvent(i, dayStart + h * HOUR + k * 3000);
      e.action = ACTIONS[i % 3];
      i++;
      events.push(e);
    }
    const framed = events.map((value, j) => ({
      ok: true as const,
      value,
      raw: JSON.stringify(value),
      location: `[${j}]`,
    }));
    const source = { id: "turbopuffer", type: "turbopuffer" as const };
    const at = first + h * HOUR + 1000;
    const prepared = await prepareRecords(env, source, framed, at);
    await commit(env, {
      sourceID: "turbopuffer",
      sourceType: "turbopuffer",
      ...prepared,
      received: events.length,
      now: at,
    });
  }
  for (let r = 0; r < 5; r++) await runArchive(env, NOW);
  const total = await env.DB.prepare(
    "SELECT count(*) AS n, sum(bytes) AS b FROM archive_manifest",
  ).first<{ n: number; b: number }>();
  await env.DB.prepare("UPDATE received_hours SET cooled = 1 WHERE verified = 1").run();
  await env.DB.prepare("DELETE FROM events WHERE sourceID = 'turbopuffer'").run();
  const from = new Date(dayStart).toISOString();
  const to = new Date(dayStart + DAY).toISOString();
  let cursor = "";
  const times: number[] = [];
  const bytes: number[] = [];
  const objs: number[] = [];
  for (let p = 0; p < 10; p++) {
    const t0 = performance.now();
    const res = await query(
      `/v1/logs?sourceID=turbopuffer&eventName=namespace-deleted&from=${from}&to=${to}&limit=100${cursor ? `&cursor=${cursor}` : ""}`,
    );
    const body = (await res.json()) as {
      data: unknown[];
      nextCursor: string;
      meta: { archive: { bytes: number; objects: number } };
    };
    times.push(performance.now() - t0);
    bytes.push(body.meta.archive.bytes);
    objs.push(body.meta.archive.objects);
    expect(body.data.length).toBe(100);
    cursor = body.nextCursor;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const ht0 = performance.now();
  const hres = await query(
    `/v1/logs/histogram?sourceID=turbopuffer&from=${new Date(dayStart - 60 * DAY).toISOString().slice(0, 13)}:00:00Z&to=${new Date(dayStart + 30 * DAY).toISOString().slice(0, 13)}:00:00Z`,
  );
  const hist = (await hres.json()) as { total: number; meta: unknown };
  const hms = performance.now() - ht0;
  const lookT0 = performance.now();
  const some = (await (
    await query(`/v1/logs?sourceID=turbopuffer&from=${from}&to=${to}&limit=1`)
  ).json()) as { data: Array<{ id: string; eventTime: string }> };
  const id = some.data[0]?.id;
  const l1 = await query(`/v1/logs/${id}`);
  const lms = performance.now() - lookT0;
  const l2 = await query(`/v1/logs/${id}?eventTime=${some.data[0]?.eventTime}`);
  report("archive_page_p50_ms", Math.round(sorted[5] ?? 0));
  report("archive_page_ms_all", sorted.map((x) => Math.round(x)).join(","));
  report("archive_page_bytes", bytes.join(","));
  report("archive_page_objects", objs.join(","));
  report("archive_day_partition_bytes", total?.b ?? 0);
  report("archive_page_bytes_ratio_first", ((bytes[0] ?? 0) / (total?.b ?? 1)).toFixed(3));
  report("archive_histogram_90d_ms", Math.round(hms));
  report("archive_histogram_90d", JSON.stringify({ total: hist.total, meta: hist.meta }));
  report(
    "archive_lookup_objects_bytes_nohint",
    `${l1.headers.get("x-auditflare-archive-objects")} ${l1.headers.get("x-auditflare-archive-bytes")} (${Math.round(lms)} ms with the page before it)`,
  );
  report(
    "archive_lookup_objects_bytes_hint",
    `${l2.headers.get("x-auditflare-archive-objects")} ${l2.headers.get("x-auditflare-archive-bytes")}`,
  );

  // A 30-day range that straddles the tiers, paged by 100: the archived day above plus 2,400
  // events of the following fortnight still hot in D1 (received now, not archived).
  const hotEvents: Json[] = [];
  for (let k = 0; k < 2400; k++) {
    const e = tpEvent(i++, dayStart + DAY + k * 500_000);
    e.action = ACTIONS[k % 3];
    hotEvents.push(e);
  }
  for (let b = 0; b < hotEvents.length; b += 600) {
    const framed = hotEvents.slice(b, b + 600).map((value, j) => ({
      ok: true as const,
      value,
      raw: JSON.stringify(value),
      location: `[${j}]`,
    }));
    const source = { id: "turbopuffer", type: "turbopuffer" as const };
    const prepared = await prepareRecords(env, source, framed, NOW);
    await commit(env, {
      sourceID: "turbopuffer",
      sourceType: "turbopuffer",
      ...prepared,
      received: framed.length,
      now: NOW,
    });
  }
  const range = `from=${new Date(dayStart - 15 * DAY).toISOString()}&to=${new Date(dayStart + 15 * DAY).toISOString()}`;
  const seen = new Set<string>();
  const pageMs: number[] = [];
  let last = Number.POSITIVE_INFINITY;
  let inOrder = true;
  let pages = 0;
  let rows = 0;
  const tiers = new Set<string>();
  for (let next = ""; pages < 1000; pages++) {
    const t0 = performance.now();
    const res = await query(`/v1/logs?sourceID=turbopuffer&${range}&limit=100${next}`);
    const body = (await res.json()) as {
      data: Array<{ id: string; eventTime: string }>;
      nextCursor: string | null;
      meta: { tiers: string[] };
    };
    pageMs.push(performance.now() - t0);
    for (const t of body.meta.tiers) tiers.add(t);
    for (const r of body.data) {
      const t = Date.parse(r.eventTime);
      if (t > last) inOrder = false;
      last = t;
      seen.add(r.id);
      rows++;
    }
    if (!body.nextCursor) break;
    next = `&cursor=${encodeURIComponent(body.nextCursor)}`;
  }
  pageMs.sort((a, b) => a - b);
  expect(rows, "every row of the range once").toBe(24 * PER_HOUR + hotEvents.length);
  expect(seen.size, "no row twice").toBe(rows);
  expect(inOrder, "newest first throughout").toBe(true);
  report(
    "archive_straddle_30d",
    `${pages + 1} pages of 100, ${rows} rows (${seen.size} distinct, ${inOrder ? "in order" : "OUT OF ORDER"}), tiers ${[...tiers].join("+")}, page p50 ${Math.round(pageMs[Math.floor(pageMs.length / 2)] ?? 0)} ms, p95 ${Math.round(pageMs[Math.floor(pageMs.length * 0.95)] ?? 0)} ms`,
  );
});
