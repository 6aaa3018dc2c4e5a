import { AppError } from "../lib/errors";
import { readLimited, TooLargeError } from "../parse/bytes";

/** A vendor's small notification body (SNS, Pub/Sub) as text: 413 past `maxBytes`. */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  try {
    const bytes = req.body ? await readLimited(req.body, maxBytes) : new Uint8Array();
    return new TextDecoder().decode(bytes);
  } catch (err) {
    if (err instanceof TooLargeError)
      throw new AppError("body_too_large", `body is larger than ${maxBytes} bytes`);
    throw new AppError("body_unreadable", "the request body could not be read");
  }
}
