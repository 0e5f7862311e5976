// The lesson's UDP server: receives each datagram, converts it to uppercase, and sends it back
// to the address and port it came from.
//
//   npx tsx examples/udp-server.ts 12000
//
// Argument: the port (default 12000; 0 lets the system pick a free one). Stop it with Ctrl-C.
// A teaching program, with no limits or protections: `mayus serve` is the one to deploy.
import { createSocket } from "node:dgram";

const serverPort = Number(process.argv[2] ?? 12000);

// Create socket: UDP (datagrams).
const serverSocket = createSocket("udp4");

// Bind: to the port, on every interface. Then wait for datagrams.
serverSocket.bind(serverPort, () => {
  process.stdout.write(`The server is ready to receive on port ${serverSocket.address().port}\n`);
});

// Receive: a datagram and the client's address. Send: its uppercase, back to that address.
serverSocket.on("message", (message, clientAddress) => {
  const modifiedMessage = message.toString().toUpperCase();
  serverSocket.send(modifiedMessage, clientAddress.port, clientAddress.address);
});
