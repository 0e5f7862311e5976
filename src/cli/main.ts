#!/usr/bin/env node
/** The `mayus` executable: runs the command line and exits with its code. */
import cluster from "node:cluster";
import { main } from "./program.js";

const exitCode = await main(process.argv);
process.exitCode = exitCode;
// A worker of `serve --workers` would stay alive while its channel to the primary is open,
// and leaving that channel makes Node exit it with 0: exit with the real code instead.
if (cluster.isWorker) process.exit(exitCode);
