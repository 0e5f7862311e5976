// The obvious Node server for `npm run bench`: `net` and `dgram`, toString().toUpperCase().
// Usage: node naive-server.mjs [PORT [HOST]]; prints "ready tcp PORT" and "ready udp PORT".
import dgram from "node:dgram";
import net from "node:net";

const host = process.argv[3] ?? "127.0.0.1";
const server = net.createServer((socket) => {
  socket.on("data", (data) => socket.write(data.toString().toUpperCase()));
  socket.on("error", () => socket.destroy());
});
server.listen(Number(process.argv[2] ?? 12000), host, () => {
  const { port } = server.address();
  process.stdout.write(`ready tcp ${port}\n`);
  const udp = dgram.createSocket("udp4");
  udp.on("message", (message, peer) => udp.send(message.toString().toUpperCase(), peer.port, peer.address));
  udp.bind(port, host, () => process.stdout.write(`ready udp ${port}\n`));
});
