// `mayus heartbeat` and `serve --heartbeat` with real processes: a Python sender that skips
// numbers (test/peers/heartbeat_sender.py) makes gaps the server reports; silence past
// --heartbeat-timeout is reported as down, a return as back up; the metrics count them.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { get } from "node:http";
import { test } from "node:test";
import {
  PEERS,
  peerAvailable,
  run,
  runMayus,
  start,
  startMayusServer,
  waitForOutput,
  waitForStderr,
} from "./support/processes.js";

function metricsText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: "/metrics" }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

test("python3 sender skipping 3, 4 and 7: the server names each gap, then presumes it down, then back up", {
  skip: !peerAvailable("python3"),
}, async () => {
  const server = await startMayusServer([
    "--udp",
    "--heartbeat",
    "--heartbeat-timeout",
    "300",
    "--metrics-port",
    "0",
    "--metrics-host",
    "127.0.0.1",
  ]);
  try {
    const metricsPort = Number((await waitForOutput(server, /metrics on http port (\d+)/))[1]);
    const sender = ["-u", `${PEERS}heartbeat_sender.py`, "127.0.0.1", String(server.udpPort)];
    const finished = await run("python3", [...sender, "--count", "9", "--skip", "3,4,7"]);
    assert.equal(finished.code, 0, finished.stderr);
    const port = finished.stdout.toString().match(/^port (\d+)$/m)?.[1];
    assert.match(finished.stdout.toString(), /sent 6 answered 6/); // answered as its own uppercase
    const peer = `127.0.0.1:${port}`;
    await waitForStderr(server, new RegExp(`heartbeat: ${peer} presumed down after 0.3 s \\(last seq 9\\)`));
    const log = server.stderr();
    assert.match(log, new RegExp(`heartbeat: ${peer} is up \\(seq 1, one-way delay -?\\d+ ms`));
    assert.match(log, new RegExp(`heartbeat: 2 heartbeats lost from ${peer} \\(seq 3-4\\)`));
    assert.match(log, new RegExp(`heartbeat: 1 heartbeat lost from ${peer} \\(seq 7\\)`));
    const back = await run("python3", [...sender, "--start", "12", "--count", "12", "--bind", String(port)]);
    assert.equal(back.code, 0, back.stderr);
    await waitForStderr(server, new RegExp(`heartbeat: ${peer} back up after \\d+(\\.\\d)? s of silence \\(seq 12\\)`));
    assert.match(server.stderr(), new RegExp(`heartbeat: 2 heartbeats lost from ${peer} \\(seq 10-11\\)`));
    const metrics = await metricsText(metricsPort);
    assert.match(metrics, /^mayus_heartbeat_senders 1$/m);
    assert.match(metrics, /^mayus_heartbeat_received_total 7$/m);
    assert.match(metrics, /^mayus_heartbeat_lost_total 5$/m);
    assert.match(metrics, /^mayus_heartbeat_down_events_total 1$/m);
  } finally {
    await server.stop();
  }
});

test("one forged HEARTBEAT 9007199254740991 after seq 1: a jump, logged and counted, no heartbeat lost", async () => {
  const server = await startMayusServer(["--udp", "--heartbeat", "--metrics-port", "0", "--metrics-host", "127.0.0.1"]);
  const socket = createSocket("udp4");
  try {
    const metricsPort = Number((await waitForOutput(server, /metrics on http port (\d+)/))[1]);
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    // One datagram at a time, each answered before the next: they arrive in this order.
    for (const sequence of ["1", "9007199254740991", "2"]) {
      const answered = once(socket, "message");
      socket.send(`HEARTBEAT ${sequence} ${Date.now()}`, server.udpPort, "127.0.0.1");
      await answered;
    }
    const peer = `127.0.0.1:${socket.address().port}`;
    await waitForStderr(server, new RegExp(`heartbeat: ${peer} jumped from seq 1 to 9007199254740991, more than 1000`));
    await waitForStderr(server, new RegExp(`heartbeat: ${peer} jumped from seq 9007199254740991 to 2`));
    assert.doesNotMatch(server.stderr(), /heartbeats? lost/);
    const metrics = await metricsText(metricsPort);
    assert.match(metrics, /^mayus_heartbeat_lost_total 0$/m);
    assert.match(metrics, /^mayus_heartbeat_late_total 0$/m);
    assert.match(metrics, /^mayus_heartbeat_jumps_total 2$/m);
  } finally {
    socket.close();
    await server.stop();
  }
});

test("mayus heartbeat: one line per heartbeat, then the summary; the server sees the skipped one lost", async () => {
  const server = await startMayusServer(["--udp", "--heartbeat", "--heartbeat-timeout", "200"]);
  try {
    const beat = (count: string) =>
      runMayus(["heartbeat", "-c", count, "-i", "0.02", "--skip", "2", "127.0.0.1", String(server.udpPort)]);
    const finished = await beat("3");
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal(
      finished.stdout.toString(),
      [
        `HEARTBEAT 127.0.0.1:${server.udpPort}: one every 0.02 s`,
        "seq=1 sent",
        "seq=2 skipped (--skip)",
        "seq=3 sent",
        "",
        `--- 127.0.0.1:${server.udpPort} heartbeat statistics ---`,
        "2 sent, 1 skipped, 2 answered",
        "",
      ].join("\n"),
    );
    await waitForStderr(server, /heartbeat: 1 heartbeat lost from 127\.0\.0\.1:\d+ \(seq 2\)/);
    await waitForStderr(server, /presumed down after 0.2 s \(last seq 3\)/);
  } finally {
    await server.stop();
  }
});

