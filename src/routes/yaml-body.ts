import { AppError } from "../lib/errors";
import { readBodyText } from "../transports/read-body";

/** A PUT of YAML (a rule file, a pipeline): Content-Type checked (415), size capped (413). */

const YAML_TYPES = new Set(["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"]);

export async function readYamlBody(req: Request, maxBytes: number, what: string): Promise<string> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!YAML_TYPES.has(type))
    throw new AppError(
      "unsupported_content_type",
      `send the ${what} as Content-Type: application/yaml`,
    );
  return readBodyText(req, maxBytes);
}
