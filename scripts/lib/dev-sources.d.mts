/** Types of dev-sources.mjs, for the TypeScript test that checks it. */
export interface DevSources {
  sources: Array<Record<string, unknown> & { id: string; type: string }>;
  vars: Record<string, string>;
}
export function derivedDevSources(
  sources: ReadonlyArray<{ type: string; [field: string]: unknown }>,
  vendors: ReadonlyArray<{ type: string; transports: readonly string[] }>,
  mocks: Record<
    string,
    { prefix: string; token: string; devFields?: Record<string, string> } | undefined
  >,
  mockBase: string,
): DevSources;
export function withDevSources(text: string, added: DevSources): string;
export function devVarsSources(text: string): Array<Record<string, unknown>> | null;