test("Ctrl-C stops mayus heartbeat with its summary, exit 0; Spanish with --lang es", async () => {
  const server = await startMayusServer(["--udp", "--heartbeat"]);
  try {
    const sender = start(process.execPath, [
      "dist/cli/main.js",
      "heartbeat",
      "-i",
      "0.05",
      "--lang",
      "es",
      "127.0.0.1",
      String(server.udpPort),
    ]);
    await waitForOutput(sender, /seq=3 enviado/);
    sender.child.kill("SIGINT");
    const finished = await sender.exited;
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(
      finished.stdout.toString(),
      /--- estadísticas de latidos de 127\.0\.0\.1:\d+ ---\nenviados: \d+, omitidos: 0, respondidos: \d+\n$/,
    );
  } finally {
    await server.stop();
  }
});

test("Spanish: the sender's header and the server's lines write decimals with a comma", async () => {
  const server = await startMayusServer(["--udp", "--heartbeat", "--heartbeat-timeout", "400", "--lang", "es"]);
  try {
    const finished = await runMayus([
      "heartbeat",
      "-c",
      "1",
      "-i",
      "0.25",
      "--lang",
      "es",
      "127.0.0.1",
      String(server.udpPort),
    ]);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout.toString(), /^HEARTBEAT 127\.0\.0\.1:\d+: uno cada 0,25 s\n/);
    await waitForStderr(server, /latido: 127\.0\.0\.1:\d+ se da por caído tras 0,4 s \(última seq 1\)/);
  } finally {
    await server.stop();
  }
});

test("a steady sender is never muted as a reflection loop: every heartbeat answered, none lost", async () => {
  // A heartbeat is upper case already and answered with itself; the loop breaker once took a
  // steady stream of them for a peer echoing our replies back, and the table reported gaps.
  const server = await startMayusServer(["--udp", "--heartbeat"]);
  try {
    const finished = await runMayus(["heartbeat", "-c", "200", "-i", "0.01", "127.0.0.1", String(server.udpPort)]);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout.toString(), /200 sent, 0 skipped, 200 answered/);
    assert.doesNotMatch(server.stderr(), /reflection loop|heartbeats? lost/);
  } finally {
    await server.stop();
  }
});

test("--heartbeat keeps the UDP server's limits: a denied source is neither answered nor recorded", async () => {
  const server = await startMayusServer(["--udp", "--heartbeat", "--deny", "127.0.0.1"]);
  try {
    const finished = await runMayus(["heartbeat", "-c", "2", "-i", "0.02", "127.0.0.1", String(server.udpPort)]);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout.toString(), /2 sent, 0 skipped, 0 answered/);
    await waitForStderr(server, /datagram not answered/);
    assert.doesNotMatch(server.stderr(), /heartbeat:/);
  } finally {
    await server.stop();
  }
});

test("--heartbeat-timeout or MAYUS_HEARTBEAT_MAX_SENDERS alone turns the table on, as --cert does TLS", async () => {
  for (const [args, env] of [
    [["--udp", "--heartbeat-timeout", "300"], {}],
    [["--udp"], { MAYUS_HEARTBEAT_MAX_SENDERS: "5" }],
  ] as const) {
    const server = await startMayusServer(args, env);
    const socket = createSocket("udp4");
    try {
      await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
      const answered = once(socket, "message");
      socket.send(`HEARTBEAT 1 ${Date.now()}`, server.udpPort, "127.0.0.1");
      await answered;
      await waitForStderr(server, new RegExp(`heartbeat: 127\\.0\\.0\\.1:${socket.address().port} is up \\(seq 1`));
    } finally {
      socket.close();
      await server.stop();
    }
  }
  // Implied, so its rules hold: the table needs the UDP server.
  const tcpOnly = await runMayus(["serve", "--port", "0", "--tcp", "--heartbeat-max-senders", "5"]);
  assert.equal(tcpOnly.code, 2);
  assert.match(tcpOnly.stderr, /--heartbeat needs the UDP server/);
});

test("usage errors: --heartbeat with --tcp only, or with --workers 2; a bad --skip", async () => {
  const tcpOnly = await runMayus(["serve", "--port", "0", "--tcp", "--heartbeat"]);
  assert.equal(tcpOnly.code, 2);
  assert.match(tcpOnly.stderr, /--heartbeat needs the UDP server/);
  const workers = await runMayus(["serve", "--port", "0", "--workers", "2", "--heartbeat"]);
  assert.equal(workers.code, 2);
  assert.match(workers.stderr, /--heartbeat needs one process/);
  const skip = await runMayus(["heartbeat", "--skip", "3,x", "127.0.0.1", "9"]);
  assert.equal(skip.code, 2);
  assert.match(skip.stderr, /--skip takes sequence numbers separated by commas/);
});
