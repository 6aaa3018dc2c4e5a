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
