/**
 * Strict, incremental decoder for the HAProxy PROXY protocol (v1 text and v2 binary, as in
 * haproxy's doc/proxy-protocol.txt). A load balancer puts this header at the start of each TCP
 * connection so the server sees the real client's address. Pure: no sockets, no timers, no state.
 * The caller accumulates what it has read and calls {@link parseProxyHeader} again with more bytes
 * until the answer is "complete" or "invalid" (and applies its own header timeout). Anything
 * the spec does not allow is refused, unlike the npm parsers that accept truncated v2 headers.
 */

import {
  INCOMPLETE,
  invalid,
  MAX_PROXY_V2_HEADER_BYTES,
  PROXY_V2_MAX_POSSIBLE_HEADER_BYTES,
  type ProxyParseOptions,
  type ProxyParseResult,
  V1_SIGNATURE,
  V2_FIXED_BYTES,
  V2_SIGNATURE,
} from "./proxy-header.js";
import { parseV1 } from "./proxy-protocol-v1.js";
import { parseV2 } from "./proxy-protocol-v2.js";

export {
  MAX_PROXY_V2_HEADER_BYTES,
  PROXY_V1_MAX_HEADER_BYTES,
  PROXY_V2_MAX_POSSIBLE_HEADER_BYTES,
  PROXY_V2_SIGNATURE,
  PROXY_V2_TLV_AUTHORITY,
  PROXY_V2_TLV_CRC32C,
  type ProxyEndpoint,
  type ProxyHeader,
  type ProxyInvalidReason,
  type ProxyParseOptions,
  type ProxyParseResult,
  type ProxyTlv,
} from "./proxy-header.js";

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
 * ```ts
 * import { parseProxyHeader } from "./proxy-protocol.js";
 * const result = parseProxyHeader(Buffer.from("PROXY TCP4 192.0.2.1 192.0.2.11 56324 443\r\nhello"));
 * // result.status === "complete", result.headerBytes === 43,
 * // result.header.source → { address: "192.0.2.1", port: 56324 }
 * ```
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
 * ```ts
 * import { isProxyHeaderStart } from "./proxy-protocol.js";
 * isProxyHeaderStart(Buffer.from("PRO")); // true
 * isProxyHeaderStart(Buffer.from("GET / HTTP/1.1\r\n")); // false
 * isProxyHeaderStart(Uint8Array.of(0x0d, 0x0a, 0x0d)); // true (v2)
 * ```
 */
export function isProxyHeaderStart(bytes: Uint8Array): boolean {
  const signature = bytes[0] === V1_SIGNATURE[0] ? V1_SIGNATURE : V2_SIGNATURE;
  const n = Math.min(bytes.length, signature.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== signature[i]) return false;
  }
  return true;
}
