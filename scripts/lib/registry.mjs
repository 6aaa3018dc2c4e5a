// The Worker's vendor registry and the vendors' local mocks, imported into a Node script
// (scripts/start.mjs, scripts/mock-vendors.mjs): every vendor folder with a mock.ts has one.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { importWorkerCode, root } from "./import-worker-code.mjs";

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
    ].join("\n"),
  );
  const mocks = Object.fromEntries(withMock.map((v, i) => [v, mod[`m${i}`]]));
  return { vendors: mod.VENDORS, mocks };
}
