/**
 * `npm run lint` runs dependency-cruiser over src/ with these rules (issue 22 item 11): an import
 * cycle can leave a value undefined in the production bundle only (wrangler orders the bundle's
 * top-level statements differently from vitest's module-by-module loading), so none is allowed,
 * type-only imports included (they become value imports with one edit).
 * dependency-cruiser 16: its 17+ needs Node 22.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: break it (a port, a lazily read value, or a module both import).",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "transports-not-to-store",
      severity: "error",
      comment:
        "Transports reach the store and the pipeline only through the ports (src/ports.ts: state ports and the ingest sink) the entry wiring (src/wiring.ts) hands them.",
      from: { path: "^src/transports/" },
      to: { path: "^src/(store|pipeline)/|^src/(catalog|wiring)\\.ts$" },
    },
    {
      name: "vendors-pure",
      severity: "error",
      comment: "A vendor is data and pure functions: no transport, store, route or pipeline.",
      from: { path: "^src/vendors/" },
      to: {
        path: "^src/(transports|store|routes|alerts|pipeline)/|^src/(catalog|index|app)\\.ts$",
      },
    },
    {
      name: "store-not-up",
      severity: "error",
      comment:
        "The store is the bottom I/O layer: its callers pass what it needs (specs, presenters).",
      from: { path: "^src/store/" },
      to: {
        path: "^src/(vendors|detect|alerts|transports|routes|pipeline)/|^src/catalog\\.ts$",
      },
    },
    {
      name: "detect-pure",
      severity: "error",
      comment: "The Sigma engine is pure: rules and stats come in as arguments or through a port.",
      from: { path: "^src/detect/" },
      to: {
        path: "^src/(store|transports|routes|alerts|pipeline)/|^src/(catalog|index|app)\\.ts$",
      },
    },
    {
      name: "pipeline-not-to-entry",
      severity: "error",
      comment:
        "The pipeline (prepare → ingest → replay) is called by transports and routes, never the reverse.",
      from: { path: "^src/pipeline/" },
      to: { path: "^src/routes/|^src/(index|app)\\.ts$" },
    },
    {
      name: "lib-imports-nothing-of-the-app",
      severity: "error",
      comment:
        "src/lib/ is the toolbox (errors, hashing, time, outbound calls, JWTs): it imports only itself and packages.",
      from: { path: "^src/lib/" },
      to: { path: "^src/", pathNot: "^src/lib/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that does not resolve.",
      from: { path: "^src/" },
      to: { couldNotResolve: true, dependencyTypesNot: ["core"], pathNot: "^cloudflare:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^src/client/|\\.test\\.ts$)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
