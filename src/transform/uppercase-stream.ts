/** The transform as a Node `Transform` stream, for `pipeline()` users of the library. */

import type { Buffer } from "node:buffer";
import { type TransformOptions as StreamOptions, Transform, type TransformCallback } from "node:stream";
import type { TransformOptions } from "./options.js";
import { createUppercaser, type Uppercaser } from "./uppercaser.js";

/**
 * A byte stream in, its uppercase out; a character split across chunks is still converted.
 *
 * @example
 * ```ts
 * import { UppercaseStream } from "./uppercase-stream.js";
 * import { pipeline } from "node:stream/promises";
 * await pipeline(process.stdin, new UppercaseStream({ mode: "unicode" }), process.stdout);
 * ```
 */
export class UppercaseStream extends Transform {
  readonly #uppercaser: Uppercaser;

  constructor(options: TransformOptions = {}, streamOptions: StreamOptions = {}) {
    super({ ...streamOptions, decodeStrings: true });
    this.#uppercaser = createUppercaser(options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const output = this.#uppercaser.push(chunk);
    callback(null, output.length > 0 ? output : undefined);
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.#uppercaser.end();
    callback(null, rest.length > 0 ? rest : undefined);
  }
}
