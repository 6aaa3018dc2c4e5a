/** Helpers of the parse tests, free of bindings (they run in Node: see docs/testing.md). */

/** `text` gzipped by the platform's CompressionStream (what a vendor's gzip upload looks like). */
export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
