/** Messages of the UDP server's flags: the simulated network and the defences. */
import { defineMessages } from "./define.js";

export const udpMessages = defineMessages(
  {
    "option.drop": "UDP: chance (0 to 1) that a reply is lost, to see UDP lose datagrams",
    "option.duplicate": "UDP: chance (0 to 1) that a reply is sent twice",
    "option.delay":
      "UDP: delay each reply by MS, or MS±JITTER (e.g. 20±10, 1s±250ms), so replies can arrive out of order",
    "option.seed": "seed of the simulated network, to repeat a run exactly",
    "option.udpMaxGrowth":
      "UDP: reply bytes per request byte, at most (1 to 3); a datagram that would pass it keeps its growing characters as they are",
    "option.udpRate": "UDP: datagrams per second per source address (0: no limit)",
    "option.udpByteRate": "UDP: bytes per second per source address (0: no limit)",
    "option.udpRateSources": "UDP: most source addresses the rate limiter remembers",
    "error.invalidDelay":
      "--delay must be MS or MS±JITTER, each in milliseconds or with a unit (e.g. 20, 20±10, 1s±250ms), not {value}",
    "serve.networkSeed": "mayus: simulated network: seed {seed} (pass --seed {seed} to repeat this run)",
  },
  {
    "option.drop": "UDP: probabilidad (0 a 1) de perder una respuesta, para ver a UDP perder datagramas",
    "option.duplicate": "UDP: probabilidad (0 a 1) de enviar una respuesta dos veces",
    "option.delay":
      "UDP: retrasa cada respuesta MS, o MS±VARIACIÓN (p. ej. 20±10, 1s±250ms), para que lleguen desordenadas",
    "option.seed": "semilla de la red simulada, para repetir una ejecución exactamente",
    "option.udpMaxGrowth":
      "UDP: bytes de respuesta por byte de petición, como máximo (1 a 3); un datagrama que lo pasaría deja como están sus caracteres que crecen",
    "option.udpRate": "UDP: datagramas por segundo por dirección de origen (0: sin límite)",
    "option.udpByteRate": "UDP: bytes por segundo por dirección de origen (0: sin límite)",
    "option.udpRateSources": "UDP: máximo de direcciones de origen que recuerda el limitador",
    "error.invalidDelay":
      "--delay debe ser MS o MS±VARIACIÓN, cada uno en milisegundos o con unidad (p. ej. 20, 20±10, 1s±250ms), no {value}",
    "serve.networkSeed": "mayus: red simulada: semilla {seed} (use --seed {seed} para repetir esta ejecución)",
  },
);
