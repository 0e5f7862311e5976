// The transform alone, no sockets: GB/s of each kernel over 64 MiB in 64 KiB chunks, the
// median of 7 passes. Run after `npm run build` (tsx's module wrappers would slow it down):
//   node bench/transform-speed.mjs
import { createUppercaser } from "../dist/index.js";

const sizeBytes = 64 * 1024 * 1024;
const chunkBytes = 64 * 1024;
const ascii = Buffer.alloc(sizeBytes, "the quick brown fox jumps over the lazy dog 0123456789 ");
const spanish = Buffer.alloc(sizeBytes, "el pingüino ñandú comió árboles y cigüeñas en la ciudad; ");
// Text of 2-byte letters (the WebAssembly kernel's), and text that stops the kernel often.
const greek = Buffer.alloc(sizeBytes, "η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο ");
const vietnamese = Buffer.alloc(
  sizeBytes,
  "Tiếng Việt là ngôn ngữ của người Việt và là ngôn ngữ chính thức; đường phố ",
);
const symbols = Buffer.alloc(sizeBytes, "é€é€ñ“ü” ");
const cases = [
  ["ascii mode, ASCII text", "ascii", ascii],
  ["unicode mode, ASCII text", "unicode", ascii],
  ["unicode mode, Spanish text", "unicode", spanish],
  ["unicode mode, Greek text", "unicode", greek],
  ["unicode mode, Vietnamese", "unicode", vietnamese],
  ["unicode mode, é€ñ“ü” ...", "unicode", symbols],
];
for (const [name, mode, text] of cases) {
  const seconds = [];
  for (let pass = 0; pass < 7; pass++) {
    const copy = Buffer.from(text);
    const uppercaser = createUppercaser({ mode });
    const start = process.hrtime.bigint();
    for (let offset = 0; offset < sizeBytes; offset += chunkBytes) {
      uppercaser.push(copy.subarray(offset, offset + chunkBytes), true);
    }
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  seconds.sort((a, b) => a - b);
  process.stdout.write(`${name.padEnd(28)} ${(sizeBytes / seconds[3] / 1e9).toFixed(2)} GB/s\n`);
}
