import { pipelineSink } from "./pipeline/sink";
import type { Ports } from "./ports";
import { d1Ports } from "./store/ports";

/**
 * The entry wiring's ports (src/index.ts, src/app.ts): the store's state ports (D1) and the
 * pipeline's ingest sink. Transports receive these and import neither the store nor the pipeline.
 */
export const portsOf = (env: Env): Ports => ({ ...d1Ports(env), ingest: pipelineSink(env) });
