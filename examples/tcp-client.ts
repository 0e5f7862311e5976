// The lesson's TCP client: reads one lowercase sentence, connects to the server, sends the
// sentence, and prints the reply (the same sentence in uppercase).
//
//   npx tsx examples/tcp-client.ts localhost 12000
//
// Arguments: server host and port (default localhost 12000).
import { once } from "node:events";
import { connect } from "node:net";
import { createInterface } from "node:readline";

const [serverName = "localhost", serverPort = "12000"] = process.argv.slice(2);

// Read a line from the keyboard.
const keyboard = createInterface({ input: process.stdin, output: process.stdout });
keyboard.setPrompt("Input lowercase sentence: ");
keyboard.prompt();
const [sentence] = await once(keyboard, "line");
keyboard.close();

// Create socket and connect: TCP sets up a connection with the server before any data moves.
const clientSocket = connect(Number(serverPort), serverName, () => {
  // Send: bytes into the connection; no address needed any more.
  clientSocket.write(sentence);
});

// Receive: the first bytes that come back (the lesson's one recv); print them; close.
clientSocket.once("data", (modifiedSentence) => {
  process.stdout.write(`${modifiedSentence.toString()}\n`);
  clientSocket.end();
});
clientSocket.on("error", (error) => {
  console.error(error.message);
  process.exit(1);
});
