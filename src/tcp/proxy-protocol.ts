/**
 * Strict, incremental decoder for the HAProxy PROXY protocol (v1 text and v2 binary, as in
 * haproxy's doc/proxy-protocol.txt). A load balancer puts this header at the start of each TCP
 * connection so the server sees the real client's address. Pure: no sockets, no timers, no state.
 * The caller accumulates what it has read and calls {@link parseProxyHeader} again with more bytes
 * until the answer is "complete" or "invalid" (and applies its own header timeout). Anything
 * the spec does not allow is refused, unlike the npm parsers that accept truncated v2 headers.
 */

import { isIPv6, SocketAddress } from "node:net";

/**
 * An address and port carried by a PROXY header: IPv4 dotted quad or IPv6 in Node's compressed form.
 *
 * @example
 * const client: ProxyEndpoint = { address: "2001:db8::1", port: 56324 };
 */
export interface ProxyEndpoint {
  address: string;
  port: number;
}

/**
 * One v2 Type-Length-Value extension, e.g. type 0x01 (ALPN), 0x02 (authority), 0x03 (CRC32C),
 * 0x05 (unique id), 0x20 (SSL). The value is a copy, never a view of the caller's buffer.
 *
 * @example
 * const authority = header.tlvs.find((tlv) => tlv.type === PROXY_V2_TLV_AUTHORITY);
 */
export interface ProxyTlv {
  type: number;
  value: Uint8Array;
}

/**
 * A decoded PROXY header.
 *
 * - `command: "local"` (v2 only: HAProxy health checks) means "use the real connection's endpoints":
 *   no source or destination is given, whatever the address block held.
 * - `protocol: "unknown"` (v1 `UNKNOWN`, v2 `AF_UNSPEC`) also comes without addresses.
 * - `protocol: "unix"` (v2 `AF_UNIX`) comes without addresses: the 216-byte block is skipped.
 * - IPv6 addresses are in the compressed form Node gives `socket.remoteAddress`
 *   (`2001:db8::1`, `::ffff:192.0.2.1`), so they compare equal to what Node reports.
 *
 * @example
 * const header: ProxyHeader = {
 *   version: 1,
 *   command: "proxy",
 *   protocol: "tcp4",
 *   source: { address: "192.0.2.1", port: 56324 },
 *   destination: { address: "192.0.2.11", port: 443 },
 *   tlvs: [],
 * };
 */
export interface ProxyHeader {
  version: 1 | 2;
  command: "proxy" | "local";
  protocol: "tcp4" | "tcp6" | "udp4" | "udp6" | "unix" | "unknown";
  source?: ProxyEndpoint;
  destination?: ProxyEndpoint;
  tlvs: ProxyTlv[];
}

/**
 * Why a header was refused; short and stable, meant for logs and metric labels.
 *
 * - `bad-signature`: starts with neither `PROXY ` nor the v2 signature.
 * - `too-long`: v1 line without CRLF within 107 bytes, or a v2 header above the configured cap.
 * - `v1-bad-format`: wrong field count, empty field (double or trailing space).
 * - `v1-bad-protocol`: not `TCP4`, `TCP6` or `UNKNOWN`.
 * - `v1-bad-address`: not an address of the announced family (IPv4: four decimal octets without heading
 *   zeros; IPv6: any form inet_pton accepts, without a zone).
 * - `v1-bad-port`: not a decimal 0..65535 without heading zeros.
 * - `v1-bad-crlf`: a lone CR or LF.
 * - `v2-bad-version`, `v2-bad-command`: version nibble not 2, command not LOCAL/PROXY.
 * - `v2-bad-family`, `v2-bad-transport`: family/transport byte not one of 0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32.
 * - `v2-truncated`: the length field does not cover the address block of the family.
 * - `v2-bad-tlv`: a TLV does not fit exactly in the header.
 * - `v2-bad-crc32c`: a CRC32C TLV that is not 4 bytes, repeated, or does not match.
 *
 * @example
 * const reason: ProxyInvalidReason = "v2-truncated";
 */
export type ProxyInvalidReason =
  | "bad-signature"
  | "too-long"
  | "v1-bad-format"
  | "v1-bad-protocol"
  | "v1-bad-address"
  | "v1-bad-port"
  | "v1-bad-crlf"
  | "v2-bad-version"
  | "v2-bad-command"
  | "v2-bad-family"
  | "v2-bad-transport"
  | "v2-truncated"
  | "v2-bad-tlv"
  | "v2-bad-crc32c";

