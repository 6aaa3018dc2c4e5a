const encoder = new TextEncoder();

/** UTF-8 length of a string; no copy for the usual all-ASCII text. */
export const utf8Length = (s: string): number =>
  /[\u0080-\uffff]/.test(s) ? encoder.encode(s).byteLength : s.length;
