// Loading the optional native modules from build/: what is missing is reported, never a crash.

import assert from "node:assert/strict";
import { test } from "node:test";
import { peerAvailable } from "../../test/support/processes.js";
import { loadNativeModule } from "./native-module.js";

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
