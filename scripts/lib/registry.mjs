// The Worker's vendor registry and the vendors' local mocks, imported into a Node script
// (scripts/start.mjs, scripts/mock-vendors.mjs): every vendor folder with a mock.ts has one, and
// every polled manifest vendor one made from its manifest and fixtures (src/vendors/manifest/mock-api.ts).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { importWorkerCode, root } from "./import-worker-code.mjs";
import { fixturePages } from "./manifests.mjs";

/** `vendors`: the registry (src/vendors/index.ts); `mocks`: type → its VendorMock. */
export async function loadRegistry() {
  const dir = join(root, "src", "vendors");
  const withMock = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "mock.ts")))
    .map((d) => d.name);
  const mod = await importWorkerCode(
    [
      `export { VENDORS } from "./src/vendors/index.ts";`,
      ...withMock.map((v, i) => `export { mock as m${i} } from "./src/vendors/${v}/mock.ts";`),
      `export { MANIFESTS } from "./src/vendors/manifests.gen.ts";`,
      `export { fixtureEvents, manifestMock } from "./src/vendors/manifest/mock-api.ts";`,
    ].join("\n"),
  );
  const mocks = Object.fromEntries(withMock.map((v, i) => [v, mod[`m${i}`]]));
  for (const m of mod.MANIFESTS.filter((m) => m.poll))
    mocks[m.type] = mod.manifestMock(m, mod.fixtureEvents(m, fixturePages(m.type)));
  return { vendors: mod.VENDORS, mocks };
}
