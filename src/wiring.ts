import { pipelineSink } from "./pipeline/sink";
import type { Ports } from "./ports";
import { d1Ports } from "./store/ports";

/**
 * The entry wiring's ports (src/index.ts, src/app.ts): the store's state ports (D1) and the
 * pipeline's ingest sink. Transports receive these and import neither the store nor the pipeline.
 * A request's `ctx` lets the sink finish work after the response (the alert outbox).
 */
export const portsOf = (env: Env, ctx?: Pick<ExecutionContext, "waitUntil">): Ports => ({
  ...d1Ports(env),
  ingest: pipelineSink(env, ctx),
});
