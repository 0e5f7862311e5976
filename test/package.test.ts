/**
 * The package as a user gets it: `npm pack`, then `npm install` of the tarball into an empty
 * folder (with install scripts, and with `--ignore-scripts`) and `npm install -g` into a folder of
 * its own, and serve, client, ping and bench run from there. Needs the npm registry (the
 * dependencies), as .ci/run does.
 */

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { PROJECT_ROOT, peerAvailable, run, type Started, start, waitForOutput } from "./support/processes.js";

const exec = promisify(execFile);
const noCompiler = !peerAvailable("cc") && "no C compiler (cc): the install script builds nothing";
/** What build-native.mjs builds here (stream-reads: on Linux only, epoll). */
const NATIVE_MODULES = [
  "build/datagram-syscalls.node",
  "build/load-loop.node",
  ...(process.platform === "linux" ? ["build/stream-reads.node"] : []),
  "build/stream-syscalls.node",
];

let work = "";
let tarball = "";
/** What `npm pack` put in the tarball, relative to the package root. */
let packed: string[] = [];

async function npm(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await exec("npm", [...args, "--no-audit", "--no-fund"], {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 300_000,
  });
  return stdout;
}

/** An empty project folder with the tarball installed in it (`flags` added to `npm install`). */
async function installInto(name: string, flags: readonly string[]): Promise<string> {
  const folder = join(work, name);
  await exec("mkdir", [folder]);
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: `try-${name}`, private: true }));
  await npm(["install", ...flags, tarball], folder);
  return folder;
}

let withScripts = "";
let withoutScripts = "";
let globalPrefix = "";

before(
  async () => {
    work = mkdtempSync(join(tmpdir(), "mayus-package-"));
    // --ignore-scripts: `prepare` would rebuild dist/ under the other tests running from it.
    const [packResult] = JSON.parse(
      await npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], PROJECT_ROOT),
    );
    tarball = join(work, packResult.filename);
    packed = packResult.files.map((file: { path: string }) => file.path);
    withScripts = await installInto("with-scripts", []);
    withoutScripts = await installInto("without-scripts", ["--ignore-scripts"]);
    globalPrefix = join(work, "global");
    await npm(["install", "--global", "--prefix", globalPrefix, tarball], work);
  },
  { timeout: 600_000 },
);

after(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

test("the tarball has the license, and the sources every source map points to", () => {
  assert.ok(packed.includes("LICENSE"));
  assert.match(readFileSync(join(PROJECT_ROOT, "LICENSE"), "utf8"), /^MIT License/);
  const maps = packed.filter((file) => file.endsWith(".js.map"));
  assert.ok(maps.length > 0);
  for (const map of maps) {
    const { sources } = JSON.parse(readFileSync(join(withScripts, "node_modules/mayus", map), "utf8"));
    for (const source of sources as string[]) {
      const target = join(map, "..", source).replace(/\\/g, "/");
      assert.ok(packed.includes(target), `${map} points to ${target}, which is in the tarball`);
    }
  }
  assert.deepEqual(
    packed.filter((file) => file.endsWith(".test.ts")),
    [],
  );
  // The web page (serve --web) ships whole: no CDN, no fetch at run time.
  for (const file of ["index.html", "app.js", "diagram.js", "style.css"]) {
    assert.ok(packed.includes(`dist/web/assets/${file}`), `dist/web/assets/${file} is in the tarball`);
  }
});

/** `mayus serve` from an installed copy, on loopback port 0, with its metrics port. */
async function serveFrom(mayus: string): Promise<Started & { tcpPort: number; udpPort: number; metrics: string }> {
  const server = start(mayus, ["serve", "--port", "0", "--host", "127.0.0.1", "--metrics-port", "0"]);
  const tcpPort = Number((await waitForOutput(server, /tcp \S*:(\d+)/))[1]);
  const udpPort = Number((await waitForOutput(server, /udp \S*:(\d+)/))[1]);
  const metricsPort = (await waitForOutput(server, /metrics on http port (\d+)/))[1];
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return { ...server, tcpPort, udpPort, metrics };
}

/** serve, then client (TCP and UDP), ping and bench against it, all from `bin`; returns /metrics. */
async function everyCommand(bin: string): Promise<string> {
  const mayus = join(bin, "mayus");
  const server = await serveFrom(mayus);
  try {
    const tcp = await run(mayus, ["client", "127.0.0.1", String(server.tcpPort)], "hola ñandú\n");
    assert.equal(tcp.code, 0, tcp.stderr);
    assert.equal(tcp.stdout.toString(), "HOLA ÑANDÚ\n");
    const udp = await run(mayus, ["client", "--udp", "127.0.0.1", String(server.udpPort)], "straße\n");
    assert.equal(udp.code, 0, udp.stderr);
    assert.equal(udp.stdout.toString(), "STRASSE\n");
    const ping = await run(mayus, ["ping", "127.0.0.1", String(server.udpPort), "--count", "3", "--interval", "0.1"]);
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout.toString(), /3 packets transmitted, 3 received, 0% packet loss/);
    const bench = await run(mayus, ["bench", "127.0.0.1", String(server.tcpPort), "--duration", "0.3", "--json"]);
    assert.equal(bench.code, 0, bench.stderr);
    assert.equal(JSON.parse(bench.stdout.toString()).port, server.tcpPort);
    return server.metrics;
  } finally {
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
  }
}

