/**
 * The unicode mode's fast path for text in Latin, Greek, Cyrillic and other scripts whose
 * letters are 2-byte UTF-8 characters, in WebAssembly (latin-kernel.wat): ASCII and Latin-1
 * letters (Spanish, French, German...) sixteen bytes per step in SIMD, other 2-byte characters
 * by the same table as the JavaScript loop, and a stop at anything else, which the caller's
 * general path takes. JavaScript has neither the 64-bit words nor
 * loops without bounds checks that make it faster on Spanish text (`node bench/transform-speed.mjs`
 * measures each kernel on Spanish, Greek and ASCII text). Also the
 * ASCII kernels for long runs, sixty-four bytes per step in SIMD: even with a copy in and a copy
 * out they beat JavaScript's four bytes per step on bulk reads (ascii.ts decides when).
 */

import { Buffer } from "node:buffer";
import { TWO_BYTE_UPPERCASE } from "./case-table.js";
import { LATIN_KERNEL_WASM_BASE64 } from "./latin-kernel-wasm.js";

interface LatinKernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  uppercaseLatin(position: number, end: number): number;
  uppercaseAscii(position: number, end: number): void;
  uppercaseAsciiRun(position: number, end: number): number;
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
/**
 * The ASCII kernels' window: a whole read of the TCP server's shared buffer at once (the
 * module's memory is two 64 KiB pages, the table taking the start of the first and the
 * kernel's constants the last 256 bytes of the second).
 */
const ASCII_WINDOW_BYTES = 64 * 1024;
/** A WebAssembly page: the unit the module's memory grows by. */
const PAGE_BYTES = 64 * 1024;
/**
 * Where reads may land (`kernelReadWindow`): pages added at load after the first two, apart
 * from the window the copying calls use, so that a copy never lands on bytes a server is answering.
 */
const READ_WINDOW_START = 2 * PAGE_BYTES;
/**
 * The read window's size: a whole read of the TCP server's shared buffer, or a turn's reads of
 * many sockets at once, each up to 64 KiB (BatchedReads).
 */
export const KERNEL_READ_WINDOW_BYTES = 8 * PAGE_BYTES;

const kernel = (() => {
  const module = new WebAssembly.Module(Buffer.from(LATIN_KERNEL_WASM_BASE64, "base64"));
  const exports = new WebAssembly.Instance(module).exports as unknown as LatinKernelExports;
  exports.memory.grow(KERNEL_READ_WINDOW_BYTES / PAGE_BYTES);
  const buffer = exports.memory.buffer;
  new Uint16Array(buffer, 0, TWO_BYTE_UPPERCASE.length).set(TWO_BYTE_UPPERCASE);
  // The memory grows only above, before these views are made, so they stay valid; Buffer.copy
  // moves the windows without a new view per copy.
  return {
    uppercaseLatin: exports.uppercaseLatin,
    uppercaseAscii: exports.uppercaseAscii,
    uppercaseAsciiRun: exports.uppercaseAsciiRun,
    buffer,
    memory: Buffer.from(buffer),
  };
})();

/**
 * Memory of the kernel's own that reads may land in (the TCP server's shared read buffer):
 * bytes there are uppercased where they are, in SIMD, with no copy in and out, so
 * even a ping-pong's 512-byte messages go to the kernel (`inKernelMemory`). The same memory for
 * every caller in a thread, as the shared read buffer is: what lands there is the receiver's
 * only until the next read.
 *
 * @example
 * ```ts
 * import { kernelReadWindow, uppercaseAsciiRunInKernel } from "./latin-kernel.js";
 * const window = kernelReadWindow(); // 512 KiB
 * const read = window.subarray(0, window.write("hola"));
 * uppercaseAsciiRunInKernel(read, 0, read.length); // 4, in place: read is "HOLA"
 * ```
 */
export function kernelReadWindow(): Buffer {
  return kernel.memory.subarray(READ_WINDOW_START, READ_WINDOW_START + KERNEL_READ_WINDOW_BYTES);
}

/**
 * The last view asked about, and the answer. A server hands the same view of its read memory
 * again for reads of the same length, and `.buffer` is a call into V8's C++ each time; a view
 * never changes its memory, and this memory never grows after load, so the answer stays true.
 */
