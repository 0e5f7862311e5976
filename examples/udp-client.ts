// The lesson's UDP client: reads one lowercase sentence, sends it to the server in one
// datagram, and prints the reply (the same sentence in uppercase).
//
//   npx tsx examples/udp-client.ts localhost 12000
//
// Arguments: server host and port (default localhost 12000). UDP may lose a datagram, so if no
// reply comes within 1 second the client says so and exits with status 1.
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { createInterface } from "node:readline";

const [serverName = "localhost", serverPort = "12000"] = process.argv.slice(2);

// Read a line from the keyboard.
const keyboard = createInterface({ input: process.stdin, output: process.stdout });
keyboard.setPrompt("Input lowercase sentence: ");
keyboard.prompt();
const [message] = await once(keyboard, "line");
keyboard.close();

// Create socket: UDP (datagrams), no connection to set up.
const clientSocket = createSocket(serverName.includes(":") ? "udp6" : "udp4");

// Send: one datagram, with the server's address and port on it.
clientSocket.send(message, Number(serverPort), serverName);

// Receive: the reply datagram; print it; close. Wait at most 1 s: UDP says nothing when a datagram is lost.
const timer = setTimeout(() => {
  console.error(`No reply from ${serverName} port ${serverPort} within 1 s: the datagram or its reply was lost`);
  process.exit(1);
}, 1000);
clientSocket.on("message", (modifiedMessage) => {
  clearTimeout(timer);
  process.stdout.write(`${modifiedMessage.toString()}\n`);
  clientSocket.close();
});
clientSocket.on("error", (error) => {
  console.error(error.message);
  process.exit(1);
});
