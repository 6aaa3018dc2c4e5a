import { importWorkerCode } from "/work/main/scripts/lib/import-worker-code.mjs";
const mod = await importWorkerCode(`export { VENDORS } from "./src/vendors/index.ts";
  export { toRow } from "./src/store/rows.ts";
  export { benchEvent } from "./bench/events.ts";`);
const which = process.argv[2] ?? "turbopuffer";
const vendor = mod.VENDORS.find((v) => v.type === which);
const raws = Array.from({ length: 1000 }, (_, i) => JSON.stringify(mod.benchEvent(which, i)));
const source = { id: which, type: which };
async function run(n) {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const raw = raws[i % raws.length];
    const value = JSON.parse(raw);
    const out = await vendor.normalizer.normalize({ value, raw });
    if (!out.ok) throw new Error(out.message);
    await mod.toRow(source, out.event, 0, { view: vendor.view, parsed: value });
  }
  return n / ((performance.now() - t) / 1000);
}
await run(20000);
console.log(which, Math.round(await run(100000)), "events/s");