let lastViewAsked: Uint8Array | undefined;
let lastViewInKernel = false;

/** Whether `bytes` lies in the kernel's memory (`kernelReadWindow`): the kernel then works in place. */
export function inKernelMemory(bytes: Uint8Array): boolean {
  if (bytes !== lastViewAsked) {
    lastViewAsked = bytes;
    lastViewInKernel = bytes.buffer === kernel.buffer;
  }
  return lastViewInKernel;
}

/**
 * Uppercases `bytes[start..end)` in place as far as it is ASCII and 2-byte characters whose
 * uppercase is also 2 bytes; returns the index where it stopped (`end`, or the first byte of
 * a character it leaves to the caller: longer, ill-formed, growing, or cut at `end`).
 *
 * @example
 * ```ts
 * import { uppercaseLatinInPlace } from "./latin-kernel.js";
 * const bytes = Buffer.from("ñandú €");
 * uppercaseLatinInPlace(bytes, 0, bytes.length); // 7, at "€"; bytes begin "ÑANDÚ "
 * ```
 */
export function uppercaseLatinInPlace(bytes: Buffer, start: number, end: number): number {
  const { memory, uppercaseLatin } = kernel;
  if (inKernelMemory(bytes)) {
    const base = bytes.byteOffset;
    return uppercaseLatin(base + start, base + end) - base;
  }
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

/**
 * Uppercases `a`-`z` in `bytes[start..end)` in place, sixty-four bytes per step in SIMD; other bytes stay.
 *
 * @example
 * ```ts
 * import { uppercaseAsciiInKernel } from "./latin-kernel.js";
 * const bytes = Buffer.from("abc\xff");
 * uppercaseAsciiInKernel(bytes, 0, bytes.length); // bytes is now "ABC\xff"
 * ```
 */
export function uppercaseAsciiInKernel(bytes: Uint8Array, start: number, end: number): void {
  const { memory, uppercaseAscii } = kernel;
  if (inKernelMemory(bytes)) {
    uppercaseAscii(bytes.byteOffset + start, bytes.byteOffset + end);
    return;
  }
  for (let position = start; position < end; position += ASCII_WINDOW_BYTES) {
    const length = Math.min(ASCII_WINDOW_BYTES, end - position);
    memory.set(bytes.subarray(position, position + length), WINDOW_START);
    uppercaseAscii(WINDOW_START, WINDOW_START + length);
    bytes.set(memory.subarray(WINDOW_START, WINDOW_START + length), position);
  }
}

/**
 * Uppercases in place from `start` while the bytes are ASCII; returns the index of the first
 * byte >= 0x80 (or `end`), from which nothing was changed.
 *
 * @example
 * ```ts
 * import { uppercaseAsciiRunInKernel } from "./latin-kernel.js";
 * const bytes = Buffer.from("año");
 * uppercaseAsciiRunInKernel(bytes, 0, bytes.length); // 1; bytes begin "A"
 * ```
 */
export function uppercaseAsciiRunInKernel(bytes: Uint8Array, start: number, end: number): number {
  const { memory, uppercaseAsciiRun } = kernel;
  if (inKernelMemory(bytes)) {
    const base = bytes.byteOffset;
    return uppercaseAsciiRun(base + start, base + end) - base;
  }
  // Windows grow from small, as in uppercaseLatinInPlace: a run that stops after a few bytes
  // (text of 3-byte characters between ASCII) must not copy 64 KiB in for them.
  let windowBytes = FIRST_WINDOW_BYTES;
  for (let position = start; position < end; ) {
    const length = Math.min(windowBytes, end - position);
    memory.set(bytes.subarray(position, position + length), WINDOW_START);
    const handled = uppercaseAsciiRun(WINDOW_START, WINDOW_START + length) - WINDOW_START;
    bytes.set(memory.subarray(WINDOW_START, WINDOW_START + handled), position);
    position += handled;
    if (handled < length) return position;
    windowBytes = Math.min(ASCII_WINDOW_BYTES, windowBytes * 2);
  }
  return end;
}
