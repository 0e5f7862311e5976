// Loading the optional native modules from build/: what is missing is reported, never a crash,
// and MAYUS_NATIVE=0 switches them off (the pure TypeScript path).

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { test } from "node:test";
import { peerAvailable, startMayusServer } from "../../test/support/processes.js";
import { loadNativeModule, NATIVE_SWITCH } from "./native-module.js";

test("a module that was not built is unavailable, with the loader's reason", () => {
  const loaded = loadNativeModule("no-such-module", []);
  assert.equal(loaded.module, undefined);
  assert.match(loaded.unavailable ?? "", /no-such-module\.node/);
});

test("a module without a function the caller uses (built from older sources) is unavailable, naming it", {
  skip: !peerAvailable("cc") && "no C compiler (cc): the native modules are not built",
}, () => {
  assert.equal(typeof loadNativeModule<{ send: unknown }>("stream-syscalls", ["send"]).module?.send, "function");
  const older = loadNativeModule("stream-syscalls", ["send", "sendLater"]);
  assert.equal(older.module, undefined);
  assert.match(older.unavailable ?? "", /stream-syscalls\.node has no sendLater: .*older sources \(npm run build\)/);
});

/** The native modules a process has loaded: the build/*.node files mapped into its memory. */
function nativeModulesMapped(pid: number): string[] {
  const maps = readFileSync(`/proc/${pid}/maps`, "utf8");
  return [...new Set(maps.match(/[\w-]+\.node$/gm) ?? [])].sort();
}

test(`MAYUS_NATIVE=0 reports every module unavailable, naming the switch`, () => {
  const before = process.env[NATIVE_SWITCH];
  process.env[NATIVE_SWITCH] = "0";
  try {
    const loaded = loadNativeModule("stream-syscalls", ["send"]);
    assert.equal(loaded.module, undefined);
    assert.equal(loaded.unavailable, "switched off (MAYUS_NATIVE=0)");
  } finally {
    if (before === undefined) delete process.env[NATIVE_SWITCH];
    else process.env[NATIVE_SWITCH] = before;
  }
});

test("mayus serve with MAYUS_NATIVE=0 loads no native module and still answers over TCP and UDP", {
  skip:
    (process.platform !== "linux" && "reads /proc/PID/maps") ||
    (!peerAvailable("cc") && "no C compiler (cc): the native modules are not built"),
}, async () => {
  const native = await startMayusServer();
  const typescript = await startMayusServer([], { [NATIVE_SWITCH]: "0" });
  try {
    // The default server maps its three modules: the switch, not their absence, makes the difference.
    assert.deepEqual(nativeModulesMapped(native.child.pid ?? 0), [
      "datagram-syscalls.node",
      "stream-reads.node",
      "stream-syscalls.node",
    ]);
    assert.deepEqual(nativeModulesMapped(typescript.child.pid ?? 0), []);
    const tcpAnswer = await new Promise<string>((resolve, reject) => {
      const socket = connect(typescript.tcpPort, "127.0.0.1", () => socket.end("pure typescript\n"));
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("end", () => resolve(Buffer.concat(chunks).toString()));
      socket.on("error", reject);
    });
    assert.equal(tcpAnswer, "PURE TYPESCRIPT\n");
    const udp = createSocket("udp4");
    try {
      const udpAnswer = await new Promise<string>((resolve, reject) => {
        udp.on("message", (message) => resolve(message.toString()));
        udp.on("error", reject);
        udp.send("ñandú", typescript.udpPort, "127.0.0.1");
      });
      assert.equal(udpAnswer, "ÑANDÚ");
    } finally {
      udp.close();
    }
  } finally {
    await Promise.all([native.stop(), typescript.stop()]);
  }
});
