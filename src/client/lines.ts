/** Lines of a byte stream, as bytes (no decoding, so no byte is altered): split at `\n`. */

const NEWLINE = 0x0a;
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Yields each line without its `\n`; a last line without `\n` is yielded too.
 *
 * @example
 * ```ts
 * import { readLines } from "./lines.js";
 * for await (const line of readLines(process.stdin)) console.log(line.length);
 * ```
 */
export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let rest = EMPTY;
  for await (const piece of input) {
    const chunk = typeof piece === "string" ? Buffer.from(piece) : piece;
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      const line = chunk.subarray(start, at);
      yield rest.length > 0 ? Buffer.concat([rest, line]) : line;
      rest = EMPTY;
      start = at + 1;
    }
    if (start < chunk.length)
      rest = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(start)]) : chunk.subarray(start);
  }
  if (rest.length > 0) yield rest;
}
