/**
 * The answer of the Queue service's Get Messages
 * (learn.microsoft.com/rest/api/storageservices/get-messages): a <QueueMessagesList> of
 * <QueueMessage> elements, of which MessageId, PopReceipt, DequeueCount and MessageText are
 * read. A small parser for this one fixed shape (workerd has no DOMParser): no DTD, no entity
 * but the five predefined and numeric references, linear in the input (bounded by the caller).
 */

export interface QueueMessage {
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
  messageText: string;
}

export class QueueXmlError extends Error {}

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Text content with its entities and character references decoded. */
function decodeText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (all, ref: string) => {
    if (ref.startsWith("#x")) return codePoint(Number.parseInt(ref.slice(2), 16), all);
    if (ref.startsWith("#")) return codePoint(Number.parseInt(ref.slice(1), 10), all);
    const named = NAMED[ref];
    if (named === undefined) throw new QueueXmlError(`unknown entity ${all}`);
    return named;
  });
}

function codePoint(n: number, all: string): string {
  if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new QueueXmlError(`bad reference ${all}`);
  return String.fromCodePoint(n);
}

/** The text of the one <tag> child of `element`, or undefined when there is none. */
function child(element: string, tag: string): string | undefined {
  const open = element.indexOf(`<${tag}>`);
  if (open < 0) return element.includes(`<${tag}/>`) ? "" : undefined;
  const start = open + tag.length + 2;
  const end = element.indexOf(`</${tag}>`, start);
  if (end < 0) throw new QueueXmlError(`<${tag}> is not closed`);
  const text = element.slice(start, end);
  if (text.includes("<")) throw new QueueXmlError(`<${tag}> holds markup`);
  return decodeText(text);
}

/** The messages of a Get Messages answer, in order; a QueueXmlError for any other shape. */
export function parseQueueMessages(xml: string): QueueMessage[] {
  if (!/<QueueMessagesList\s*\/?>/.test(xml))
    throw new QueueXmlError("not a QueueMessagesList (the answer of Get Messages)");
  const out: QueueMessage[] = [];
  let at = 0;
  for (;;) {
    const open = xml.indexOf("<QueueMessage>", at);
    if (open < 0) return out;
    const close = xml.indexOf("</QueueMessage>", open);
    if (close < 0) throw new QueueXmlError("<QueueMessage> is not closed");
    const element = xml.slice(open + "<QueueMessage>".length, close);
    at = close + "</QueueMessage>".length;
    const messageId = child(element, "MessageId");
    const popReceipt = child(element, "PopReceipt");
    if (!messageId || !popReceipt)
      throw new QueueXmlError("a QueueMessage without MessageId or PopReceipt");
    out.push({
      messageId,
      popReceipt,
      dequeueCount: Number(child(element, "DequeueCount") ?? 0),
      messageText: child(element, "MessageText") ?? "",
    });
  }
}
