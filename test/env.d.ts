/// <reference types="vite/client" />

/**
 * The pool's own module (@cloudflare/vitest-pool-workers 0.15, dist/worker/lib/cloudflare/
 * test-internal.mjs), which `cloudflare:test` re-exports in part. test/setup.ts awaits, at the end
 * of each file, the `waitUntil` promises of the Worker's handlers (the pool collects them there).
 */
declare module "cloudflare:test-internal" {
  export function waitForGlobalWaitUntil(): Promise<void>;
}
