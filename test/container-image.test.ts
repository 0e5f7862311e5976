/**
 * deploy/Dockerfile built for real, and its image started as a container engine starts it.
 *
 * Build: `buildah bud --isolation chroot` (Debian's buildah; as root). No container registry is
 * reachable where the tests run, so the images the Dockerfile starts FROM are made here first,
 * under the same names, by test/container/make-node-images.sh (Debian from debootstrap, Node from
 * the npm registry). Start: neither podman nor docker can run a container here (no engine; crun
 * may not set resource limits), so the image's own configuration (user, environment, working
 * directory, command, health check) is applied by hand to its mounted root: a new PID namespace
 * (node is PID 1, as in the exec form), chroot, the `node` user. The network is the machine's,
 * so the test binds port 0 on loopback (`docker run -e MAYUS_PORT=0 -e MAYUS_HOST=127.0.0.1`).
 *
 * Slow (minutes: two debootstraps, npm ci, tsc, the C compiler) and needs root: it runs only with
 * MAYUS_CONTAINER_TEST=1, which .ci/run sets for this file alone after the suite.
 */

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { PROJECT_ROOT, peerAvailable, type Started, start, waitForOutput } from "./support/processes.js";
import { tcpConnect, udpExchange } from "./support/sockets.js";
import { waitFor } from "./support/wait.js";

const enabled = process.env.MAYUS_CONTAINER_TEST === "1";
const skip = !enabled && "set MAYUS_CONTAINER_TEST=1 to build the image (minutes, root; .ci/run does)";
const IMAGE = "localhost/mayus-container-test";
const DOCKER_STOP_GRACE_MS = 10_000;

const run = promisify(execFile);
let work = "";
/** The image's configuration, as `docker inspect` shows it. */
let config: {
  User: string;
  Env: string[];
  WorkingDir: string;
  Cmd: string[];
  Healthcheck?: { Test: string[] };
  ExposedPorts?: Record<string, unknown>;
};
let root = "";
let container = "";

/** buildah with this test's own storage, so it touches no other image on the machine. */
async function buildah(args: readonly string[], timeoutMs = 600_000): Promise<string> {
  const { stdout } = await run("buildah", args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, CONTAINERS_STORAGE_CONF: join(work, "storage.conf") },
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  return stdout.trim();
}

before(
  async () => {
    if (!enabled) return;
    assert.equal(process.getuid?.(), 0, "buildah and chroot need root");
    for (const program of ["buildah", "debootstrap", "unshare", "chroot"]) assert.ok(peerAvailable(program), program);
    work = mkdtempSync(join(tmpdir(), "mayus-container-"));
    writeFileSync(
      join(work, "storage.conf"),
      `[storage]\ndriver = "overlay"\ngraphroot = "${work}/storage"\nrunroot = "${work}/run"\n`,
    );
    // The base images the Dockerfile names: node:<NODE_VERSION>-<suite> and its -slim.
    const dockerfile = readFileSync(join(PROJECT_ROOT, "deploy/Dockerfile"), "utf8");
    const major = dockerfile.match(/^ARG NODE_VERSION=(\d+)$/m)?.[1];
    const suite = dockerfile.match(/^FROM node:\$\{NODE_VERSION\}-([a-z]+) AS build$/m)?.[1];
    assert.ok(major && suite, "deploy/Dockerfile starts FROM node:$NODE_VERSION-SUITE");
    const images = join(work, "images");
    await run("mkdir", ["-p", images]);
    await run("bash", [join(PROJECT_ROOT, "test/container/make-node-images.sh"), major, suite, images], {
      env: { ...process.env, CONTAINERS_STORAGE_CONF: join(work, "storage.conf") },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 900_000,
    });
    await buildah(
      ["bud", "--isolation", "chroot", "--pull=never", "--format", "docker"].concat([
        "-f",
        "deploy/Dockerfile",
        "-t",
        IMAGE,
        ".",
      ]),
    );
    config = JSON.parse(await buildah(["inspect", "--type", "image", IMAGE])).Docker.config;
    container = await buildah(["from", "--pull=never", IMAGE]);
    root = await buildah(["mount", container]);
  },
  { timeout: 1_800_000 },
);

