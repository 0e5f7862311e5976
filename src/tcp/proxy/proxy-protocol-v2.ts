/**
 * The PROXY protocol's v2 header, binary: signature(12) ver_cmd(1) fam(1) len(2, big endian),
 * the address block, then TLVs up to 16 + len. Called by parseProxyHeader (proxy-protocol.ts).
 */

import {
  INCOMPLETE,
  invalid,
  PROXY_V2_TLV_CRC32C,
  type ProxyHeader,
  type ProxyInvalidReason,
  type ProxyParseResult,
  type ProxyTlv,
  V2_FIXED_BYTES,
} from "./proxy-header.js";

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

export function parseV2(bytes: Uint8Array, maxHeaderBytes: number): ProxyParseResult {
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
