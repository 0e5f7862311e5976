/** Messages of `mayus client`: flags, prompt, connection and reply errors. */
import { defineMessages } from "./define.js";

export const clientMessages = defineMessages(
  {
    "client.description": "Send lines to a mayus server and print the uppercase replies",
    "client.prompt": "Input lowercase sentence: ",
    "client.argument.host": "server host",
    "client.argument.port": "server port",
    "option.clientUdp": "use UDP (one datagram per line) instead of TCP",
    "option.timeout": "UDP: milliseconds to wait for each reply",
    "option.retries": "UDP: tries after the first before a line fails",
    "error.refused": "connection refused by {address}: is the server running?",
    "error.hostNotFound": "host not found: {host}: check the name",
    "error.timeout": "line {line} failed: no reply from {address} (tries: {tries})",
    "error.datagramTooLong":
      "line {line} is {bytes} bytes, more than the {limit} one UDP datagram can carry: send it over TCP",
    "error.connection": "connection to {address} failed: {reason}",
    "error.closedEarly": "the server at {address} closed the connection before answering everything",
    "error.clientClosed": "the client closed before the reply from {address} came",
    "option.window": "UDP, piped: lines in flight at once (replies are still printed in input order)",
  },
  {
    "client.description": "Envía líneas a un servidor mayus e imprime las respuestas en mayúsculas",
    "client.prompt": "Entrada frase minúsculas: ",
    "client.argument.host": "máquina del servidor",
    "client.argument.port": "puerto del servidor",
    "option.clientUdp": "usar UDP (un datagrama por línea) en vez de TCP",
    "option.timeout": "UDP: milisegundos de espera de cada respuesta",
    "option.retries": "UDP: reintentos tras el primero antes de dar una línea por fallida",
    "error.refused": "conexión rechazada por {address}: ¿está el servidor en marcha?",
    "error.hostNotFound": "máquina no encontrada: {host}: revise el nombre",
    "error.timeout": "la línea {line} falló: sin respuesta de {address} (intentos: {tries})",
    "error.datagramTooLong":
      "la línea {line} ocupa {bytes} bytes, más de los {limit} que caben en un datagrama UDP: envíela por TCP",
    "error.connection": "falló la conexión con {address}: {reason}",
    "error.closedEarly": "el servidor en {address} cerró la conexión antes de responderlo todo",
    "error.clientClosed": "el cliente se cerró antes de que llegara la respuesta de {address}",
    "option.window": "UDP, por tubería: líneas en vuelo a la vez (las respuestas se imprimen en el orden de entrada)",
  },
);
