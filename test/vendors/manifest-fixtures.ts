import { fixtureEvents, manifestMock } from "../../src/vendors/manifest/mock-api";
import type { PolledManifest } from "../../src/vendors/manifest/schema";
import { MANIFESTS as ALL } from "../../src/vendors/manifests.gen";
import type { VendorMock } from "../../src/vendors/mock";

/** The polled manifests (push and files vendors keep their events in fixtures/index.ts). */
const MANIFESTS = ALL.filter(
  (m): m is (typeof ALL)[number] & PolledManifest => m.poll !== undefined,
);

/** Manifest vendors' fixtures (src/vendors/<type>/fixtures/page<N>.json: API answers) and mocks. */
const PAGES = import.meta.glob<unknown>("../../src/vendors/*/fixtures/page*.json", {
  eager: true,
  import: "default",
});

/** A fixture page's number: page<N>.json (other page*.json files are test scenarios). */
const pageNumber = (path: string) => Number(/\/page(\d+)\.json$/.exec(path)?.[1] ?? NaN);

/** The fixture events of each manifest vendor: the records of its pages, in page order. */
export const MANIFEST_FIXTURES: Record<string, unknown[]> = Object.fromEntries(
  MANIFESTS.map((m) => {
    const pages = Object.keys(PAGES)
      .filter((path) => path.split("/").at(-3) === m.type && !Number.isNaN(pageNumber(path)))
      .sort((a, b) => pageNumber(a) - pageNumber(b))
      .map((path) => PAGES[path]);
    return [m.type, fixtureEvents(m, pages)];
  }),
);

/**
 * Every vendor's fixture events, by type: src/vendors/<type>/fixtures/index.ts, and a manifest
 * vendor's fixtures/page*.json read through its record selector (MANIFEST_FIXTURES).
 */
export const VENDOR_FIXTURES: Record<string, unknown[]> = {
  ...Object.fromEntries(
    Object.entries(
      import.meta.glob<{ events: unknown[] }>("../../src/vendors/*/fixtures/index.ts", {
        eager: true,
      }),
    ).map(([path, mod]) => [path.split("/").at(-3), mod.events]),
  ),
  ...MANIFEST_FIXTURES,
};

/** A fresh mock of each manifest vendor, by type (as scripts/mock-vendors.mjs serves them). */
export const manifestMocks = (): Record<string, VendorMock> =>
  Object.fromEntries(
    MANIFESTS.map((m) => [m.type, manifestMock(m, MANIFEST_FIXTURES[m.type] ?? [])]),
  );
