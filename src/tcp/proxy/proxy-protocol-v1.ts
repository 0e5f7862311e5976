/**
 * The PROXY protocol's v1 header, a text line: "PROXY TCP4 <src> <dst> <sport> <dport>\r\n",
 * "PROXY TCP6 ...", "PROXY UNKNOWN[ anything]\r\n". Called by parseProxyHeader (proxy-protocol.ts).
 */

import { isIPv6, SocketAddress } from "node:net";
import {
  INCOMPLETE,
  invalid,
  PROXY_V1_MAX_HEADER_BYTES,
  type ProxyHeader,
  type ProxyInvalidReason,
  type ProxyParseResult,
  V1_SIGNATURE,
} from "./proxy-header.js";

const CR = 0x0d;
const LF = 0x0a;
/** The longest v1 line content, CRLF excluded. */
const V1_MAX_CONTENT = PROXY_V1_MAX_HEADER_BYTES - 2;

export function parseV1(bytes: Uint8Array): ProxyParseResult {
  // The line ends at the first CR or LF; one that is not within the first 106 bytes ends it too late.
  const scanEnd = Math.min(bytes.length, V1_MAX_CONTENT + 1);
  let eol = -1;
  for (let i = 0; i < scanEnd; i++) {
    if (bytes[i] === CR || bytes[i] === LF) {
      eol = i;
      break;
    }
  }
  if (eol === -1 && bytes.length > V1_MAX_CONTENT) {
    // A wrong field in those 106 bytes is reported first: the answer then stays the same as bytes arrive.
    const checked = checkV1Content(latin1(bytes, V1_MAX_CONTENT + 1), false);
    return invalid(typeof checked === "string" ? checked : "too-long");
  }
  const lineEnded = eol !== -1;
  const checked = checkV1Content(latin1(bytes, lineEnded ? eol : bytes.length), lineEnded);
  if (typeof checked === "string") return invalid(checked);
  if (!lineEnded) return INCOMPLETE;
  // "The receiver must not tolerate a single CR or LF character to end the line."
  if (bytes[eol] === LF) return invalid("v1-bad-crlf");
  if (eol + 1 >= bytes.length) return INCOMPLETE;
  if (bytes[eol + 1] !== LF) return invalid("v1-bad-crlf");
  return { status: "complete", header: checked ?? unknownV1Header(), headerBytes: eol + 2 };
}

function latin1(bytes: Uint8Array, end: number): string {
  let text = "";
  for (let i = 0; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

function unknownV1Header(): ProxyHeader {
  return { version: 1, command: "proxy", protocol: "unknown", tlvs: [] };
}

/**
 * Checks a v1 line without its terminator. With `lineEnded` false, `content` is a prefix of the
 * line and only has to be extendable into a valid one. Returns a reason, the header for a complete
 * TCP4/TCP6 line, or null when acceptable without a header to build (a viable prefix, or UNKNOWN).
 */
function checkV1Content(content: string, lineEnded: boolean): ProxyInvalidReason | ProxyHeader | null {
  // The signature "PROXY " was checked by isProxyHeaderStart; a CR/LF inside it is a bad signature.
  if (content.length < V1_SIGNATURE.length) return null;
  const fields = content.slice(V1_SIGNATURE.length).split(" ");
  const protocolField = fields[0];
  const protocolFinal = fields.length > 1 || lineEnded;
  if (!protocolFinal) {
    return ["TCP4", "TCP6", "UNKNOWN"].some((name) => name.startsWith(protocolField)) ? null : "v1-bad-protocol";
  }
  // UNKNOWN: "the receiver must ignore anything presented before the CRLF".
  if (protocolField === "UNKNOWN") return null;
  if (protocolField !== "TCP4" && protocolField !== "TCP6") return "v1-bad-protocol";
  const v4 = protocolField === "TCP4";

  // Fields in order, so that the first wrong one is reported whatever follows it.
  const rest = fields.slice(1);
  for (let i = 0; i < rest.length; i++) {
    if (i >= 4) return "v1-bad-format";
    const field = rest[i];
    const final = i < rest.length - 1 || lineEnded;
    if (final && field === "") return "v1-bad-format";
    if (i < 2) {
      if (!isV1Address(field, v4, final)) return "v1-bad-address";
    } else if (!isV1Port(field, final)) {
      return "v1-bad-port";
    }
  }
  if (!lineEnded) return null;
  if (rest.length < 4) return "v1-bad-format";

  const [src, dst, srcPort, dstPort] = rest;
  return {
    version: 1,
    command: "proxy",
    protocol: v4 ? "tcp4" : "tcp6",
    source: { address: v4 ? src : canonicalIPv6(src), port: Number(srcPort) },
    destination: { address: v4 ? dst : canonicalIPv6(dst), port: Number(dstPort) },
    tlvs: [],
  };
}

/** A complete address (`final`) or the start of one, of the family the line announced. */
function isV1Address(text: string, v4: boolean, final: boolean): boolean {
  if (v4) return final ? isV1IPv4(text) : isV1IPv4Prefix(text);
  return final ? isV1IPv6(text) : isV1IPv6Prefix(text);
}

/** A decimal octet without heading zeros (the spec forbids them: octal confusion). */
const OCTET = /^(?:0|[1-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$/;

function isV1IPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((part) => OCTET.test(part));
}

function isV1IPv4Prefix(text: string): boolean {
  const parts = text.split(".");
  if (parts.length > 4) return false;
  const last = parts[parts.length - 1];
  // Every prefix of a valid octet is a valid octet, so only the last part may be empty.
  return parts.slice(0, -1).every((part) => OCTET.test(part)) && (last === "" || OCTET.test(last));
}

const IPV6_CHARS = /^[0-9A-Fa-f:.]*$/;
/** "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", the longest text form without a zone. */
const IPV6_MAX_TEXT = 45;

function isV1IPv6(text: string): boolean {
  // isIPv6 alone would accept a zone ("fe80::1%eth0"): the character check rules it out.
  return IPV6_CHARS.test(text) && text.length <= IPV6_MAX_TEXT && isIPv6(text) && canonicalIPv6(text) !== "";
}

function isV1IPv6Prefix(text: string): boolean {
  if (!IPV6_CHARS.test(text) || text.length > IPV6_MAX_TEXT || text.includes(":::")) return false;
  const firstGap = text.indexOf("::");
  return firstGap === -1 || text.indexOf("::", firstGap + 1) === -1;
}

const PORT = /^(?:0|[1-9][0-9]{0,4})$/;

/** A decimal port without heading zeros; every prefix of a valid port is a valid port (or empty). */
function isV1Port(text: string, final: boolean): boolean {
  if (text === "") return !final;
  return PORT.test(text) && Number(text) <= 0xffff;
}

/**
 * The compressed lower-case form, as Node reports socket addresses ("2001:DB8:0::1" → "2001:db8::1"),
 * or "" if Node's inet_pton refuses what isIPv6 accepted (never seen; kept so parsing cannot throw).
 */
function canonicalIPv6(text: string): string {
  try {
    return new SocketAddress({ address: text, family: "ipv6" }).address;
  } catch {
    return "";
  }
}
