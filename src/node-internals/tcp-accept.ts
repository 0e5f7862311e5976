/**
 * How a listening `net.Server` makes the `Socket` of each connection it accepts. Node 20's
 * accept callback (`onconnection` in lib/net.js) passes `new Socket()` an options object that
 * the constructor copies and then extends with `emitClose`, `autoDestroy` and
 * `decodeStrings`; V8 11.3 gives each copy three new hidden classes for that (`--log-maps`:
 * three per connection, none cached), so every read of those options in the stream
 * constructors after it misses its inline cache and goes to the runtime: about half of the
 * server's instructions per connection, the naive Node server's too (`npm run
 * bench:instructions -- --only W5` counts them).
 *
 * `acceptWithSettledOptions` puts in Node's place a callback that does what Node 20's does for
 * a connection it serves, with options that already hold those three properties; errors and
 * connections past `maxConnections` still go to Node's own. Only on Node 20, where it was
 * verified line by line against lib/net.js, and only for a server that uses none of the
 * options it leaves out (`noDelay`, `keepAlive`): elsewhere Node's callback stays.
 */

import cluster from "node:cluster";
import { channel } from "node:diagnostics_channel";
import { type Server, Socket, type SocketConstructorOpts } from "node:net";
import { probeFailed } from "./probes.js";

type Accept = (this: unknown, status: number, clientHandle: unknown) => void;

/** The fields of a `net.Server` that Node 20's accept callback reads and writes. */
interface ServerFields {
  _handle?: { onconnection?: Accept } | null;
  _connections: number;
  allowHalfOpen: boolean;
  pauseOnConnect: boolean;
  highWaterMark: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  maxConnections: number;
}

/** What Node publishes for each accepted socket (lib/net.js), to those who subscribe. */
const serverSocketChannel = channel("net.server.socket");

/** The Node major the callback below was checked against. */
const VERIFIED_MAJOR = 20;

/**
 * Replaces the accept callback of `server` (listening, with its own handle or a cluster
 * worker's) as said above. True if it did; false, and Node's left in place, where it does not
 * apply (another Node) or the server is not as expected (recorded as a failed probe).
 */
export function acceptWithSettledOptions(server: Server): boolean {
  if (Number(process.versions.node.split(".")[0]) !== VERIFIED_MAJOR) return false;
  // Not in a cluster worker: workers that accept from one shared socket (scheduling "none")
  // share its connections by how soon each comes back to accept, and a faster accept tipped
  // that: with 10 workers, one reached its descriptor limit and closed connections (W6,
  // `npm run bench -- --only W6 --servers mayus`).
  if (cluster.isWorker) return false;
  const fields = server as unknown as ServerFields;
  const handle = fields._handle;
  const nodeAccept = handle?.onconnection;
  if (
    typeof nodeAccept !== "function" ||
    typeof fields._connections !== "number" ||
    typeof fields.highWaterMark !== "number"
  ) {
    probeFailed("tcp-accept-options", "the listening handle has no onconnection, or the server no _connections");
    return false;
  }
  if (fields.noDelay === true || fields.keepAlive === true) return false;
  (handle as { onconnection: Accept }).onconnection = function accept(status, clientHandle) {
    // As Node's: any maxConnections set, 0 included, drops past it (its callback does that).
    if (status !== 0 || (server.maxConnections != null && fields._connections >= server.maxConnections)) {
      nodeAccept.call(this, status, clientHandle);
      return;
    }
    const options = {
      handle: clientHandle,
      allowHalfOpen: fields.allowHalfOpen,
      pauseOnCreate: fields.pauseOnConnect,
      readable: true,
      writable: true,
      readableHighWaterMark: fields.highWaterMark,
      writableHighWaterMark: fields.highWaterMark,
      // What the constructor sets on its copy, set here so that the copy keeps its hidden class.
      emitClose: false,
      autoDestroy: true,
      decodeStrings: false,
    };
    const socket = new Socket(options as SocketConstructorOpts) as Socket & { server: Server; _server: Server };
    fields._connections++;
    socket.server = server;
    socket._server = server;
    server.emit("connection", socket);
    if (serverSocketChannel.hasSubscribers) serverSocketChannel.publish({ socket });
  };
  return true;
}
