/** Messages of `mayus ping`: flags, one line per ping, the summary and the pinger's errors. */
import { defineMessages } from "./define.js";

export const pingMessages = defineMessages(
  {
    "ping.description": "Ping a mayus (or any uppercase echo) server over UDP, as the lesson's pinger lab",
    "ping.argument.host": "server host",
    "ping.argument.port": "server UDP port",
    "ping.option.count": "number of pings to send",
    "ping.option.interval": "seconds from one ping to the next (decimals allowed, e.g. 0.2)",
    "ping.option.timeout": "seconds each ping waits for its reply (decimals allowed, e.g. 0.5)",
    "ping.header.one": "PING {target}: 1 ping",
    "ping.header.other": "PING {target}: {count} pings",
    "ping.reply": "Reply from {from}: seq={sequence} time={time} ms",
    "ping.timeout": "Request timed out: seq={sequence}",
    "ping.statistics.title": "--- {target} ping statistics ---",
    "ping.statistics.packets": "{transmitted} packets transmitted, {received} received{extra}, {loss}% packet loss",
    "ping.statistics.duplicates": ", +{count} duplicates",
    "ping.statistics.late": ", +{count} late",
    "ping.statistics.rtt": "rtt min/avg/max/mdev = {rtt} ms",
    "ping.error.noReply": "no reply from {address} to any of {count} pings: is it an uppercase UDP server?",
  },
  {
    "ping.description":
      "Hace ping por UDP a un servidor mayus (o a cualquier eco en mayúsculas), como la práctica del pinger",
    "ping.argument.host": "máquina del servidor",
    "ping.argument.port": "puerto UDP del servidor",
    "ping.option.count": "número de pings que enviar",
    "ping.option.interval": "segundos de un ping al siguiente (se admiten decimales, p. ej. 0.2)",
    "ping.option.timeout": "segundos que cada ping espera su respuesta (se admiten decimales, p. ej. 0.5)",
    "ping.header.one": "PING {target}: 1 ping",
    "ping.header.other": "PING {target}: {count} pings",
    "ping.reply": "Respuesta de {from}: seq={sequence} tiempo={time} ms",
    "ping.timeout": "Tiempo de espera agotado: seq={sequence}",
    "ping.statistics.title": "--- estadísticas de ping de {target} ---",
    "ping.statistics.packets":
      "{transmitted} paquetes transmitidos, {received} recibidos{extra}, {loss}% de paquetes perdidos",
    "ping.statistics.duplicates": ", +{count} duplicados",
    "ping.statistics.late": ", +{count} tardíos",
    "ping.statistics.rtt": "rtt mín/media/máx/desv = {rtt} ms",
    "ping.error.noReply":
      "sin respuesta de {address} a ninguno de los {count} pings: ¿es un servidor UDP de mayúsculas?",
  },
);
