import { AppError } from "../lib/errors";
import { readLimited, TooLargeError } from "../lib/read-limited";

export const tooLarge = (maxBytes: number) =>
  new AppError("body_too_large", `body is larger than ${maxBytes} bytes`);

/** The body as sent, bounded (413 past `maxBytes`, whatever Content-Length says). */
export async function readBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  if (Number(req.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge(maxBytes);
  try {
    return req.body ? await readLimited(req.body, maxBytes) : new Uint8Array();
  } catch (err) {
    if (err instanceof TooLargeError) throw tooLarge(maxBytes);
    throw new AppError("body_unreadable", "the request body could not be read");
  }
}

/** A vendor's small notification body (SNS, Pub/Sub) as text. */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readBody(req, maxBytes));
}
