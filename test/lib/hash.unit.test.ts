import { describe, expect, it } from "vitest";
import { rowId, sha256Hex, storableText } from "../../src/lib/hash";

/*
 * rowId and storableText against the forms they had before their fast paths (a scan for a
 * surrogate before the code-unit loop, only the 128 bits the id keeps written as hex): the
 * same ids and the same stored text, with WebCrypto's digest as the hash.
 */

function hasLoneSurrogateRef(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return true;
  }
  return false;
}
const MARK = "\uffff";
const injectiveRef = (s: string) =>
  hasLoneSurrogateRef(s) || s.startsWith(MARK) ? `${MARK}${JSON.stringify(s)}` : s;
const rowIdRef = async (sourceID: string, eventID: string) =>
  (await sha256Hex(`${sourceID}\n${injectiveRef(eventID)}`)).slice(0, 32);
function storableRef(s: string): string {
  if (!hasLoneSurrogateRef(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += s.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += `\\u${c.toString(16)}`;
    else out += s[i];
  }
  return out;
}

let seed = 5;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed % n;
};
const ALPHABET = ["a", "7", "-", "é", "€", "𝄞", "\ud800", "\udbff", "\udc00", "\udfff", MARK];
const randomText = (max: number) => {
  let s = "";
  for (let i = rand(max); i > 0; i--) s += ALPHABET[rand(ALPHABET.length)];
  return s;
};

describe("rowId and storableText", () => {
  const ids = [
    "",
    "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    "a".repeat(64),
    "x".repeat(51),
    "x".repeat(52),
    "x".repeat(200),
    "pair 𝄞",
    "lone \ud800",
    "\udfff",
    `${MARK}marked`,
    `not first ${MARK}`,
  ];
  for (let i = 0; i < 400; i++) ids.push(randomText(i < 300 ? 12 : 120));

  it("gives the ids of the reference (every block edge, surrogates, the mark)", async () => {
    for (const source of ["turbopuffer", "a", "source-é"])
      for (const id of ids)
        expect(rowId(source, id), JSON.stringify(id)).toBe(await rowIdRef(source, id));
  });

  it("stores the text of the reference", () => {
    for (const id of ids) expect(storableText(id), JSON.stringify(id)).toBe(storableRef(id));
  });

  it("keeps ids apart that differ only in an unpaired surrogate", () => {
    expect(rowId("s", "sur-\ud800")).not.toBe(rowId("s", "sur-\udbff"));
  });
});
