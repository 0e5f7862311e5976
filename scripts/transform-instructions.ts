// Instructions per MiB of the built unicode transform (callgrind), which a shared machine's load does not move.
// npm run build && npx tsx scripts/transform-instructions.ts [--passes 4] [--text spanish,ascii]
// Each text runs twice under valgrind, with 0 and with N passes over 16 MiB in 64 KiB reads, in
// place; the difference divided by the MiB uppercased leaves out Node's start and the set-up.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const TEXTS: Record<string, string> = {
  ascii: "The Quick Brown Fox Jumps Over The Lazy Dog; PACK MY BOX.\n",
  spanish: "El Pingüino Y LA CIGÜEÑA comían piñas en el ÁRBOL; ¡Qué Útil!\n",
};
const MIB_PER_PASS = 16;

const { values } = parseArgs({
  options: { passes: { type: "string", default: "4" }, text: { type: "string", default: "spanish,ascii" } },
});
const passes = Number(values.passes);
if (!Number.isInteger(passes) || passes < 1) throw new Error("--passes takes a whole number >= 1");
const transformIndex = fileURLToPath(new URL("../dist/transform/index.js", import.meta.url));

/** The program under valgrind: the set-up, then `passes` passes over a fresh copy of the text. */
function program(sentence: string, passCount: number): string {
  return `
    const { createUppercaser } = await import(${JSON.stringify(transformIndex)});
    const base = Buffer.alloc(${MIB_PER_PASS} << 20).fill(Buffer.from(${JSON.stringify(sentence)}));
    const work = Buffer.alloc(base.length);
    for (let pass = 0; pass < ${passCount}; pass++) {
      base.copy(work);
      const uppercaser = createUppercaser({ mode: "unicode" });
      for (let offset = 0; offset < work.length; offset += 65536)
        uppercaser.push(work.subarray(offset, Math.min(offset + 65536, work.length)), true);
    }`;
}

function instructions(sentence: string, passCount: number): number {
  const directory = mkdtempSync(join(tmpdir(), "mayus-instructions-"));
  try {
    const output = join(directory, "callgrind.out");
    execFileSync(
      "valgrind",
      [
        "--tool=callgrind",
        `--callgrind-out-file=${output}`,
        process.execPath,
        "--input-type=module",
        "-e",
        program(sentence, passCount),
      ],
      { stdio: ["ignore", "ignore", "ignore"] },
    );
    const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(output, "utf8"));
    if (totals === null) throw new Error(`no instruction total in ${output}`);
    return Number(totals[1]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

for (const name of values.text.split(",")) {
  const sentence = TEXTS[name];
  if (sentence === undefined) throw new Error(`--text: ${name} is not one of ${Object.keys(TEXTS).join(", ")}`);
  const perMib = (instructions(sentence, passes) - instructions(sentence, 0)) / (passes * MIB_PER_PASS);
  process.stdout.write(`${name} text, unicode: ${(perMib / 1e6).toFixed(1)} M instructions per MiB\n`);
}
