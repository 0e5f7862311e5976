// The I/O path report: native where build/ has the modules, Node's own I/O (and how to build
// them) where it has not, in the log line and in /metrics.

import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { PROJECT_ROOT, peerAvailable, run } from "../../test/support/processes.js";
import { createMetricsRegistry } from "../observability/metrics.js";
import { TcpServer } from "../tcp/tcp-server.js";
import { UdpServer } from "../udp/udp-server.js";
import { ioPathReport } from "./io-path.js";

const noCompiler = !peerAvailable("cc") && "no C compiler (cc): the native modules are not built";

test("with the native modules built, both protocols take the native path", { skip: noCompiler }, () => {
  const report = ioPathReport();
  assert.deepEqual(
    report.map(({ protocol, path }) => ({ protocol, path })),
    [
      { protocol: "tcp", path: "native" },
      { protocol: "udp", path: "native" },
    ],
  );
  for (const { reason } of report) assert.match(reason, /^native syscalls: /);
});

/** The built package (dist/, package.json, node_modules) in a folder of its own, with `build` as build/. */
function packageCopy(build: Record<string, string> | undefined): string {
  const folder = mkdtempSync(join(tmpdir(), "mayus-io-path-"));
  cpSync(join(PROJECT_ROOT, "dist"), join(folder, "dist"), { recursive: true });
  cpSync(join(PROJECT_ROOT, "package.json"), join(folder, "package.json"));
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(folder, "node_modules"));
  if (build !== undefined) {
    mkdirSync(join(folder, "build"));
    for (const [name, content] of Object.entries(build)) writeFileSync(join(folder, "build", name), content);
  }
  copies.push(folder);
  return folder;
}
const copies: string[] = [];
after(() => {
  for (const folder of copies) rmSync(folder, { recursive: true, force: true });
});

/** The report as a fresh process of the package in `folder` makes it. */
async function reportIn(folder: string): Promise<ReturnType<typeof ioPathReport>> {
  const module = JSON.stringify(join(folder, "dist/io/io-path.js"));
  const code = `const { ioPathReport } = await import(${module}); process.stdout.write(JSON.stringify(ioPathReport()));`;
  const finished = await run(process.execPath, ["--input-type=module", "-e", code]);
  assert.equal(finished.code, 0, finished.stderr);
  return JSON.parse(finished.stdout.toString());
}

test("without build/, both take Node's own I/O, and the reason says how to build the modules", async () => {
  const report = await reportIn(packageCopy(undefined));
  assert.deepEqual(
    report.map(({ path }) => path),
    ["node", "node"],
  );
  assert.match(
    report[0].reason,
    /native module was not built \(build\/stream-syscalls\.node\); run `npm rebuild mayus`/,
  );
  assert.match(
    report[1].reason,
    /native module was not built \(build\/datagram-syscalls\.node\); run `npm rebuild mayus`/,
  );
});

test("a module in build/ that does not load is named, with the loader's reason", async () => {
  const report = await reportIn(packageCopy({ "stream-syscalls.node": "", "datagram-syscalls.node": "" }));
  assert.deepEqual(
    report.map(({ path }) => path),
    ["node", "node"],
  );
  assert.match(report[0].reason, /build\/stream-syscalls\.node is there but not used \(.+\); run `npm rebuild mayus`/);
});

test("/metrics labels each protocol served with its I/O path", async () => {
  const tcp = new TcpServer({ host: "127.0.0.1", port: 0 });
  const udp = new UdpServer({ host: "127.0.0.1", port: 0 });
  const both = await createMetricsRegistry({ tcp, udp }).metrics();
  for (const { protocol, path } of ioPathReport())
    assert.match(both, new RegExp(`^mayus_io_path_info\\{protocol="${protocol}",path="${path}"\\} 1$`, "m"));
  const udpOnly = await createMetricsRegistry({ udp }).metrics();
  assert.doesNotMatch(udpOnly, /mayus_io_path_info\{protocol="tcp"/);
  assert.match(udpOnly, /mayus_io_path_info\{protocol="udp"/);
});
