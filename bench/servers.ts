/**
 * The servers the suite compares: the C epoll reference (compiled here) and the same program
 * echoing only (the machine's limit), Python asyncio, the naive Node server, mayus itself and
 * mayus with its native modules switched off, each on a loopback port the kernel chooses.
 */

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Child, startChild, waitForOutput } from "./processes.js";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const MAYUS = `${ROOT}dist/cli/main.js`;

export const SERVER_KINDS = ["echo", "c", "python", "naive", "mayus", "mayus-ts"] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];
/** The uppercase servers of the classic comparison (W6 and bench:instructions run these). */
export const CLASSIC_KINDS = ["c", "python", "naive", "mayus"] as const satisfies readonly ServerKind[];
export type Mode = "ascii" | "unicode";
/** What a server does to the bytes: the load client's `--answer`. */
export type Answer = Mode | "echo";

export const SERVER_LABELS: Record<ServerKind, string> = {
  echo: "C echo (limit)",
  c: "C epoll",
  python: "Python asyncio",
  naive: "naive Node",
  mayus: "mayus",
  "mayus-ts": "mayus, no native",
};

/** Servers that have one mode whatever the workload asks (one process serves every row). */
export function hasOneMode(kind: ServerKind): boolean {
  return kind === "c" || kind === "echo" || kind === "naive";
}

export interface Server {
  kind: ServerKind;
  /** The transform `mayus bench --mode` is told to expect (echo: the C server's ascii). */
  mode: Mode;
  /** What the server does to the bytes, so the C load client checks the right answers. */
  answer: Answer;
  port: number;
  child: Child;
  command: string;
}

/**
 * Compiles the C server into `directory`; returns the executable's path. `forValgrind` leaves
 * out `-march=native`: valgrind does not know every instruction of this machine (AVX-512).
 *
 * @example
 * const binary = compileC("/tmp/mayus-bench");
 */
export function compileC(directory: string, options: { forValgrind?: boolean } = {}): string {
  const binary = `${directory}/uppercase-server`;
  // -O3 -march=native, not the -O2 the issue first named: see the comment in the C file.
  const target = options.forValgrind ? [] : ["-march=native"];
  execFileSync("cc", ["-O3", ...target, "-o", binary, `${ROOT}bench/c/uppercase-server.c`], { stdio: "inherit" });
  return binary;
}

/**
 * Compiles the C load client (bench/c/load-client.c) into `directory`, `-O3 -march=native`
 * like the server; returns the executable's path.
 */
export function compileLoadClient(directory: string): string {
  const binary = `${directory}/load-client`;
  execFileSync("cc", ["-O3", "-march=native", "-o", binary, `${ROOT}bench/c/load-client.c`], { stdio: "inherit" });
  return binary;
}

/** The flags of `mayus serve` this build knows (others are added concurrently), from its help. */
function mayusServeFlags(): Set<string> {
  const help = execFileSync(process.execPath, [MAYUS, "serve", "--help"], { encoding: "utf8", env: { LANG: "C" } });
  return new Set(help.match(/--[a-z-]+/g) ?? []);
}

/** The command as a reader would type it: paths relative to the project, `node` for Node. */
function describe(command: string, args: readonly string[]): string {
  const relative = (part: string) => (part.startsWith(ROOT) ? part.slice(ROOT.length) : part);
  return [command === process.execPath ? "node" : command, ...args.map(relative)].join(" ");
}

/**
 * Starts one server and waits for its TCP and UDP ready lines. `manyConnections` lifts
 * mayus's connection limit and idle timeout (W6); `workers` runs mayus with `--workers`;
 * `wrapper` runs the server under another program (valgrind, for bench/instructions.ts),
 * which may need a longer `readyTimeoutMs`.
 *
 * @example
 * const server = await startServer("mayus", "ascii", { cBinary });
 * server.port; // TCP and UDP
 */
export async function startServer(
  kind: ServerKind,
  mode: Mode,
  options: {
    cBinary: string;
    manyConnections?: boolean;
    workers?: number;
    env?: NodeJS.ProcessEnv;
    wrapper?: readonly string[];
    readyTimeoutMs?: number;
  },
): Promise<Server> {
  let command: string;
  let args: string[];
  let ready: [RegExp, RegExp] = [/ready tcp (\d+)/, /ready udp (\d+)/];
  let serverMode = mode;
  let answer: Answer = mode;
  let env = options.env;
  switch (kind) {
    case "c":
    case "echo":
      command = options.cBinary;
      args = ["0", "127.0.0.1", ...(kind === "echo" ? ["echo"] : [])];
      serverMode = "ascii";
      answer = kind === "echo" ? "echo" : "ascii";
      break;
    case "python":
      command = "python3";
      args = [`${ROOT}bench/python/asyncio_server.py`, "--port", "0", "--host", "127.0.0.1", "--mode", mode];
      break;
    case "naive":
      command = process.execPath;
      args = [`${ROOT}bench/node/naive-server.mjs`, "0", "127.0.0.1"];
      serverMode = "unicode";
      answer = "unicode";
      break;
    case "mayus":
    case "mayus-ts": {
      if (kind === "mayus-ts") env = { ...env, MAYUS_NATIVE: "0" };
      const known = mayusServeFlags();
      command = process.execPath;
      args = [MAYUS, "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "warn"];
      if (mode === "ascii") args.push("--mode", "ascii");
      // The reference servers have no per-source UDP rate limit; mayus's default (2,000/s) would cap W4.
      if (known.has("--udp-rate")) args.push("--udp-rate", "0");
      if (known.has("--udp-byte-rate")) args.push("--udp-byte-rate", "0");
      if (options.manyConnections) {
        args.push("--max-connections", "1000000", "--idle-timeout", "0");
        // The flag's current name, or the one it had before (a build from before the rename).
        if (known.has("--max-connections-per-address")) args.push("--max-connections-per-address", "1000000");
        else if (known.has("--max-connections-per-ip")) args.push("--max-connections-per-ip", "1000000");
      }
      if (options.workers !== undefined && options.workers > 1) args.push("--workers", String(options.workers));
      ready = [/listening on tcp \S*:(\d+)/, /listening on udp \S*:(\d+)/];
      break;
    }
  }
  const [program = command, ...programArgs] = [...(options.wrapper ?? []), command, ...args];
  const child = startChild(program, programArgs, { env });
  const [tcp] = await Promise.all(ready.map((pattern) => waitForOutput(child, pattern, options.readyTimeoutMs)));
  return {
    kind,
    mode: serverMode,
    answer,
    port: Number(tcp[1]),
    child,
    command: [
      ...Object.entries(env ?? {}).map(([name, value]) => `${name}=${value}`),
      command === options.cBinary ? `bench/c/uppercase-server ${args.join(" ")}` : describe(command, args),
    ].join(" "),
  };
}
