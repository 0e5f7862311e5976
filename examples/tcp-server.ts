// The lesson's TCP server: accepts each client on a new socket of its own, receives a sentence,
// sends it back in uppercase, and closes that client's socket. Many clients can be served at once.
//
//   npx tsx examples/tcp-server.ts 12000
//
// Argument: the port (default 12000; 0 lets the system pick a free one). Stop it with Ctrl-C.
// A teaching program, with no limits or protections: `mayus serve` is the one to deploy.
import { type AddressInfo, createServer } from "node:net";

const serverPort = Number(process.argv[2] ?? 12000);

// Create socket: the welcoming socket, where clients knock.
// Accept: for each client, Node calls this function with a NEW connection socket, for that client only.
const serverSocket = createServer((connectionSocket) => {
  connectionSocket.on("error", () => {}); // a client that resets its connection must not stop the server

  // Receive: the first bytes the client sends (the lesson's one recv).
  connectionSocket.once("data", (sentence) => {
    const capitalizedSentence = sentence.toString().toUpperCase();
    // Send the uppercase sentence back, then close this connection socket (the welcoming one stays open).
    connectionSocket.end(capitalizedSentence);
  });
});

// Bind and listen: on the port, on every interface (Node's listen() does both).
serverSocket.listen(serverPort, () => {
  const { port } = serverSocket.address() as AddressInfo;
  process.stdout.write(`The server is ready to receive on port ${port}\n`);
});
