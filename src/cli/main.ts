#!/usr/bin/env node
/** The `mayus` executable: runs the command line and exits with its code. */

// First, before any module loads: with a listener of its own, SIGUSR1 no longer opens Node's
// inspector on 127.0.0.1:9229, where any local user could run code in this process (Node 20
// has no --disable-sigusr1; this works on every major). `mayus serve` logs the signal.
process.on("SIGUSR1", () => {});

const { default: cluster } = await import("node:cluster");
const { main } = await import("./program.js");

const exitCode = await main(process.argv);
process.exitCode = exitCode;
// A worker of `serve --workers` would stay alive while its channel to the primary is open,
// and leaving that channel makes Node exit it with 0: exit with the real code instead.
if (cluster.isWorker) process.exit(exitCode);
