/** Messages of `mayus client`: flags, prompt, connection and reply errors. */
import { defineMessages } from "./define.js";

export const clientMessages = defineMessages(
  {
    "client.description": "Send lines to a mayus server and print the uppercase replies",
    "client.prompt": "Input lowercase sentence: ",
    "client.argument.host": "server host",
    "client.argument.port": "server port",
    "option.clientUdp": "use UDP (one datagram per line) instead of TCP",
    "option.timeout": "UDP: milliseconds to wait for a reply until a round trip is measured (the first RTO)",
    "option.minRto": "UDP: floor of the retransmission timeout, in milliseconds",
    "option.maxRto": "UDP: ceiling of the retransmission timeout, in milliseconds",
    "option.deadline": "UDP: milliseconds a line may take, tries included, before it fails",
    "option.retries": "UDP: also fail a line after this many tries after the first; no cap unless given",
    "option.holdBytes": "UDP, piped: bytes of lines read and not yet printed, at most",
    "client.retrying": "no reply in {waitedMs} ms: sending again (try {attempt})",
    "error.rtoBounds": "--min-rto ({min}) is above --max-rto ({max}): give a floor at most the ceiling",
    "error.refused": "connection refused by {address}: is the server running?",
    "error.hostNotFound": "host not found: {host}: check the name",
    "error.timeout":
      "line {line} failed: no reply from {address} in {waitedMs} ms (tries: {tries}): is the server up? --deadline gives a line longer",
    "error.timeoutRetries":
      "line {line} failed: no reply from {address} in {waitedMs} ms (tries: {tries}, all that --retries allows)",
    "error.datagramTooLong":
      "line {line} is {bytes} bytes, more than the {limit} one UDP datagram can carry: send it over TCP",
    "error.connection": "connection to {address} failed: {reason}",
    "error.closedEarly": "the server at {address} closed the connection before answering everything",
    "error.clientClosed": "the client closed before the reply from {address} came",
    "error.goneAfterClose":
      "the server at {address} closed the connection after answering {bytes} bytes, and refuses a new one ({reason}): is it still running?",
    "error.cut":
      "the server at {address} cut the connection ({reason}) after answering {bytes} bytes: the rest of the answer is missing",
    "option.window": "UDP, piped: lines waiting for their reply at once (replies are still printed in input order)",
  },
  {
    "client.description": "Envía líneas a un servidor mayus e imprime las respuestas en mayúsculas",
    "client.prompt": "Entrada frase minúsculas: ",
    "client.argument.host": "máquina del servidor",
    "client.argument.port": "puerto del servidor",
    "option.clientUdp": "usar UDP (un datagrama por línea) en vez de TCP",
    "option.timeout":
      "UDP: milisegundos de espera de una respuesta hasta medir un viaje de ida y vuelta (el primer RTO)",
    "option.minRto": "UDP: mínimo del tiempo de retransmisión, en milisegundos",
    "option.maxRto": "UDP: máximo del tiempo de retransmisión, en milisegundos",
    "option.deadline": "UDP: milisegundos que puede tardar una línea, reintentos incluidos, antes de fallar",
    "option.retries": "UDP: dar también una línea por fallida tras tantos reintentos; sin límite si no se da",
    "option.holdBytes": "UDP, por tubería: bytes de líneas leídas y aún no impresas, como máximo",
    "client.retrying": "sin respuesta en {waitedMs} ms: se envía de nuevo (intento {attempt})",
    "error.rtoBounds": "--min-rto ({min}) supera a --max-rto ({max}): dé un mínimo no mayor que el máximo",
    "error.refused": "conexión rechazada por {address}: ¿está el servidor en marcha?",
    "error.hostNotFound": "máquina no encontrada: {host}: revise el nombre",
    "error.timeout":
      "la línea {line} falló: sin respuesta de {address} en {waitedMs} ms (intentos: {tries}): ¿está el servidor en marcha? --deadline da más tiempo a cada línea",
    "error.timeoutRetries":
      "la línea {line} falló: sin respuesta de {address} en {waitedMs} ms (intentos: {tries}, todos los que permite --retries)",
    "error.datagramTooLong":
      "la línea {line} ocupa {bytes} bytes, más de los {limit} que caben en un datagrama UDP: envíela por TCP",
    "error.connection": "falló la conexión con {address}: {reason}",
    "error.closedEarly": "el servidor en {address} cerró la conexión antes de responderlo todo",
    "error.clientClosed": "el cliente se cerró antes de que llegara la respuesta de {address}",
    "error.goneAfterClose":
      "el servidor en {address} cerró la conexión tras responder {bytes} bytes, y rechaza una nueva ({reason}): ¿sigue en marcha?",
    "error.cut":
      "el servidor en {address} cortó la conexión ({reason}) tras responder {bytes} bytes: falta el resto de la respuesta",
    "option.window":
      "UDP, por tubería: líneas a la espera de su respuesta a la vez (las respuestas se imprimen en el orden de entrada)",
  },
);