/**
 * The answer of {@link parseProxyHeader}: need more bytes, refuse the connection, or the header
 * and how many bytes it took (the bytes after it are the connection's payload).
 *
 * @example
 * const result: ProxyParseResult = parseProxyHeader(buffered);
 * if (result.status === "complete") handlePayload(buffered.subarray(result.headerBytes));
 */
export type ProxyParseResult =
  | { status: "incomplete" }
  | { status: "invalid"; reason: ProxyInvalidReason }
  | { status: "complete"; header: ProxyHeader; headerBytes: number };

/**
 * Options of {@link parseProxyHeader}.
 *
 * @example
 * parseProxyHeader(bytes, { maxV2HeaderBytes: 1024 });
 */
export interface ProxyParseOptions {
  /**
   * Largest v2 header accepted (16-byte fixed part + address block + TLVs); larger ones are
   * refused with "too-long" as soon as the length field is seen. From 16 to 65551
   * ({@link PROXY_V2_MAX_POSSIBLE_HEADER_BYTES}); default {@link MAX_PROXY_V2_HEADER_BYTES}.
   */
  maxV2HeaderBytes?: number;
}

/**
 * Longest v1 line the spec allows, CRLF included
 * (`PROXY UNKNOWN ffff:…:ffff ffff:…:ffff 65535 65535\r\n`).
 *
 * @example
 * const lineBuffer = new Uint8Array(PROXY_V1_MAX_HEADER_BYTES); // room for any v1 header
 */
export const PROXY_V1_MAX_HEADER_BYTES = 107;

/**
 * Default cap on a v2 header: enough for any address block plus generous TLVs, far below the
 * 65551 bytes the 16-bit length field allows, so a peer cannot make us buffer 64 KiB per connection.
 *
 * @example
 * parseProxyHeader(bytes); // same as parseProxyHeader(bytes, { maxV2HeaderBytes: MAX_PROXY_V2_HEADER_BYTES })
 */
export const MAX_PROXY_V2_HEADER_BYTES = 4096;

/**
 * Largest v2 header the wire format can express: 16 + 65535.
 *
 * @example
 * parseProxyHeader(bytes, { maxV2HeaderBytes: PROXY_V2_MAX_POSSIBLE_HEADER_BYTES }); // no cap beyond the spec's
 */
export const PROXY_V2_MAX_POSSIBLE_HEADER_BYTES = 16 + 0xffff;

/** The decoder's own copy of the v2 signature, out of callers' reach. */
const V2_SIGNATURE = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a);

/**
 * The 12 bytes every v2 header starts with: `\r\n\r\n\0\r\nQUIT\n` (a copy: changing it changes nothing here).
 *
 * @example
 * const looksV2 = PROXY_V2_SIGNATURE.every((byte, i) => bytes[i] === byte);
 */
export const PROXY_V2_SIGNATURE: Readonly<Uint8Array> = V2_SIGNATURE.slice();

/**
 * v2 TLV type of the authority (the TLS SNI or host name the client asked for), UTF-8.
 *
 * @example
 * const sni = header.tlvs.find((tlv) => tlv.type === PROXY_V2_TLV_AUTHORITY)?.value;
 */
export const PROXY_V2_TLV_AUTHORITY = 0x02;

/**
 * v2 TLV type of the CRC32C checksum of the whole header. When present, {@link parseProxyHeader}
 * verifies it (the spec requires it of receivers that support it) and refuses a mismatch.
 *
 * @example
 * const hasChecksum = header.tlvs.some((tlv) => tlv.type === PROXY_V2_TLV_CRC32C);
 */
export const PROXY_V2_TLV_CRC32C = 0x03;

const V1_SIGNATURE = Uint8Array.of(0x50, 0x52, 0x4f, 0x58, 0x59, 0x20); // "PROXY "
const V2_FIXED_BYTES = 16;
const CR = 0x0d;
const LF = 0x0a;
/** The longest v1 line content, CRLF excluded. */
const V1_MAX_CONTENT = PROXY_V1_MAX_HEADER_BYTES - 2;
/** The valid v2 family/transport bytes. */
const V2_PROTOCOLS: Readonly<Record<number, ProxyHeader["protocol"]>> = {
  0: "unknown",
  17: "tcp4",
  18: "udp4",
  33: "tcp6",
  34: "udp6",
  49: "unix",
  50: "unix",
};
/** Address block size by v2 family nibble: UNSPEC, INET, INET6, UNIX. */
const V2_ADDRESS_BYTES = [0, 12, 36, 216] as const;

