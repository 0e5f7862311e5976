/** Messages of `--trace`: the words around the lesson's step names (which stay as the lesson says them). */
import { defineMessages } from "./define.js";

export const traceMessages = defineMessages(
  {
    "trace.bytes": "{count} bytes",
    "trace.newSocket": "new socket for this client",
    "trace.clientFinished": "the client finished sending",
    "trace.reason.privileged-port": "source port below 1024: no reply",
    "trace.reason.nfs-port": "source port 2049 (NFS): no reply",
    "trace.reason.own-port": "source port is mayus's own: no reply",
    "trace.reason.broadcast": "broadcast source: no reply",
    "trace.reason.multicast": "multicast source: no reply",
    "trace.reason.reflection-loop": "source echoes our replies back (a loop): no reply for a while",
    "trace.reason.rate-limited": "over the source's rate: no reply",
    "trace.reason.simulated-loss": "lost by the simulated network",
    "trace.reason.send-failed": "sendto failed",
    "trace.reason.address-filtered": "source address not allowed (--allow/--deny): no reply",
    "option.trace": "print each socket step (socket, bind, listen, accept, recv, send, close) to stderr",
    "option.clientTrace": "print each socket step (socket, connect, send, recv, close) to stderr",
  },
  {
    "trace.bytes": "{count} bytes",
    "trace.newSocket": "socket nuevo para este cliente",
    "trace.clientFinished": "el cliente terminó de enviar",
    "trace.reason.privileged-port": "puerto de origen menor que 1024: sin respuesta",
    "trace.reason.nfs-port": "puerto de origen 2049 (NFS): sin respuesta",
    "trace.reason.own-port": "el puerto de origen es de mayus: sin respuesta",
    "trace.reason.broadcast": "origen de difusión (broadcast): sin respuesta",
    "trace.reason.multicast": "origen multidifusión (multicast): sin respuesta",
    "trace.reason.reflection-loop":
      "el origen nos devuelve nuestras respuestas (un bucle): sin respuesta por un tiempo",
    "trace.reason.rate-limited": "el origen pasa su ritmo: sin respuesta",
    "trace.reason.simulated-loss": "perdido por la red simulada",
    "trace.reason.send-failed": "falló sendto",
    "trace.reason.address-filtered": "dirección de origen no permitida (--allow/--deny): sin respuesta",
    "option.trace": "muestra cada paso de los sockets (socket, bind, listen, accept, recv, send, close) en stderr",
    "option.clientTrace": "muestra cada paso de los sockets (socket, connect, send, recv, close) en stderr",
  },
);
