import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** A pinned Sigma file of test/fixtures/sigma/ (one `{path, yaml}` JSON object a line, gzipped). */
export interface SigmaFixture {
  path: string;
  yaml: string;
}

export function sigmaFixture(name: string): SigmaFixture[] {
  const text = gunzipSync(readFileSync(`test/fixtures/sigma/${name}`)).toString("utf8");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as SigmaFixture);
}