const INCOMPLETE: ProxyParseResult = Object.freeze({ status: "incomplete" });

function invalid(reason: ProxyInvalidReason): ProxyParseResult {
  return { status: "invalid", reason };
}

/**
 * Decodes a PROXY protocol header (v1 or v2) at the start of `bytes`: everything read so far on
 * the connection. Never throws on any input and never reads past the header: on "complete",
 * `bytes.subarray(headerBytes)` is the payload, untouched (v2 TLVs are part of the header).
 * "incomplete" is only answered while more bytes could still make a valid header, and never
 * past the largest allowed header, so a caller that waits for more bytes waits for a bounded amount.
 * Invalid input is refused as early as possible (a wrong byte, a v2 length over the cap or too short
 * for its address block), before the rest arrives.
 *
 * @param bytes what has been received so far, from the first byte of the connection
 * @param options `maxV2HeaderBytes` cap (default {@link MAX_PROXY_V2_HEADER_BYTES})
 * @throws RangeError only if `options.maxV2HeaderBytes` is not an integer in 16..65551
 *
 * @example
 * const result = parseProxyHeader(Buffer.from("PROXY TCP4 192.0.2.1 192.0.2.11 56324 443\r\nhello"));
 * // result.status === "complete", result.headerBytes === 43,
 * // result.header.source → { address: "192.0.2.1", port: 56324 }
 */
export function parseProxyHeader(bytes: Uint8Array, options: ProxyParseOptions = {}): ProxyParseResult {
  const maxV2 = options.maxV2HeaderBytes ?? MAX_PROXY_V2_HEADER_BYTES;
  if (!Number.isInteger(maxV2) || maxV2 < V2_FIXED_BYTES || maxV2 > PROXY_V2_MAX_POSSIBLE_HEADER_BYTES) {
    throw new RangeError(`maxV2HeaderBytes must be an integer from 16 to 65551, got ${maxV2}`);
  }
  if (bytes.length === 0) return INCOMPLETE;
  if (!isProxyHeaderStart(bytes)) return invalid("bad-signature");
  return bytes[0] === V1_SIGNATURE[0] ? parseV1(bytes) : parseV2(bytes, maxV2);
}

/**
 * Whether `bytes` can still be the start of a PROXY header: they match the v1 signature `PROXY `
 * or the 12-byte v2 signature as far as they go (true for an empty array). Cheap: looks at 12 bytes
 * at most. A false answer means the connection can be refused at once; a true answer says nothing
 * about what follows the signature ({@link parseProxyHeader} checks that).
 *
 * @example
 * isProxyHeaderStart(Buffer.from("PRO")); // true
 * isProxyHeaderStart(Buffer.from("GET / HTTP/1.1\r\n")); // false
 * isProxyHeaderStart(Uint8Array.of(0x0d, 0x0a, 0x0d)); // true (v2)
 */
