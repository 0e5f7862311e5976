/**
 * Builds build/datagram-syscalls.node (the native half of DatagramIO, src/udp/datagram-syscalls.c)
 * with the C compiler and the headers Node installs beside itself. Run by `npm install` and
 * `npm run build`. Optional: without a compiler or the headers it says why and exits 0, and
 * the UDP server uses Node's own handle (slower per datagram, same answers).
 * Plain JavaScript: it runs at install time, before TypeScript tooling is there.
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const source = join(root, "src/udp/datagram-syscalls.c");
const target = join(root, "build/datagram-syscalls.node");

/** Where this Node's headers are: beside the executable (official builds, Debian, nvm), or its prefix. */
function headerDirectory() {
  const candidates = [
    join(dirname(process.execPath), "../include/node"),
    join(String(process.config.variables.node_prefix ?? "/usr"), "include/node"),
  ];
  return candidates.find(
    (directory) => existsSync(join(directory, "node_api.h")) && existsSync(join(directory, "uv.h")),
  );
}

function skip(reason) {
  process.stderr.write(
    `mayus: the native UDP path was not built (${reason}); UDP works through Node's own handle, ` +
      "with more CPU per datagram. Install a C compiler (Debian: apt-get install gcc libc6-dev) and run `npm run build` to build it.\n",
  );
}

// A module left by an earlier build must not outlive a failed or skipped one: it would still be
// loaded. (Unlinked, not truncated: a server running with it keeps its copy.)
rmSync(target, { force: true });
if (process.platform === "win32") {
  // Nothing to say: the native path is for POSIX sockets.
} else if (!existsSync(source)) {
  skip(`${source} is missing`);
} else {
  const headers = headerDirectory();
  if (headers === undefined) {
    skip("Node's headers (node_api.h, uv.h) are not installed beside it");
  } else {
    // CC may carry arguments of its own ("ccache cc").
    const [compiler, ...compilerArguments] = (process.env.CC ?? "cc").trim().split(/\s+/);
    // Node's own symbols are found when the module is loaded into it (macOS must be told so).
    const link = process.platform === "darwin" ? ["-undefined", "dynamic_lookup"] : [];
    try {
      mkdirSync(dirname(target), { recursive: true });
      execFileSync(
        compiler,
        [
          ...compilerArguments,
          "-O2",
          "-Wall",
          "-Wextra",
          "-shared",
          "-fPIC",
          `-I${headers}`,
          ...link,
          "-o",
          target,
          source,
        ],
        { stdio: ["ignore", "inherit", "inherit"] },
      );
    } catch (error) {
      rmSync(target, { force: true });
      skip(error.code === "ENOENT" ? `no C compiler "${compiler}"` : `${compiler} failed, above`);
    }
  }
}
