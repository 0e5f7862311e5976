/** Messages of `mayus bench`: flags, the live progress line, the end report and its errors. */
import { defineMessages } from "./define.js";

export const benchMessages = defineMessages(
  {
    "bench.description":
      "Load a mayus server and measure it: throughput and latency percentiles, every answer checked (exit 1 if any was wrong, 5 if none came)",
    "bench.argument.host": "server host",
    "bench.argument.port": "server port",
    "bench.option.udp": "use UDP: one datagram, wait for its answer, the next",
    "bench.option.connections": "TCP connections (or UDP sockets) at once",
    "bench.option.size": "bytes per message",
    "bench.option.duration":
      "seconds to measure (decimals allowed); the run stops by itself, or at Ctrl-C with the report so far",
    "bench.option.warmup": "seconds of load before measuring (not counted)",
    "bench.option.pattern":
      "pingpong: each connection waits for its answer; stream: send without waiting; connect: a new connection per message",
    "bench.option.rate": "open loop: messages per second in total, latency measured from each message's scheduled time",
    "bench.option.mode":
      "what the server does (unicode, ascii, lower, lower-ascii or echo), to check each answer against",
    "bench.option.locale":
      "the server's language rules (serve --locale), such as tr, az, lt or el, to check each answer against",
    "bench.option.text": "message text: ascii (English letters) or spanish (with accents and ñ)",
    "bench.option.totalBytes": "stop once this many bytes were sent and answered (or at --duration)",
    "bench.option.workers": "worker threads generating the load",
    "bench.option.json": "print the result as JSON",
    "bench.error.invalidPattern": "--pattern must be pingpong, stream or connect, not {value}",
    "bench.error.invalidText": "--text must be ascii or spanish, not {value}",
    "bench.error.udpPattern": "--pattern {pattern} is for TCP only: over UDP each socket sends a datagram and waits",
    "bench.error.udpSize": "--size {size} is more than one UDP datagram can carry ({limit} bytes)",
    "bench.error.noUdpReply":
      "no UDP reply from {address} within {timeoutMs} ms: is the server running and serving UDP?",
    "bench.error.noAnswer":
      "no answer from {address} in {seconds} s of load: is it an uppercase (or echo) server, and does it answer?",
    "bench.error.worker": "a load worker failed: {reason}",
    "bench.progress":
      "{elapsed} s of {duration} s  {rate} msg/s  {megabytes} MB/s  {messages} messages  errors {errors}",
    "bench.progress.warmup": "warming up ({elapsed} s of {warmup} s)",
    "bench.report.title":
      "mayus bench: {protocol} {address}, {pattern}, connections {connections}, {size}-byte messages",
    "bench.report.setup": "  server mode {mode}, {text} text, workers {workers}, {rate}, measured {elapsed} s",
    "bench.report.engine": "  engine       {engine}  (native: C epoll loop; node: Node's sockets)",
    "bench.report.closedLoop": "closed loop",
    "bench.report.openLoop": "open loop at {rate} msg/s",
    "bench.report.messages": "  messages     {messages}  ({rate} msg/s)",
    "bench.report.throughput": "  throughput   {megabytes} MB/s of answers (1 MB = 1,000,000 bytes)",
    "bench.report.latency":
      "  latency      p50 {p50}  p90 {p90}  p99 {p99}  p99.9 {p999}  max {max} µs  (recorded in nanoseconds)",
    "bench.report.noLatency": "  latency      no answer measured",
    "bench.report.errors":
      "  errors       {total}  (wrong answers {mismatches}, connection {connection}, timeouts {timeouts})",
    "bench.report.unanswered": "  unanswered   {count} messages still in flight at the end, {late} late UDP replies",
  },
  {
    "bench.description":
      "Carga un servidor mayus y lo mide: caudal y percentiles de latencia, comprobando cada respuesta (sale con 1 si alguna estaba mal, con 5 si no llegó ninguna)",
    "bench.argument.host": "máquina del servidor",
    "bench.argument.port": "puerto del servidor",
    "bench.option.udp": "usar UDP: un datagrama, esperar su respuesta, el siguiente",
    "bench.option.connections": "conexiones TCP (o sockets UDP) a la vez",
    "bench.option.size": "bytes por mensaje",
    "bench.option.duration":
      "segundos de medida (admite decimales); la prueba para sola, o con Ctrl-C y el informe de lo medido",
    "bench.option.warmup": "segundos de carga antes de medir (no cuentan)",
    "bench.option.pattern":
      "pingpong: cada conexión espera su respuesta; stream: envía sin esperar; connect: una conexión nueva por mensaje",
    "bench.option.rate":
      "bucle abierto: mensajes por segundo en total, latencia medida desde el instante previsto de cada mensaje",
    "bench.option.mode":
      "qué hace el servidor (unicode, ascii, lower, lower-ascii o echo), para comprobar cada respuesta",
    "bench.option.locale":
      "las reglas de idioma del servidor (serve --locale), como tr, az, lt o el, para comprobar cada respuesta",
    "bench.option.text": "texto de los mensajes: ascii (letras inglesas) o spanish (con tildes y eñes)",
    "bench.option.totalBytes": "parar cuando se hayan enviado y respondido estos bytes (o al acabar --duration)",
    "bench.option.workers": "hilos de trabajo que generan la carga",
    "bench.option.json": "imprime el resultado en JSON",
    "bench.error.invalidPattern": "--pattern debe ser pingpong, stream o connect, no {value}",
    "bench.error.invalidText": "--text debe ser ascii o spanish, no {value}",
    "bench.error.udpPattern": "--pattern {pattern} es solo para TCP: en UDP cada socket envía un datagrama y espera",
    "bench.error.udpSize": "--size {size} es más de lo que cabe en un datagrama UDP ({limit} bytes)",
    "bench.error.noUdpReply":
      "sin respuesta UDP de {address} en {timeoutMs} ms: ¿está el servidor en marcha y sirviendo UDP?",
    "bench.error.noAnswer":
      "ninguna respuesta de {address} en {seconds} s de carga: ¿es un servidor de mayúsculas (o de eco), y responde?",
    "bench.error.worker": "falló un hilo de carga: {reason}",
    "bench.progress":
      "{elapsed} s de {duration} s  {rate} mens/s  {megabytes} MB/s  {messages} mensajes  errores {errors}",
    "bench.progress.warmup": "calentando ({elapsed} s de {warmup} s)",
    "bench.report.title":
      "mayus bench: {protocol} {address}, {pattern}, conexiones {connections}, mensajes de {size} bytes",
    "bench.report.setup": "  modo del servidor {mode}, texto {text}, hilos {workers}, {rate}, medido {elapsed} s",
    "bench.report.engine": "  motor        {engine}  (native: bucle epoll en C; node: sockets de Node)",
    "bench.report.closedLoop": "bucle cerrado",
    "bench.report.openLoop": "bucle abierto a {rate} mens/s",
    "bench.report.messages": "  mensajes     {messages}  ({rate} mens/s)",
    "bench.report.throughput": "  caudal       {megabytes} MB/s de respuestas (1 MB = 1.000.000 bytes)",
    "bench.report.latency":
      "  latencia     p50 {p50}  p90 {p90}  p99 {p99}  p99.9 {p999}  máx {max} µs  (registrada en nanosegundos)",
    "bench.report.noLatency": "  latencia     ninguna respuesta medida",
    "bench.report.errors":
      "  errores      {total}  (respuestas erróneas {mismatches}, de conexión {connection}, plazos vencidos {timeouts})",
    "bench.report.unanswered": "  sin respuesta {count} mensajes aún en vuelo al final, {late} respuestas UDP tardías",
  },
);
