/** A secret or var by name (names come from the config, so they are not in the Env type). */
export function readSecret(env: object, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = (env as Record<string, unknown>)[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
