/** echo mode (RFC 862): every byte comes back unchanged; the identity behind the `Uppercaser` interface. */

import { Buffer } from "node:buffer";
import type { Uppercaser } from "./uppercaser.js";

/** Never holds anything, never changes a byte or the length. */
export class EchoTransform implements Uppercaser {
  readonly heldBytes = 0;
  readonly keptCharacters = 0;

  push(chunk: Uint8Array, inPlace = false): Buffer {
    if (inPlace && Buffer.isBuffer(chunk)) return chunk;
    return Buffer.from(chunk);
  }

  end(): Buffer {
    return Buffer.alloc(0);
  }

  transformOwned(input: Buffer): Buffer {
    return input;
  }
}
