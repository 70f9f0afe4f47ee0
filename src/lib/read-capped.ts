/**
 * Reads a response body (undici's, or any stream of bytes) up to `limit` bytes. Past the limit it stops
 * reading and says `truncated`, with the bytes before the chunk that crossed it; leaving the loop early
 * destroys the stream, which releases the connection. Answers from outside are read only this way, so none
 * can fill the memory.
 */
export async function readCapped(
  body: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ buffer: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) return { buffer: Buffer.concat(chunks), truncated: true };
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return { buffer: Buffer.concat(chunks), truncated: false };
}