after(async () => {
  if (!enabled || work === "") return;
  await buildah(["rm", "--all"]).catch(() => {});
  await buildah(["rmi", "--all", "--force"]).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

/** `docker run -e`: the image's environment, then the given variables over it. */
function environment(overrides: Record<string, string>): string[] {
  const variables = new Map(config.Env.map((entry) => [entry.slice(0, entry.indexOf("=")), entry]));
  for (const [name, value] of Object.entries(overrides)) variables.set(name, `${name}=${value}`);
  return [...variables.values()];
}

/** The image's USER as uid:gid, from its own /etc/passwd. */
function userSpec(): string {
  const entry = readFileSync(join(root, "etc/passwd"), "utf8")
    .split("\n")
    .find((line) => line.startsWith(`${config.User}:`));
  assert.ok(entry, `user ${config.User} is in the image's /etc/passwd`);
  const [, , uid, gid] = entry.split(":");
  return `${uid}:${gid}`;
}

/** `command` in the image's root as its user, in its working directory, with its environment. */
function inImage(command: readonly string[], overrides: Record<string, string>): string[] {
  return ["--userspec", userSpec(), root, "/usr/bin/env", "-i", "-C", config.WorkingDir]
    .concat(environment(overrides))
    .concat(command);
}

interface RunningContainer extends Started {
  /** The host's id of the container's PID 1. */
  pid: number;
}

/** The image's CMD as PID 1 of a new PID namespace (unshare kills it if the test dies). */
async function startContainer(overrides: Record<string, string>): Promise<RunningContainer> {
  const started = start("unshare", [
    "--pid",
    "--fork",
    "--kill-child",
    `--mount-proc=${join(root, "proc")}`,
    "chroot",
    ...inImage(config.Cmd, overrides),
  ]);
  let pid = 0;
  await waitFor("the container's first process", () => {
    const unshare = started.child.pid;
    const children = readFileSync(`/proc/${unshare}/task/${unshare}/children`, "utf8").trim();
    pid = Number(children.split(" ")[0] || 0);
    return pid > 0;
  });
  return { ...started, pid };
}

/** The image's HEALTHCHECK command, run in the image as the engine runs it: its exit code. */
async function healthCheck(overrides: Record<string, string>): Promise<number> {
  const test = config.Healthcheck?.Test ?? [];
  assert.equal(test[0], "CMD", "the health check is in exec form");
  try {
    await run("chroot", inImage(test.slice(1), overrides), { timeout: 30_000 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

const LOOPBACK = { MAYUS_HOST: "127.0.0.1", MAYUS_PORT: "0", MAYUS_METRICS_PORT: "0" };

test("the image runs as an unprivileged user, with a health check, a drain shorter than docker stop's grace, and its three native modules", {
  skip,
}, () => {
  assert.equal(config.User, "node");
  assert.notEqual(userSpec().split(":")[0], "0");
  assert.equal(config.Healthcheck?.Test[0], "CMD");
  assert.deepEqual(Object.keys(config.ExposedPorts ?? {}).sort(), ["12000/tcp", "12000/udp", "9464/tcp"]);
  const drain = Number(
    environment({})
      .find((entry) => entry.startsWith("MAYUS_DRAIN_TIMEOUT="))
      ?.split("=")[1],
  );
  assert.ok(drain > 0 && drain < DOCKER_STOP_GRACE_MS, `MAYUS_DRAIN_TIMEOUT ${drain} < docker stop's 10 s`);
  for (const module of ["datagram-syscalls", "load-loop", "stream-syscalls"])
    assert.ok(existsSync(join(root, config.WorkingDir, "build", `${module}.node`)), `build/${module}.node`);
  assert.ok(!existsSync(join(root, config.WorkingDir, "node_modules/typescript")), "no dev dependencies");
});

test("started as its CMD: node is PID 1 as the node user, answers TCP and UDP on the native paths, healthy; docker stop drains and exits 0", {
  skip,
  timeout: 120_000,
}, async () => {
  const server = await startContainer(LOOPBACK);
  try {
    const tcpPort = Number((await waitForOutput(server, /tcp \S*:(\d+)/, 30_000))[1]);
    const udpPort = Number((await waitForOutput(server, /udp \S*:(\d+)/))[1]);
    const metricsPort = (await waitForOutput(server, /metrics on http port (\d+)/))[1];
    const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
    assert.match(status, /^NSpid:\s+\d+\s+1$/m, "PID 1 in its namespace");
    assert.match(status, new RegExp(`^Uid:\\s+${userSpec().split(":")[0]}\\s`, "m"));

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /^mayus_io_path_info\{protocol="tcp",path="native"\} 1$/m);
    assert.match(metrics, /^mayus_io_path_info\{protocol="udp",path="native"\} 1$/m);
    assert.equal((await udpExchange(udpPort, Buffer.from("ñandú")))?.toString(), "ÑANDÚ");
    assert.equal(await healthCheck({ MAYUS_METRICS_PORT: metricsPort }), 0);

    // docker stop: SIGTERM to PID 1. A client still connected gets its answers, then EOF.
    const client = await tcpConnect(tcpPort);
    const received: Buffer[] = [];
    client.on("data", (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => client.on("close", resolve));
    client.write("uno\n");
    await waitFor("the first answer", () => Buffer.concat(received).toString() === "UNO\n");
    process.kill(server.pid, "SIGTERM");
    client.end("dos\n");
    await closed;
    assert.equal(Buffer.concat(received).toString(), "UNO\nDOS\n");
    const finished = await server.exited;
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stderr, /SIGTERM received/);
    assert.notEqual(await healthCheck({ MAYUS_METRICS_PORT: metricsPort }), 0, "unhealthy once stopped");
  } finally {
    await server.stop();
  }
});
