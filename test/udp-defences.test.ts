// The UDP server's defences on loopback: reflection sources get no reply, floods stay within bounds, no amplification.

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { describe, test } from "node:test";
import { UdpServer, uppercase } from "../src/index.js";
import { udpExchange } from "./support/sockets.js";

async function listening(server: UdpServer): Promise<number> {
  return (await server.listen()).port;
}

function bindSocket(address: string, port = 0): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address, port }, () => resolve(socket));
  });
}

/** Sends from a socket bound to `port`, waits for a reply for `waitMs`. */
async function exchangeFrom(
  port: number,
  serverPort: number,
  payload: string,
  waitMs = 300,
): Promise<Buffer | undefined> {
  const socket = await bindSocket("127.0.0.1", port);
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), waitMs);
      socket.once("message", (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(payload, serverPort, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("reflection (CERT CA-1996-01)", () => {
  test("a datagram from source port 1000 gets no reply and is counted", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("binding port 1000 needs root");
    const server = new UdpServer({ host: "127.0.0.1", port: 0 });
    const port = await listening(server);
    try {
      assert.equal(await exchangeFrom(1000, port, "echo loop?"), undefined);
      assert.equal(server.statistics().dropped["privileged-port"], 1);
      assert.equal(server.statistics().datagramsSent, 0);
    } finally {
      await server.close();
    }
  });

  test("no reply to port 2049 (NFS), nor to a port mayus itself listens on", async () => {
    const server = new UdpServer({ host: "127.0.0.1", port: 0 });
    const port = await listening(server);
    const sibling = await bindSocket("127.0.0.1");
    const siblingPort = sibling.address().port;
    sibling.close();
    server.addOwnPort(siblingPort); // as the TCP listener's port would be
    try {
      assert.equal(await exchangeFrom(2049, port, "nfs"), undefined);
      assert.equal(await exchangeFrom(siblingPort, port, "mayus to mayus"), undefined);
      const { dropped } = server.statistics();
      assert.equal(dropped["nfs-port"], 1);
      assert.equal(dropped["own-port"], 1);
      // An ordinary client still gets its answer.
      assert.equal((await udpExchange(port, Buffer.from("ok")))?.toString(), "OK");
    } finally {
      await server.close();
    }
  });
});

describe("rate limit per source", () => {
  test("a source over its datagrams/s gets no more replies, counted; others are still served", async () => {
    const server = new UdpServer({ host: "127.0.0.1", port: 0, rateLimit: { datagramsPerSecond: 10 } });
    const port = await listening(server);
    const flooder = await bindSocket("127.0.0.2");
    try {
      let replies = 0;
      flooder.on("message", () => replies++);
      for (let index = 0; index < 100; index++) flooder.send("flood", port, "127.0.0.1");
      await until(() => server.statistics().datagramsReceived === 100);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(replies >= 10 && replies <= 12, `${replies} replies`);
      assert.equal(server.statistics().dropped["rate-limited"], 100 - server.statistics().datagramsSent);
      assert.equal((await udpExchange(port, Buffer.from("me too")))?.toString(), "ME TOO");
    } finally {
      flooder.close();
      await server.close();
    }
  });

  test("100,000 datagrams from 2,000 source addresses leave the table within its bound", async () => {
    const maxSources = 500;
    const server = new UdpServer({ host: "127.0.0.1", port: 0, rateLimit: { maxSources, datagramsPerSecond: 5 } });
    const port = await listening(server);
    const bound = await Promise.allSettled(
      Array.from({ length: 2000 }, (_, index) => bindSocket(`127.1.${(index + 1) >> 8}.${(index + 1) & 0xff}`)),
    );
    const sockets = bound.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    try {
      assert.equal(sockets.length, 2000, "could not bind every source address");
      const payload = Buffer.from("spoofed?");
      let sent = 0;
      for (let round = 0; round < 50; round++) {
        for (const [index, socket] of sockets.entries()) {
          socket.send(payload, port, "127.0.0.1");
          sent++;
          // Pace the flood a little, so the kernel's receive buffer is not the only thing tested.
          if (index % 250 === 249) {
            const deadline = Date.now() + 100;
            while (server.statistics().datagramsReceived < sent - 500 && Date.now() < deadline) {
              await new Promise((resolve) => setImmediate(resolve));
            }
          }
        }
        assert.ok(server.statistics().rateLimitSources <= maxSources);
      }
      assert.equal(sent, 100_000);
      // Replies are counted when their send completes: wait until every datagram read is accounted for.
      // (A source socket may even get the server's port number on its own address: own-port.)
      const droppedInAll = () => Object.values(server.statistics().dropped).reduce((sum, count) => sum + count, 0);
      const accounted = () =>
        droppedInAll() + server.statistics().datagramsSent === server.statistics().datagramsReceived;
      await new Promise((resolve) => setTimeout(resolve, 200));
      await until(accounted, 10_000);
      const statistics = server.statistics();
      assert.ok(statistics.rateLimitSources <= maxSources, `${statistics.rateLimitSources} sources remembered`);
      assert.ok(statistics.datagramsReceived > 50_000, `only ${statistics.datagramsReceived} received`);
      assert.equal(droppedInAll() + statistics.datagramsSent, statistics.datagramsReceived);
      assert.equal((await udpExchange(port, Buffer.from("after the flood")))?.toString(), "AFTER THE FLOOD");
    } finally {
      for (const socket of sockets) socket.close();
      await server.close();
    }
  });
});

describe("amplification", () => {
  test("ΐ repeated gets a reply no larger than the request, the growing characters kept, counted", async () => {
    const server = new UdpServer({ host: "127.0.0.1", port: 0 });
    const port = await listening(server);
    try {
      const request = Buffer.from(`${"ΐ".repeat(100)} ŉ abc ß ñ`);
      const reply = await udpExchange(port, request);
      assert.ok(reply !== undefined);
      assert.ok(reply.length <= request.length, `${reply.length} > ${request.length}`);
      assert.equal(reply.toString(), `${"ΐ".repeat(100)} ŉ ABC SS Ñ`);
      assert.equal(server.statistics().growthLimited, 1);
    } finally {
      await server.close();
    }
  });

  test("--udp-max-growth 3 allows the full mapping; between, the full mapping only where it fits", async () => {
    const generous = new UdpServer({ host: "127.0.0.1", port: 0, maxGrowth: 3 });
    const middle = new UdpServer({ host: "127.0.0.1", port: 0, maxGrowth: 1.5 });
    const [generousPort, middlePort] = [await listening(generous), await listening(middle)];
    try {
      const request = Buffer.from("ΐΐ abc");
      assert.deepEqual(await udpExchange(generousPort, request), uppercase(request));
      assert.equal((await udpExchange(middlePort, request))?.toString(), "ΐΐ ABC"); // 18 bytes > 1.5 x 8
      const fits = Buffer.from("ΐ abcdefgh"); // 15 bytes full, 11 in: 1.36x
      assert.deepEqual(await udpExchange(middlePort, fits), uppercase(fits));
    } finally {
      await Promise.all([generous.close(), middle.close()]);
    }
  });
});
