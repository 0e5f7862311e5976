/** Messages of the allow and deny lists (`--allow`, `--deny`) and of `--hexdump`. */
import { defineMessages } from "./define.js";

export const capabilityMessages = defineMessages(
  {
    "option.allow":
      "serve only clients from this CIDR or address (repeatable, comma-separated, or @FILE with one per line)",
    "option.deny": "refuse clients from this CIDR or address, even if allowed (repeatable, comma-separated, or @FILE)",
    "error.invalidAddressRule":
      "{option}: {rule} is not an IPv4 or IPv6 address or CIDR (such as 192.0.2.0/24 or 2001:db8::/32)",
    "error.invalidAddressRuleInFile":
      "{option}: {file} line {line}: {rule} is not an IPv4 or IPv6 address or CIDR (such as 192.0.2.0/24 or 2001:db8::/32)",
    "error.addressRuleFile": "{option}: cannot read {file}: {reason}",
    "error.emptyAllow":
      "{option} {value} names no network, so no client would be served: name one (such as 192.0.2.0/24), or leave {option} out to serve every client",
    "option.hexdump":
      "print every received and sent payload as hex dump lines (offset, 16 bytes in hex, text) to stderr",
    "option.hexdumpBytes": "bytes of each payload shown by --hexdump; the rest is counted in one line",
    "hexdump.more": "… {count} bytes not shown (--hexdump-bytes)",
  },
  {
    "option.allow":
      "atiende solo a clientes de este CIDR o dirección (repetible, separados por comas, o @FICHERO con uno por línea)",
    "option.deny":
      "rechaza a los clientes de este CIDR o dirección, aunque estén permitidos (repetible, separados por comas, o @FICHERO)",
    "error.invalidAddressRule":
      "{option}: {rule} no es una dirección ni un CIDR IPv4 o IPv6 (como 192.0.2.0/24 o 2001:db8::/32)",
    "error.invalidAddressRuleInFile":
      "{option}: {file} línea {line}: {rule} no es una dirección ni un CIDR IPv4 o IPv6 (como 192.0.2.0/24 o 2001:db8::/32)",
    "error.addressRuleFile": "{option}: no se puede leer {file}: {reason}",
    "error.emptyAllow":
      "{option} {value} no nombra ninguna red, así que no se atendería a ningún cliente: nombra una (como 192.0.2.0/24), o quita {option} para atender a todos",
    "option.hexdump":
      "muestra cada carga recibida y enviada como líneas de volcado hexadecimal (posición, 16 bytes en hex, texto) en stderr",
    "option.hexdumpBytes": "bytes de cada carga que muestra --hexdump; el resto se cuenta en una línea",
    "hexdump.more": "… {count} bytes sin mostrar (--hexdump-bytes)",
  },
);