export function isProxyHeaderStart(bytes: Uint8Array): boolean {
  const signature = bytes[0] === V1_SIGNATURE[0] ? V1_SIGNATURE : V2_SIGNATURE;
  const n = Math.min(bytes.length, signature.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== signature[i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// v1: "PROXY TCP4 <src> <dst> <sport> <dport>\r\n", "PROXY TCP6 ...", "PROXY UNKNOWN[ anything]\r\n"

function parseV1(bytes: Uint8Array): ProxyParseResult {
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

// ---------------------------------------------------------------------------------------------
// v2: signature(12) ver_cmd(1) fam(1) len(2, big endian) address block, then TLVs up to 16 + len.

function parseV2(bytes: Uint8Array, maxHeaderBytes: number): ProxyParseResult {
  if (bytes.length <= 12) return INCOMPLETE;
  const versionCommand = bytes[12];
  if (versionCommand >> 4 !== 2) return invalid("v2-bad-version");
  const commandNibble = versionCommand & 0x0f;
  if (commandNibble > 1) return invalid("v2-bad-command");

  if (bytes.length <= 13) return INCOMPLETE;
  const familyNibble = bytes[13] >> 4;
  const transportNibble = bytes[13] & 0x0f;
  if (familyNibble > 3) return invalid("v2-bad-family");
  if (transportNibble > 2) return invalid("v2-bad-transport");
  // UNSPEC goes with UNSPEC only (0x00); a real family needs STREAM or DGRAM and vice versa.
  if ((familyNibble === 0) !== (transportNibble === 0)) return invalid("v2-bad-family");

  if (bytes.length < V2_FIXED_BYTES) return INCOMPLETE;
  const total = V2_FIXED_BYTES + ((bytes[14] << 8) | bytes[15]);
  if (total > maxHeaderBytes) return invalid("too-long");
  const addressEnd = V2_FIXED_BYTES + V2_ADDRESS_BYTES[familyNibble];
  if (total < addressEnd) return invalid("v2-truncated");
  if (bytes.length < total) return INCOMPLETE;

  const tlvs = parseTlvs(bytes, addressEnd, total);
  if (typeof tlvs === "string") return invalid(tlvs);

  const protocol = V2_PROTOCOLS[bytes[13]];
  const header: ProxyHeader = { version: 2, command: commandNibble === 1 ? "proxy" : "local", protocol, tlvs };

  // LOCAL: "the receiver must use the real connection endpoints": the address block is ignored.
  if (header.command === "proxy" && (familyNibble === 1 || familyNibble === 2)) {
    const a = V2_FIXED_BYTES;
    const addressBytes = familyNibble === 1 ? 4 : 16;
    const ports = a + 2 * addressBytes;
    const format = familyNibble === 1 ? formatIPv4 : formatIPv6;
    header.source = { address: format(bytes, a), port: (bytes[ports] << 8) | bytes[ports + 1] };
    header.destination = { address: format(bytes, a + addressBytes), port: (bytes[ports + 2] << 8) | bytes[ports + 3] };
  }
  return { status: "complete", header, headerBytes: total };
}

function parseTlvs(bytes: Uint8Array, start: number, end: number): ProxyTlv[] | ProxyInvalidReason {
  const tlvs: ProxyTlv[] = [];
  let crcOffset = -1;
  let offset = start;
  while (offset < end) {
    if (end - offset < 3) return "v2-bad-tlv";
    const type = bytes[offset];
    const length = (bytes[offset + 1] << 8) | bytes[offset + 2];
    const valueStart = offset + 3;
    if (length > end - valueStart) return "v2-bad-tlv";
    if (type === PROXY_V2_TLV_CRC32C) {
      if (length !== 4 || crcOffset !== -1) return "v2-bad-crc32c";
      crcOffset = valueStart;
    }
    // A copy: the caller's buffer may be reused once the header is consumed.
    tlvs.push({ type, value: new Uint8Array(bytes.subarray(valueStart, valueStart + length)) });
    offset = valueStart + length;
  }
  if (crcOffset !== -1 && !crc32cMatches(bytes, end, crcOffset)) return "v2-bad-crc32c";
  return tlvs;
}

function formatIPv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/**
 * RFC 5952-style compression as inet_ntop (and so Node) writes it: lower case, no heading zeros,
 * the longest run of two or more zero groups (the first on a tie) as "::", and the last 32 bits
 * as a dotted quad for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
 */
function formatIPv6(bytes: Uint8Array, at: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1]);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;

  let text = "";
  for (let i = 0; i < 8; i++) {
    if (bestStart !== -1 && i >= bestStart && i < bestStart + bestLength) {
      if (i === bestStart) text += "::";
      continue;
    }
    if (text !== "" && !text.endsWith(":")) text += ":";
    if (i === 6 && bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
      text += formatIPv4(bytes, at + 12);
      break;
    }
    text += words[i].toString(16);
  }
  return text;
}

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as RFC 4960 appendix B computes it.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Whether the CRC32C of bytes[0, end), with the 4 checksum bytes at `crcOffset` taken as zeros, matches them. */
function crc32cMatches(bytes: Uint8Array, end: number, crcOffset: number): boolean {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) {
    const byte = i >= crcOffset && i < crcOffset + 4 ? 0 : bytes[i];
    crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  crc = (crc ^ 0xffffffff) >>> 0;
  const sent =
    ((bytes[crcOffset] << 24) | (bytes[crcOffset + 1] << 16) | (bytes[crcOffset + 2] << 8) | bytes[crcOffset + 3]) >>>
    0;
  return crc === sent;
}
