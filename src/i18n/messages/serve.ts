/** Messages of `mayus serve`: flags, ready and closing lines, listen errors. */
import { defineMessages } from "./define.js";

export const serveMessages = defineMessages(
  {
    "serve.description": "Run the uppercase server on TCP and UDP",
    "serve.ready": "mayus: listening on {protocol} {address}",
    "serve.closing": "mayus: {signal} received, closing (another signal exits at once)",
    "serve.closed": "mayus: closed",
    "serve.closedWorkerCode": "mayus: closed; a worker ended with exit code {code}",
    "serve.workerSignalIgnored":
      "{signal} sent to this worker alone is ignored: the primary drains and stops the workers; signal the primary to stop the server",
    "serve.forced":
      "mayus: drain: {count} connections reset unfinished (still busy at --drain-timeout, or sending after the server ended them): their clients saw a reset, not an end",
    "serve.exitAtOnce": "{signal} received again: exiting at once, without draining",
    "serve.ioPaths": "mayus: I/O: {paths}",
    "serve.ioNative": "native syscalls",
    "serve.drainStarted": "draining: no new connections; open ones are served until their clients finish or go quiet",
    "serve.drainFinished": "drain finished",
    "option.drainQuiet":
      "while draining, end a TCP connection whose client sent nothing and has nothing to receive for this many milliseconds",
    "option.maxAwaitingHeaderPerIp":
      "with --proxy-protocol, most TCP connections from one address still waiting for their PROXY header",
    "option.tcp": "TCP only",
    "option.udp": "UDP only",
    "option.port": "port to listen on (0: let the kernel choose)",
    "option.host": "address to listen on (default: all interfaces, IPv6 and IPv4)",
    "option.mode":
      "transform: unicode (full Unicode uppercase), ascii (only a-z), lower (full Unicode lowercase), lower-ascii (only A-Z) or echo (bytes unchanged, RFC 862)",
    "option.locale": "language rules for the uppercase (or lowercase), such as tr, az, lt or el",
    "option.maxConnections": "most TCP connections open at once",
    "option.maxConnectionsPerIp": "most TCP connections open at once from one client address",
    "option.stallTimeout":
      "close a TCP connection whose client has not read its answers for this many milliseconds (0: never)",
    "option.maxBufferedBytes": "stop reading a TCP client once this many of its answer bytes wait to be sent",
    "option.maxTotalBufferedBytes":
      "stop reading TCP clients that add to answers waiting once all together pass this many bytes",
    "option.workers": "processes serving, one per core with auto (TCP spread round robin, UDP on one shared socket)",
    "option.metricsPort": "serve Prometheus /metrics, /healthz and /readyz on this port (off by default)",
    "option.metricsHost": "address of the metrics endpoint (default: all interfaces)",
    "option.proxyProtocol": "expect a PROXY protocol v1/v2 header on each TCP connection (behind HAProxy)",
    "option.proxyHeaderTimeout": "milliseconds a TCP connection has to send its PROXY header",
    "serve.metricsReady": "mayus: metrics on http port {port} (/metrics, /healthz, /readyz)",
    "serve.workerReplaced": "a worker exited unexpectedly and was replaced",
    "serve.workerFailed": "a replacement worker could not start",
    "option.drainTimeout":
      "on SIGTERM, SIGINT or SIGHUP, milliseconds to let connections finish; the rest are then reset",
    "option.logLevel": "how much to log",
    "option.logFormat": "log format: text (for people) or json (for machines)",
    "option.idleTimeout": "close a TCP connection with no bytes either way for this many milliseconds (0: never)",
    "error.addressInUse":
      "{protocol} port {port} is already in use on {host}: stop the other program or choose another --port",
    "error.metricsPortInUse":
      "metrics port {port} is already in use on {host} ({reason}): stop the other program or choose another --metrics-port",
    "error.addressNotAvailable": "cannot listen on {host}: no such address on this machine",
    "error.permission": "not allowed to listen on port {port}: use a port above 1023 or run with the right privileges",
    "error.listen": "cannot listen on {protocol} {host} port {port}: {reason}",
    "error.tcpAndUdpOnly": "--tcp and --udp together mean both: leave both out",
  },
  {
    "serve.description": "Ejecuta el servidor de mayúsculas en TCP y UDP",
    "serve.ready": "mayus: escuchando en {protocol} {address}",
    "serve.closing": "mayus: recibido {signal}, cerrando (otra señal sale de inmediato)",
    "serve.closed": "mayus: cerrado",
    "serve.closedWorkerCode": "mayus: cerrado; un proceso de trabajo terminó con el código {code}",
    "serve.workerSignalIgnored":
      "{signal} enviada solo a este proceso de trabajo se ignora: el primario vacía y detiene los procesos de trabajo; envía la señal al primario para detener el servidor",
    "serve.forced":
      "mayus: drenaje: {count} conexiones reiniciadas sin terminar (aún activas al vencer --drain-timeout, o enviando después de que el servidor las terminara): sus clientes vieron un reinicio, no un final",
    "serve.exitAtOnce": "{signal} recibido otra vez: salida inmediata, sin drenar",
    "serve.ioPaths": "mayus: E/S: {paths}",
    "serve.ioNative": "llamadas al sistema nativas",
    "serve.drainStarted":
      "drenando: no se aceptan conexiones nuevas; las abiertas se atienden hasta que sus clientes terminen o callen",
    "serve.drainFinished": "drenaje terminado",
    "option.drainQuiet":
      "al drenar, termina una conexión TCP cuyo cliente no envió nada y no tiene nada por recibir en estos milisegundos",
    "option.maxAwaitingHeaderPerIp":
      "con --proxy-protocol, máximo de conexiones TCP de una misma dirección que aún esperan su cabecera PROXY",
    "option.tcp": "solo TCP",
    "option.udp": "solo UDP",
    "option.port": "puerto de escucha (0: que elija el núcleo)",
    "option.host": "dirección de escucha (por omisión: todas las interfaces, IPv6 e IPv4)",
    "option.mode":
      "transformación: unicode (mayúsculas Unicode completas), ascii (solo a-z), lower (minúsculas Unicode completas), lower-ascii (solo A-Z) o echo (bytes sin cambios, RFC 862)",
    "option.locale": "reglas de idioma para las mayúsculas (o minúsculas), como tr, az, lt o el",
    "option.maxConnections": "máximo de conexiones TCP abiertas a la vez",
    "option.maxConnectionsPerIp": "máximo de conexiones TCP abiertas a la vez desde una misma dirección",
    "option.stallTimeout":
      "cierra una conexión TCP cuyo cliente no ha leído sus respuestas en estos milisegundos (0: nunca)",
    "option.maxBufferedBytes": "deja de leer a un cliente TCP cuando tiene estos bytes de respuesta esperando envío",
    "option.maxTotalBufferedBytes":
      "deja de leer a los clientes TCP que añaden respuestas pendientes cuando entre todas pasan estos bytes",
    "option.workers":
      "procesos que sirven, uno por núcleo con auto (TCP repartido por turnos, UDP en un socket compartido)",
    "option.metricsPort": "sirve /metrics de Prometheus, /healthz y /readyz en este puerto (apagado por omisión)",
    "option.metricsHost": "dirección del servicio de métricas (por omisión: todas las interfaces)",
    "option.proxyProtocol": "espera una cabecera PROXY protocol v1/v2 en cada conexión TCP (detrás de HAProxy)",
    "option.proxyHeaderTimeout": "milisegundos que tiene una conexión TCP para enviar su cabecera PROXY",
    "serve.metricsReady": "mayus: métricas en el puerto http {port} (/metrics, /healthz, /readyz)",
    "serve.workerReplaced": "un proceso de trabajo terminó de forma inesperada y fue reemplazado",
    "serve.workerFailed": "un proceso de trabajo de reemplazo no pudo arrancar",
    "option.drainTimeout":
      "con SIGTERM, SIGINT o SIGHUP, milisegundos para que las conexiones terminen; después se reinician las demás",
    "option.logLevel": "cuánto registrar",
    "option.logFormat": "formato del registro: text (para personas) o json (para máquinas)",
    "option.idleTimeout": "cierra una conexión TCP sin bytes en ningún sentido durante estos milisegundos (0: nunca)",
    "error.addressInUse":
      "el puerto {protocol} {port} ya está en uso en {host}: detenga el otro programa o elija otro --port",
    "error.metricsPortInUse":
      "el puerto de métricas {port} ya está en uso en {host} ({reason}): detenga el otro programa o elija otro --metrics-port",
    "error.addressNotAvailable": "no se puede escuchar en {host}: esa dirección no existe en esta máquina",
    "error.permission":
      "sin permiso para escuchar en el puerto {port}: use un puerto mayor que 1023 o los privilegios adecuados",
    "error.listen": "no se puede escuchar en {protocol} {host} puerto {port}: {reason}",
    "error.tcpAndUdpOnly": "--tcp y --udp juntos significan ambos: omita los dos",
  },
);
