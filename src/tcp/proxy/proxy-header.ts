/**
 * What a PROXY protocol header says (the types the decoder answers with) and the limits it
 * holds to: shared by the decoder's entry point and its v1 and v2 halves.
 */

/**
 * An address and port carried by a PROXY header: IPv4 dotted quad or IPv6 in Node's compressed form.
 *
 * @example
 * ```ts
 * import { type ProxyEndpoint } from "./proxy-header.js";
 * const client: ProxyEndpoint = { address: "2001:db8::1", port: 56324 };
 * ```
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
 * ```ts
 * import { PROXY_V2_TLV_AUTHORITY } from "./proxy-header.js";
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const result = parseProxyHeader(Buffer.from("PROXY TCP4 192.0.2.1 192.0.2.11 56324 443\r\n"));
 * const authority = result.status === "complete" && result.header.tlvs.find((tlv) => tlv.type === PROXY_V2_TLV_AUTHORITY);
 * ```
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
 * ```ts
 * import { type ProxyHeader } from "./proxy-header.js";
 * const header: ProxyHeader = {
 *   version: 1,
 *   command: "proxy",
 *   protocol: "tcp4",
 *   source: { address: "192.0.2.1", port: 56324 },
 *   destination: { address: "192.0.2.11", port: 443 },
 *   tlvs: [],
 * };
 * ```
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
 * ```ts
 * import { type ProxyInvalidReason } from "./proxy-header.js";
 * const reason: ProxyInvalidReason = "v2-truncated";
 * ```
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
 * ```ts
 * import { type ProxyParseResult } from "./proxy-header.js";
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const buffered = Buffer.from("PROXY TCP4 192.0.2.1 192.0.2.11 56324 443\r\nhello");
 * const result: ProxyParseResult = parseProxyHeader(buffered);
 * if (result.status === "complete") console.log(buffered.subarray(result.headerBytes).toString()); // "hello"
 * ```
 */
export type ProxyParseResult =
  | { status: "incomplete" }
  | { status: "invalid"; reason: ProxyInvalidReason }
  | { status: "complete"; header: ProxyHeader; headerBytes: number };

/**
 * Options of {@link parseProxyHeader}.
 *
 * @example
 * ```ts
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const bytes = Buffer.from("PROXY UNKNOWN\r\n");
 * parseProxyHeader(bytes, { maxV2HeaderBytes: 1024 });
 * ```
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
 * ```ts
 * import { PROXY_V1_MAX_HEADER_BYTES } from "./proxy-header.js";
 * const lineBuffer = new Uint8Array(PROXY_V1_MAX_HEADER_BYTES); // room for any v1 header
 * ```
 */
export const PROXY_V1_MAX_HEADER_BYTES = 107;

/**
 * Default cap on a v2 header: enough for any address block plus generous TLVs, far below the
 * 65551 bytes the 16-bit length field allows, so a peer cannot make us buffer 64 KiB per connection.
 *
 * @example
 * ```ts
 * import { MAX_PROXY_V2_HEADER_BYTES } from "./proxy-header.js";
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const bytes = Buffer.from("PROXY UNKNOWN\r\n");
 * parseProxyHeader(bytes); // same as parseProxyHeader(bytes, { maxV2HeaderBytes: MAX_PROXY_V2_HEADER_BYTES })
 * ```
 */
export const MAX_PROXY_V2_HEADER_BYTES = 4096;

/**
 * Largest v2 header the wire format can express: 16 + 65535.
 *
 * @example
 * ```ts
 * import { PROXY_V2_MAX_POSSIBLE_HEADER_BYTES } from "./proxy-header.js";
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const bytes = Buffer.from("PROXY UNKNOWN\r\n");
 * parseProxyHeader(bytes, { maxV2HeaderBytes: PROXY_V2_MAX_POSSIBLE_HEADER_BYTES }); // no cap beyond the spec's
 * ```
 */
export const PROXY_V2_MAX_POSSIBLE_HEADER_BYTES = 16 + 0xffff;

/** The decoder's own copy of the v2 signature, out of callers' reach. */
export const V2_SIGNATURE = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a);

/**
 * The 12 bytes every v2 header starts with: `\r\n\r\n\0\r\nQUIT\n` (a copy: changing it changes nothing here).
 *
 * @example
 * ```ts
 * import { PROXY_V2_SIGNATURE } from "./proxy-header.js";
 * const bytes = Buffer.from("PROXY UNKNOWN\r\n");
 * const looksV2 = PROXY_V2_SIGNATURE.every((byte, i) => bytes[i] === byte); // false: a v1 header
 * ```
 */
export const PROXY_V2_SIGNATURE: Readonly<Uint8Array> = V2_SIGNATURE.slice();

/**
 * v2 TLV type of the authority (the TLS SNI or host name the client asked for), UTF-8.
 *
 * @example
 * ```ts
 * import { PROXY_V2_TLV_AUTHORITY } from "./proxy-header.js";
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const result = parseProxyHeader(Buffer.from("PROXY TCP4 192.0.2.1 192.0.2.11 56324 443\r\n"));
 * const sni = result.status === "complete" ? result.header.tlvs.find((tlv) => tlv.type === PROXY_V2_TLV_AUTHORITY)?.value : undefined;
 * ```
 */
export const PROXY_V2_TLV_AUTHORITY = 0x02;

/**
 * v2 TLV type of the CRC32C checksum of the whole header. When present, {@link parseProxyHeader}
 * verifies it (the spec requires it of receivers that support it) and refuses a mismatch.
 *
 * @example
 * ```ts
 * import { PROXY_V2_TLV_CRC32C } from "./proxy-header.js";
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const result = parseProxyHeader(Buffer.from("PROXY TCP4 192.0.2.1 192.0.2.11 56324 443\r\n"));
 * const hasChecksum = result.status === "complete" && result.header.tlvs.some((tlv) => tlv.type === PROXY_V2_TLV_CRC32C);
 * ```
 */
export const PROXY_V2_TLV_CRC32C = 0x03;

/** "PROXY ": every v1 header starts with it. */
export const V1_SIGNATURE = Uint8Array.of(0x50, 0x52, 0x4f, 0x58, 0x59, 0x20);
/** Signature, version/command, family/transport and length: the part of v2 that is always there. */
export const V2_FIXED_BYTES = 16;

export const INCOMPLETE: ProxyParseResult = Object.freeze({ status: "incomplete" });

export function invalid(reason: ProxyInvalidReason): ProxyParseResult {
  return { status: "invalid", reason };
}
