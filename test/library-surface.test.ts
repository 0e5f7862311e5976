// The library's public surface, as a user imports it (the package's own name, through its
// exports, from dist/): `mayus` has what a program needs to serve or to ask, `mayus/internals`
// the building blocks; and the API reference (`npm run docs`) builds without a warning.

import assert from "node:assert/strict";
import { test } from "node:test";
import { run } from "./support/processes.js";

/** The names a fresh Node process sees when it imports `specifier` (run in the project: a self-reference). */
async function exportedNames(specifier: string): Promise<string[]> {
  const listing = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`;
  const finished = await run(process.execPath, ["--input-type=module", "-e", listing]);
  assert.equal(finished.code, 0, finished.stderr);
  return (JSON.parse(finished.stdout.toString()) as string[]).sort();
}

const INTERNAL = ["BufferBudget", "ReflectionGuard", "uppercaseAsciiInPlace"];

test('"mayus" exports the servers, the clients, the transform, their defaults and errors, nothing else', async () => {
  assert.deepEqual(await exportedNames("mayus"), [
    "ASCII_GROWTH",
    "AddressFilter",
    "DEFAULT_PORT",
    "EXIT_CODES",
    "LOOP_BREAKER_DEFAULTS",
    "MAX_IPV4_DATAGRAM_BYTES",
    "MAX_LOCALE_LOWERCASE_GROWTH",
    "MAX_LOWERCASE_GROWTH",
    "MAX_UNICODE_GROWTH",
    "MayusError",
    "PINGER_DEFAULTS",
    "Pinger",
    "RATE_LIMIT_DEFAULTS",
    "TCP_CLIENT_DEFAULTS",
    "TCP_DEFAULTS",
    "TRANSFORM_MODES",
    "TcpClient",
    "TcpConnection",
    "TcpServer",
    "TransformOptionsError",
    "UDP_CLIENT_DEFAULTS",
    "UDP_DEFAULTS",
    "UdpClient",
    "UdpServer",
    "UppercaseStream",
    "createUppercaser",
    "generateSelfSigned",
    "maxDatagramBytes",
    "readLines",
    "selfSignedNames",
    "uppercase",
  ]);
});

test('"mayus/internals" holds the building blocks the main entry no longer exports', async () => {
  const internals = await exportedNames("mayus/internals");
  for (const name of INTERNAL) assert.ok(internals.includes(name), `mayus/internals exports ${name}`);
  const main = await exportedNames("mayus");
  assert.deepEqual(
    internals.filter((name) => main.includes(name)),
    [],
  );
});

test("npm run docs builds the API reference without a warning", { timeout: 120_000 }, async () => {
  // `--emit none`: every check of a real build (typedoc.json treats warnings as errors), no files written.
  const finished = await run("npm", ["run", "docs", "--silent", "--", "--emit", "none"], "", { timeoutMs: 120_000 });
  const output = `${finished.stdout.toString()}${finished.stderr}`;
  assert.equal(finished.code, 0, output);
  assert.doesNotMatch(output, /warning|error/i);
});
