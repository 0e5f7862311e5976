/** Messages of `--trace`: the words around the lesson's step names (which stay as the lesson says them). */
import { defineMessages } from "./define.js";

export const traceMessages = defineMessages(
  {
    "trace.bytes": "{count} bytes",
    "trace.newSocket": "new socket for this client",
    "trace.clientFinished": "the client finished sending",
    "option.trace": "print each socket step (socket, bind, listen, accept, recv, send, close) to stderr",
  },
  {
    "trace.bytes": "{count} bytes",
    "trace.newSocket": "socket nuevo para este cliente",
    "trace.clientFinished": "el cliente terminó de enviar",
    "option.trace": "muestra cada paso de los sockets (socket, bind, listen, accept, recv, send, close) en stderr",
  },
);