const ioPaths = (metrics: string) =>
  [...metrics.matchAll(/^mayus_io_path_info\{protocol="(\w+)",path="(\w+)"\} 1$/gm)].map(
    ([, protocol, path]) => `${protocol}:${path}`,
  );

test("installed with its install script: the native modules are built, and every command runs", async (t) => {
  const metrics = await everyCommand(join(withScripts, "node_modules/.bin"));
  if (noCompiler) return t.skip(noCompiler);
  for (const module of NATIVE_MODULES) assert.ok(existsSync(join(withScripts, "node_modules/mayus", module)), module);
  assert.deepEqual(ioPaths(metrics), ["tcp:native", "udp:native"]);
});

test("installed with --ignore-scripts: every command runs on Node's own I/O, and `npm rebuild mayus` builds the native modules", async (t) => {
  const installed = join(withoutScripts, "node_modules/mayus");
  assert.ok(!existsSync(join(installed, "build")), "no build/ without the install script");
  assert.deepEqual(ioPaths(await everyCommand(join(withoutScripts, "node_modules/.bin"))), ["tcp:node", "udp:node"]);
  if (noCompiler) return t.skip(noCompiler);
  // The hint build-native.mjs and the I/O path report give.
  await npm(["rebuild", "mayus"], withoutScripts);
  assert.deepEqual(
    readdirSync(join(installed, "build")).sort(),
    NATIVE_MODULES.map((module) => module.slice("build/".length)),
  );
  const server = await serveFrom(join(withoutScripts, "node_modules/.bin/mayus"));
  await server.stop();
  assert.deepEqual(ioPaths(server.metrics), ["tcp:native", "udp:native"]);
});

test("installed with npm install --global: every command runs from the prefix's bin", async () => {
  await everyCommand(join(globalPrefix, "bin"));
});

test("without a C compiler, the install script says so, names what works (`npm rebuild mayus`), and exits 0", async () => {
  const installed = join(withoutScripts, "node_modules/mayus");
  const finished = await run(process.execPath, [join(installed, "scripts/build-native.mjs")], "", {
    env: { CC: "no-such-compiler" },
  });
  assert.equal(finished.code, 0, finished.stderr);
  const lines = finished.stderr.trim().split("\n");
  assert.equal(lines.length, NATIVE_MODULES.length, finished.stderr);
  for (const line of lines)
    assert.match(
      line,
      /was not built \(no C compiler "no-such-compiler"\).*run `npm rebuild mayus` where mayus is installed/,
    );
});
