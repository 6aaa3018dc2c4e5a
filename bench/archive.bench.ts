import { env } from "cloudflare:workers";
import { it } from "vitest";
import { runArchive } from "../src/archive/job";
import { storeBenchEvents } from "./events";

/**
 * The R2 archive (issue 16): bytes per event in Parquet against D1 for the same 20,000 events of
 * a vendor, and how many stored events the archive job writes per second (read from D1, Parquet,
 * SHA-256, R2 put, manifest), one run after another until nothing is left.
 */
const report = (name: string, value: string | number) => console.log(`BENCH ${name} ${value}`);
const size = async () => (await env.DB.prepare("SELECT 1").run()).meta.size_after ?? 0;

it("archive: Parquet bytes per event vs D1, and events archived per second", async () => {
  const n = 20_000;
  let archived = 0;
  let ms = 0;
  for (const type of ["turbopuffer", "circleci"]) {
    const source = { id: `archive-${type}`, type };
    const before = await size();
    await storeBenchEvents(env, source.id, type, n, 7_000_000);
    const d1 = ((await size()) - before) / n;
    let bytes = 0;
    let rows = 0;
    const t = performance.now();
    for (;;) {
      const run = await runArchive(env, Date.now(), { throughNow: true });
      bytes += run.bytes;
      rows += run.rows;
      if (run.status === "done") break;
    }
    ms += performance.now() - t;
    archived += rows;
    report(`archive_parquet_bytes_per_event ${type}`, Math.round(bytes / rows));
    report(`archive_d1_bytes_per_event ${type}`, Math.round(d1));
    report(`archive_bytes_ratio ${type}`, (bytes / rows / d1).toFixed(3));
  }
  report("archive_events_per_s", Math.round(archived / (ms / 1000)));
});
