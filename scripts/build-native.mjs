/**
 * Builds the native modules into build/: datagram-syscalls.node (the native half of
 * DatagramIO, src/udp/datagram-syscalls.c), stream-syscalls.node (of SocketWriter,
 * src/tcp/stream-syscalls.c), stream-reads.node (of BatchedReads, src/tcp/stream-reads.c;
 * Linux only) and load-loop.node (the native load engine of `mayus bench`,
 * src/load/load-loop.c), with the C compiler and the headers Node installs beside itself.
 * Run by `npm install`, `npm rebuild` and `npm run build`. Optional: without a compiler or the headers it says
 * why and exits 0, and the servers use Node's own I/O (more CPU per message, same answers).
 * Plain JavaScript: it runs at install time, before TypeScript tooling is there.
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const MODULES = [
  {
    source: "src/udp/datagram-syscalls.c",
    target: "build/datagram-syscalls.node",
    withoutIt: "UDP works through Node's own handle, with more CPU per datagram",
  },
  {
    source: "src/tcp/stream-syscalls.c",
    target: "build/stream-syscalls.node",
    withoutIt: "TCP answers go through socket.write, with more CPU per answer",
  },
  {
    source: "src/tcp/stream-reads.c",
    target: "build/stream-reads.node",
    withoutIt: "TCP reads come through Node's handle of each socket, one call into JavaScript per read",
    // epoll: Linux only. Elsewhere the servers read through Node, as without a compiler.
    platforms: ["linux"],
  },
  {
    source: "src/load/load-loop.c",
    // Compiled with it: the engine, apart from its Node-API surface.
    otherSources: ["src/load/load-engine.c"],
    target: "build/load-loop.node",
    withoutIt: "`mayus bench` runs TCP ping-pong and connect through Node's sockets, with more CPU per message",
  },
];

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

// npm shows an install script's output only when it fails (or with --foreground-scripts), so
// `mayus serve` says it too, at start (src/io/io-path.ts). Inside an installed package the
// build script is gone with the dev dependencies: `npm rebuild` runs this file again.
function skip(module, reason) {
  process.stderr.write(
    `mayus: ${module.target} was not built (${reason}); ${module.withoutIt}. ` +
      "Install a C compiler (Debian: apt-get install gcc libc6-dev), then run `npm rebuild mayus` " +
      "where mayus is installed (`npm rebuild -g mayus` for a global install, `npm run build` in a checkout of mayus).\n",
  );
}

function build(module, headers) {
  const source = join(root, module.source);
  const target = join(root, module.target);
  // A module left by an earlier build must not outlive a failed or skipped one: it would still be
  // loaded. (Unlinked, not truncated: a server running with it keeps its copy.)
  rmSync(target, { force: true });
  if (!existsSync(source)) return skip(module, `${source} is missing`);
  if (headers === undefined) return skip(module, "Node's headers (node_api.h, uv.h) are not installed beside it");
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
        // Warning-free is part of the build: a warning fails it (the module is then skipped, said above).
        "-Werror",
        "-shared",
        "-fPIC",
        `-I${headers}`,
        ...link,
        "-o",
        target,
        source,
        ...(module.otherSources ?? []).map((file) => join(root, file)),
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  } catch (error) {
    rmSync(target, { force: true });
    skip(module, error.code === "ENOENT" ? `no C compiler "${compiler}"` : `${compiler} failed, above`);
  }
}

// Nothing to build on Windows: the native paths are for POSIX sockets.
if (process.platform !== "win32") {
  const headers = headerDirectory();
  for (const module of MODULES) {
    if (module.platforms === undefined || module.platforms.includes(process.platform)) build(module, headers);
  }
}
