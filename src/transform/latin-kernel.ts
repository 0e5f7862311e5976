/**
 * The unicode mode's fast path for text in Latin, Greek, Cyrillic and other scripts whose
 * letters are 2-byte UTF-8 characters, in WebAssembly (latin-kernel.wat): ASCII eight bytes
 * per step, 2-byte characters by the same table as the JavaScript loop, and a stop at anything
 * else, which the caller's general path takes. JavaScript has neither the 64-bit words nor
 * loops without bounds checks that make it about 1.5 times faster on Spanish text.
 */

import { TWO_BYTE_UPPERCASE } from "./case-table.js";
import { LATIN_KERNEL_WASM_BASE64 } from "./latin-kernel-wasm.js";

interface LatinKernelExports {
  memory: { buffer: ArrayBuffer };
  uppercaseLatin(position: number, end: number): number;
}

/** Node's WebAssembly global, as far as used here (this project's TypeScript libs omit it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

/** The bytes the kernel works on at once: a call copies a window in and the part it handled out. */
const MAX_WINDOW_BYTES = 16 * 1024;
/** The first window of a call: small, since text that stops the kernel often would copy in vain. */
const FIRST_WINDOW_BYTES = 256;
/** Where the window starts in the kernel's memory, after the 2-byte table. */
const WINDOW_START = TWO_BYTE_UPPERCASE.byteLength;

const kernel = (() => {
  const module = new WebAssembly.Module(Buffer.from(LATIN_KERNEL_WASM_BASE64, "base64"));
  const exports = new WebAssembly.Instance(module).exports as unknown as LatinKernelExports;
  new Uint16Array(exports.memory.buffer, 0, TWO_BYTE_UPPERCASE.length).set(TWO_BYTE_UPPERCASE);
  // The module never grows its memory, so this view stays valid; Buffer.copy moves the windows
  // without a new view per copy.
  return { uppercaseLatin: exports.uppercaseLatin, memory: Buffer.from(exports.memory.buffer) };
})();

/**
 * Uppercases `bytes[start..end)` in place as far as it is ASCII and 2-byte characters whose
 * uppercase is also 2 bytes; returns the index where it stopped (`end`, or the first byte of
 * a character it leaves to the caller: longer, ill-formed, growing, or cut at `end`).
 *
 * @example
 * const bytes = Buffer.from("ñandú €");
 * uppercaseLatinInPlace(bytes, 0, bytes.length); // 7, at "€"; bytes begin "ÑANDÚ "
 */
export function uppercaseLatinInPlace(bytes: Buffer, start: number, end: number): number {
  const { memory, uppercaseLatin } = kernel;
  let position = start;
  let windowBytes = FIRST_WINDOW_BYTES;
  while (position < end) {
    const length = Math.min(windowBytes, end - position);
    bytes.copy(memory, WINDOW_START, position, position + length);
    const handled = uppercaseLatin(WINDOW_START, WINDOW_START + length) - WINDOW_START;
    memory.copy(bytes, position, WINDOW_START, WINDOW_START + handled);
    position += handled;
    // A stop inside the window is the caller's character, unless it is a 2-byte letter the
    // window's end cut in two: the next window starts with it.
    const cutByWindow = handled === length - 1 && position + 1 < end && (bytes[position] & 0xe0) === 0xc0;
    if (handled < length && !cutByWindow) return position;
    windowBytes = Math.min(MAX_WINDOW_BYTES, windowBytes * 2);
  }
  return position;
}
