/** Messages of `mayus heartbeat` and of `serve --heartbeat`'s table of senders. */
import { defineMessages } from "./define.js";

export const heartbeatMessages = defineMessages(
  {
    "heartbeat.description":
      "Send numbered, timestamped UDP heartbeats to a server (the pinger lab's extension); Ctrl-C stops",
    "heartbeat.argument.host": "server host",
    "heartbeat.argument.port": "server UDP port",
    "heartbeat.option.count": "heartbeats to send, skipped ones included (default: until Ctrl-C)",
    "heartbeat.option.interval": "seconds from one heartbeat to the next (decimals allowed, e.g. 0.2)",
    "heartbeat.option.skip":
      "teaching: do not send these sequence numbers (e.g. 3,4), so the server sees heartbeats lost",
    "heartbeat.header": "HEARTBEAT {target}: one every {interval} s",
    "heartbeat.sent": "seq={sequence} sent",
    "heartbeat.skipped": "seq={sequence} skipped (--skip)",
    "heartbeat.statistics.title": "--- {target} heartbeat statistics ---",
    "heartbeat.statistics.counts": "{sent} sent, {skipped} skipped, {answered} answered",
    "cli.example.heartbeat.forever": "a heartbeat every second until Ctrl-C",
    "cli.example.heartbeat.skip": "ten heartbeats, one every 0.2 s, without 3 and 4: the server reports them lost",
    "cli.example.heartbeat.v6": "two a second to ::1 (the server runs serve --heartbeat)",
    "heartbeat.error.invalidSkip": "--skip takes sequence numbers separated by commas (e.g. 3,4), not {value}",
    "heartbeat.error.needsUdp": "--heartbeat needs the UDP server: drop --tcp, or add --udp",
    "heartbeat.error.workers": "--heartbeat needs one process (--workers 1): workers would split a sender's heartbeats",
    "option.heartbeat": "keep a table of UDP heartbeats (mayus heartbeat): report gaps, delay, senders down",
    "option.heartbeatTimeout":
      "milliseconds of silence after which a heartbeat sender is presumed down; implies --heartbeat",
    "option.heartbeatMaxSenders":
      "heartbeat senders remembered at once, the one heard from least recently forgotten; implies --heartbeat",
    "heartbeat.first":
      "mayus: heartbeat: {peer} is up (seq {sequence}, one-way delay {delay} ms if the clocks are synchronized)",
    "heartbeat.beat": "heartbeat {sequence} from {peer}, one-way delay {delay} ms",
    "heartbeat.lost.one": "mayus: heartbeat: 1 heartbeat lost from {peer} (seq {first})",
    "heartbeat.lost.other": "mayus: heartbeat: {count} heartbeats lost from {peer} (seq {first}-{last})",
    "heartbeat.late": "heartbeat {sequence} from {peer} came late or twice",
    "heartbeat.jump":
      "mayus: heartbeat: {peer} jumped from seq {from} to {to}, more than {maxGapCounted} away: not counted as lost (restarted, or not the same sender)",
    "heartbeat.down": "mayus: heartbeat: {peer} presumed down after {seconds} s (last seq {sequence})",
    "heartbeat.up": "mayus: heartbeat: {peer} back up after {seconds} s of silence (seq {sequence})",
    "heartbeat.evicted": "mayus: heartbeat: table full ({max} senders): forgot {peer}, heard from least recently",
    "heartbeat.suppressed": "mayus: heartbeat: {count} more lines not shown in the last second",
  },
  {
    "heartbeat.description":
      "Envía latidos UDP numerados y con hora a un servidor (la ampliación de la práctica del pinger); Ctrl-C para",
    "heartbeat.argument.host": "máquina del servidor",
    "heartbeat.argument.port": "puerto UDP del servidor",
    "heartbeat.option.count": "latidos que enviar, omitidos incluidos (por omisión: hasta Ctrl-C)",
    "heartbeat.option.interval": "segundos de un latido al siguiente (se admiten decimales, p. ej. 0.2)",
    "heartbeat.option.skip":
      "enseñanza: no envía estos números de secuencia (p. ej. 3,4), para que el servidor vea latidos perdidos",
    "heartbeat.header": "HEARTBEAT {target}: uno cada {interval} s",
    "heartbeat.sent": "seq={sequence} enviado",
    "heartbeat.skipped": "seq={sequence} omitido (--skip)",
    "heartbeat.statistics.title": "--- estadísticas de latidos de {target} ---",
    "heartbeat.statistics.counts": "enviados: {sent}, omitidos: {skipped}, respondidos: {answered}",
    "cli.example.heartbeat.forever": "un latido cada segundo hasta Ctrl-C",
    "cli.example.heartbeat.skip": "diez latidos, uno cada 0,2 s, sin el 3 ni el 4: el servidor los da por perdidos",
    "cli.example.heartbeat.v6": "dos por segundo a ::1 (el servidor corre serve --heartbeat)",
    "heartbeat.error.invalidSkip": "--skip lleva números de secuencia separados por comas (p. ej. 3,4), no {value}",
    "heartbeat.error.needsUdp": "--heartbeat necesita el servidor UDP: quite --tcp, o añada --udp",
    "heartbeat.error.workers":
      "--heartbeat necesita un solo proceso (--workers 1): varios procesos se repartirían los latidos de un emisor",
    "option.heartbeat":
      "lleva una tabla de latidos UDP (mayus heartbeat): informa de huecos, retardo y emisores caídos",
    "option.heartbeatTimeout":
      "milisegundos de silencio tras los que un emisor de latidos se da por caído; implica --heartbeat",
    "option.heartbeatMaxSenders":
      "emisores de latidos que recuerda a la vez; olvida el que lleva más tiempo sin oír; implica --heartbeat",
    "heartbeat.first":
      "mayus: latido: {peer} está activo (seq {sequence}, retardo de ida {delay} ms si los relojes están sincronizados)",
    "heartbeat.beat": "latido {sequence} de {peer}, retardo de ida {delay} ms",
    "heartbeat.lost.one": "mayus: latido: 1 latido perdido de {peer} (seq {first})",
    "heartbeat.lost.other": "mayus: latido: {count} latidos perdidos de {peer} (seq {first}-{last})",
    "heartbeat.late": "el latido {sequence} de {peer} llegó tarde o repetido",
    "heartbeat.jump":
      "mayus: latido: {peer} saltó de la seq {from} a la {to}, más de {maxGapCounted} de distancia: no se cuentan perdidos (reiniciado, o no es el mismo emisor)",
    "heartbeat.down": "mayus: latido: {peer} se da por caído tras {seconds} s (última seq {sequence})",
    "heartbeat.up": "mayus: latido: {peer} vuelve a estar activo tras {seconds} s de silencio (seq {sequence})",
    "heartbeat.evicted":
      "mayus: latido: tabla llena ({max} emisores): olvida {peer}, el que llevaba más tiempo sin oír",
    "heartbeat.suppressed": "mayus: latido: {count} líneas más sin mostrar en el último segundo",
  },
);
