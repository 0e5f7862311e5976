// Tests the PROXY protocol decoder (proxy-protocol.ts): valid v1/v2 headers decode exactly, every prefix of
// one is "incomplete", wrong ones are refused with the right reason, random bytes never throw, and headers
// built by proxy-protocol-js round-trip whether fed whole, byte by byte or in random chunks.
import assert from "node:assert/strict";
import { SocketAddress } from "node:net";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  Command,
  INETProtocol,
  IPv4Address,
  IPv4ProxyAddress,
  IPv6Address,
  IPv6ProxyAddress,
  Peer,
  TransportProtocol,
  UnixAddress,
  UnixProxyAddress,
  UnspecProxyAddress,
  V1ProxyProtocol,
  V2ProxyProtocol,
} from "proxy-protocol-js";
import {
  isProxyHeaderStart,
  MAX_PROXY_V2_HEADER_BYTES,
  PROXY_V1_MAX_HEADER_BYTES,
  PROXY_V2_MAX_POSSIBLE_HEADER_BYTES,
  PROXY_V2_SIGNATURE,
  PROXY_V2_TLV_AUTHORITY,
  PROXY_V2_TLV_CRC32C,
  type ProxyParseResult,
  type ProxyTlv,
  parseProxyHeader,
} from "./proxy-protocol.js";

const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function v2Ipv4(
  command: Command,
  transport: TransportProtocol,
  src: number[],
  sport: number,
  dst: number[],
  dport: number,
) {
  return new V2ProxyProtocol(
    command,
    transport,
    new IPv4ProxyAddress(IPv4Address.createFrom(src), sport, IPv4Address.createFrom(dst), dport),
  ).build();
}

function v2Ipv6(
  command: Command,
  transport: TransportProtocol,
  src: number[],
  sport: number,
  dst: number[],
  dport: number,
) {
  return new V2ProxyProtocol(
    command,
    transport,
    new IPv6ProxyAddress(IPv6Address.createFrom(src), sport, IPv6Address.createFrom(dst), dport),
  ).build();
}

/** IPv6 bytes from a text form (any form Node accepts), e.g. "2001:db8::1". */
function ipv6Bytes(text: string): number[] {
  const full = new SocketAddress({ address: text, family: "ipv6" }).address;
  const [head, tail] = full.includes("::") ? full.split("::") : [full, ""];
  const groups = (part: string) => (part === "" ? [] : part.split(":")).flatMap(expandGroup);
  const h = groups(head);
  const t = groups(tail);
  const words = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

function expandGroup(group: string): number[] {
  if (!group.includes(".")) return [Number.parseInt(group, 16)];
  const [a, b, c, d] = group.split(".").map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/**
 * proxy-protocol-js cannot build TLVs (its `data` is appended after the header, outside the length):
 * insert them after the address block and raise the length field to cover them.
 */
function withTlvs(header: Uint8Array, tlvs: ProxyTlv[]): Uint8Array {
  const encoded = tlvs.map(({ type, value }) =>
    concat(Uint8Array.of(type, value.length >> 8, value.length & 0xff), value),
  );
  const out = concat(header, ...encoded);
  const length = ((header[14] << 8) | header[15]) + encoded.reduce((sum, tlv) => sum + tlv.length, 0);
  out[14] = length >> 8;
  out[15] = length & 0xff;
  return out;
}

/** Bit-at-a-time CRC32C (Castagnoli), independent of the decoder's table-driven one. */
function crc32cReference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Adds a CRC32C TLV last and fills it in as a sender must (computed with the field zeroed). */
function withCrc32c(header: Uint8Array): Uint8Array {
  const out = withTlvs(header, [{ type: PROXY_V2_TLV_CRC32C, value: new Uint8Array(4) }]);
  const crc = crc32cReference(out);
  out.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], out.length - 4);
  return out;
}

function expectComplete(result: ProxyParseResult) {
  assert.equal(result.status, "complete", JSON.stringify(result));
  if (result.status !== "complete") throw new Error("unreachable");
  return result;
}

function expectInvalid(bytes: Uint8Array, reason: string): void {
  assert.deepEqual(parseProxyHeader(bytes), { status: "invalid", reason }, Buffer.from(bytes).toString("latin1"));
}

/** Feeds growing prefixes as a socket would deliver them, in chunks of the given sizes (cycled). */
function feedInChunks(bytes: Uint8Array, chunkSizes: number[]): { result: ProxyParseResult; fedBytes: number } {
  let fed = 0;
  let i = 0;
  for (;;) {
    fed = Math.min(bytes.length, fed + chunkSizes[i++ % chunkSizes.length]);
    const result = parseProxyHeader(bytes.subarray(0, fed));
    if (result.status !== "incomplete" || fed === bytes.length) return { result, fedBytes: fed };
  }
}

function assertEveryPrefixIncomplete(header: Uint8Array): void {
  for (let k = 0; k < header.length; k++) {
    const result = parseProxyHeader(header.subarray(0, k));
    assert.deepEqual(result, { status: "incomplete" }, `prefix of ${k}/${header.length} bytes`);
  }
}

/** Bytes that matter to v1 lines (digits, hex, separators, CR, LF, a zone mark) and two that never do. */
const V1_ALPHABET = [..."0123456789abcdefABCDEF:. %\r\n"].map((char) => char.charCodeAt(0)).concat(0x00, 0xff);

const PAYLOAD = ascii("hello world\r\n\r\n\0\r\nQUIT\nPROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n");

const V6_MAX =
  "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
const UNKNOWN_MAX =
  "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";

/** Valid headers of every kind, for the prefix and extension tests. */
const VALID_HEADERS: Array<[string, Uint8Array]> = [
  ["v1 TCP4", ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n")],
  ["v1 TCP4 max", ascii("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n")],
  ["v1 TCP4 zeros", ascii("PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n")],
  ["v1 TCP6", ascii("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 1 65535\r\n")],
  ["v1 TCP6 max", ascii(V6_MAX)],
  ["v1 UNKNOWN short", ascii("PROXY UNKNOWN\r\n")],
  ["v1 UNKNOWN max", ascii(UNKNOWN_MAX)],
  ["v2 TCP4", v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [192, 0, 2, 1], 56324, [198, 51, 100, 7], 443)],
  ["v2 UDP6", v2Ipv6(Command.PROXY, TransportProtocol.DGRAM, ipv6Bytes("2001:db8::1"), 5353, ipv6Bytes("::1"), 53)],
  ["v2 LOCAL", new V2ProxyProtocol(Command.LOCAL, TransportProtocol.UNSPEC, new UnspecProxyAddress()).build()],
  [
    "v2 TLVs + CRC32C",
    withCrc32c(
      withTlvs(v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [10, 0, 0, 1], 1, [10, 0, 0, 2], 2), [
        { type: PROXY_V2_TLV_AUTHORITY, value: ascii("example.com") },
      ]),
    ),
  ],
];

describe("PROXY v1", () => {
  test("TCP4 followed by payload: exact headerBytes, payload untouched", () => {
    const header = ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n");
    const input = concat(header, PAYLOAD);
    const copy = input.slice();
    const result = expectComplete(parseProxyHeader(input));
    assert.equal(result.headerBytes, header.length);
    assert.deepEqual(result.header, {
      version: 1,
      command: "proxy",
      protocol: "tcp4",
      source: { address: "192.0.2.1", port: 56324 },
      destination: { address: "198.51.100.7", port: 443 },
      tlvs: [],
    });
    assert.deepEqual(input.subarray(result.headerBytes), PAYLOAD);
    assert.deepEqual(input, copy, "the input is not modified");
  });

  test("TCP6: addresses in Node's compressed form, whatever the sender wrote", () => {
    const result = expectComplete(
      parseProxyHeader(ascii("PROXY TCP6 2001:0DB8:0:0:0:0:0:1 0:0:0:0:0:FFFF:C000:0201 8080 0\r\nx")),
    );
    assert.equal(result.headerBytes, "PROXY TCP6 2001:0DB8:0:0:0:0:0:1 0:0:0:0:0:FFFF:C000:0201 8080 0\r\n".length);
    assert.equal(result.header.protocol, "tcp6");
    assert.deepEqual(result.header.source, { address: "2001:db8::1", port: 8080 });
    assert.deepEqual(result.header.destination, { address: "::ffff:192.0.2.1", port: 0 });
    const longest = expectComplete(parseProxyHeader(ascii(V6_MAX)));
    assert.equal(longest.headerBytes, 104);
    assert.equal(longest.header.source?.address, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  });

  test("UNKNOWN, short and worst-case 107-byte forms: no addresses, the rest of the line ignored", () => {
    for (const line of ["PROXY UNKNOWN\r\n", "PROXY UNKNOWN garbage \t\0\xff  !\r\n", UNKNOWN_MAX]) {
      const result = expectComplete(parseProxyHeader(concat(ascii(line), PAYLOAD)));
      assert.equal(result.headerBytes, line.length);
      assert.deepEqual(result.header, { version: 1, command: "proxy", protocol: "unknown", tlvs: [] });
    }
    assert.equal(UNKNOWN_MAX.length, PROXY_V1_MAX_HEADER_BYTES);
  });

  test("malformed lines are refused with the reason", () => {
    const cases: Array<[string, string]> = [
      ["proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "bad-signature"],
      ["PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "v1-bad-protocol"],
      ["PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "v1-bad-protocol"],
      ["PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "v1-bad-protocol"],
      ["PROXY UNKNOWNX\r\n", "v1-bad-protocol"],
      ["PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "v1-bad-protocol"],
      ["PROXY \r\n", "v1-bad-protocol"],
      ["PROXY TCP4\r\n", "v1-bad-format"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "v1-bad-format"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "v1-bad-format"],
      ["PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "v1-bad-format"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "v1-bad-format"],
      ["PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP4 ::1 5.6.7.8 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP6 [::1] ::1 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP6 1::2::3 ::1 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP6 ::ffff:01.2.3.4 ::1 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n", "v1-bad-address"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n", "v1-bad-port"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n", "v1-bad-port"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 -2\r\n", "v1-bad-port"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 +2\r\n", "v1-bad-port"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "v1-bad-crlf"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", "v1-bad-crlf"],
      ["PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", "v1-bad-crlf"],
      ["PROXY UNKNOWN \n", "v1-bad-crlf"],
      [`PROXY UNKNOWN ${"x".repeat(92)}\r\n`, "too-long"],
      [`PROXY UNKNOWN ${"x".repeat(200)}`, "too-long"],
    ];
    for (const [line, reason] of cases) expectInvalid(ascii(line), reason);
    // The longest legal UNKNOWN line is 107 bytes, one more is refused.
    expectComplete(parseProxyHeader(ascii(`PROXY UNKNOWN ${"x".repeat(91)}\r\n`)));
  });

  test("a wrong field is refused as soon as it is seen, before the CRLF", () => {
    expectInvalid(ascii("PROXY TCP4 256"), "v1-bad-address");
    expectInvalid(ascii("PROXY TCP4 01"), "v1-bad-address");
    expectInvalid(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 70000"), "v1-bad-port");
    expectInvalid(ascii("PROXY TCP6 ::1::"), "v1-bad-address");
    expectInvalid(ascii("PROXY TCP4 1.2.3.4\r"), "v1-bad-format");
    expectInvalid(ascii("PROXY TX"), "v1-bad-protocol");
    expectInvalid(ascii("PROXX"), "bad-signature");
    // A line without CRLF that reached the limit: no point waiting for more.
    // 106 bytes without CR: even a CRLF next would make 108.
    expectInvalid(ascii(`PROXY UNKNOWN ${"x".repeat(92)}`), "too-long");
    assert.deepEqual(parseProxyHeader(ascii(`PROXY UNKNOWN ${"x".repeat(91)}`)), { status: "incomplete" });
    assert.deepEqual(parseProxyHeader(ascii(`PROXY UNKNOWN ${"x".repeat(91)}\r`)), { status: "incomplete" });
  });
});

describe("PROXY v2", () => {
  test("TCP over IPv4 built by proxy-protocol-js, followed by payload", () => {
    const header = v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [192, 0, 2, 1], 56324, [198, 51, 100, 7], 443);
    const input = concat(header, PAYLOAD);
    const result = expectComplete(parseProxyHeader(input));
    assert.equal(result.headerBytes, 28);
    assert.deepEqual(result.header, {
      version: 2,
      command: "proxy",
      protocol: "tcp4",
      source: { address: "192.0.2.1", port: 56324 },
      destination: { address: "198.51.100.7", port: 443 },
      tlvs: [],
    });
    assert.deepEqual(input.subarray(result.headerBytes), PAYLOAD);
  });

  test("UDP over IPv4, TCP and UDP over IPv6 (compressed addresses)", () => {
    const udp4 = expectComplete(
      parseProxyHeader(v2Ipv4(Command.PROXY, TransportProtocol.DGRAM, [10, 1, 2, 3], 53, [0, 0, 0, 0], 0)),
    );
    assert.equal(udp4.header.protocol, "udp4");
    assert.deepEqual(udp4.header.source, { address: "10.1.2.3", port: 53 });
    assert.deepEqual(udp4.header.destination, { address: "0.0.0.0", port: 0 });

    for (const [transport, protocol] of [
      [TransportProtocol.STREAM, "tcp6"],
      [TransportProtocol.DGRAM, "udp6"],
    ] as const) {
      const header = v2Ipv6(
        Command.PROXY,
        transport,
        ipv6Bytes("2001:db8::1"),
        65535,
        ipv6Bytes("::ffff:192.0.2.1"),
        1,
      );
      const result = expectComplete(parseProxyHeader(concat(header, PAYLOAD)));
      assert.equal(result.headerBytes, 52);
      assert.equal(result.header.protocol, protocol);
      assert.deepEqual(result.header.source, { address: "2001:db8::1", port: 65535 });
      assert.deepEqual(result.header.destination, { address: "::ffff:192.0.2.1", port: 1 });
    }
  });

  test("IPv6 formatting matches Node's for the edge cases", () => {
    const cases = [
      "::",
      "::1",
      "::2",
      "1::",
      "::1.2.3.4",
      "::ffff:1.2.3.4",
      "::ffff:0.0.0.0",
      "::ffff",
      "::fffe:102:304",
      "::1:ffff:102:304",
      "1:0:0:1::1",
      "1::2:0:0:3:4",
      "2001:db8::1:0:0:1",
      "1:0:1:1:1:1:1:1",
      "fe80::abcd:ef01:2345:6789",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "::1:0:0:0",
    ];
    for (const text of cases) {
      const header = v2Ipv6(Command.PROXY, TransportProtocol.STREAM, ipv6Bytes(text), 1, ipv6Bytes("::"), 2);
      const result = expectComplete(parseProxyHeader(header));
      assert.equal(result.header.source?.address, new SocketAddress({ address: text, family: "ipv6" }).address);
      assert.equal(result.header.source?.address, text, "the cases are written in the canonical form");
    }
  });

  test("LOCAL (HAProxy health check): no addresses, whatever the family", () => {
    const local = new V2ProxyProtocol(Command.LOCAL, TransportProtocol.UNSPEC, new UnspecProxyAddress()).build();
    assert.equal(local.length, 16);
    const result = expectComplete(parseProxyHeader(concat(local, PAYLOAD)));
    assert.equal(result.headerBytes, 16);
    assert.deepEqual(result.header, { version: 2, command: "local", protocol: "unknown", tlvs: [] });

    // The address block of a LOCAL header is skipped, never reported.
    const withAddresses = v2Ipv4(Command.LOCAL, TransportProtocol.STREAM, [1, 2, 3, 4], 5, [6, 7, 8, 9], 10);
    const skipped = expectComplete(parseProxyHeader(withAddresses));
    assert.equal(skipped.headerBytes, 28);
    assert.deepEqual(skipped.header, { version: 2, command: "local", protocol: "tcp4", tlvs: [] });

    // HAProxy may send TLVs with LOCAL: they are decoded, not mistaken for payload.
    const localTlv = withTlvs(local, [{ type: 0x05, value: ascii("id-1") }]);
    const tlvResult = expectComplete(parseProxyHeader(concat(localTlv, PAYLOAD)));
    assert.equal(tlvResult.headerBytes, 16 + 3 + 4);
    assert.deepEqual(tlvResult.header.tlvs, [{ type: 0x05, value: ascii("id-1") }]);
  });

  test("PROXY with AF_UNSPEC and AF_UNIX: no addresses, the block skipped", () => {
    const unspec = new V2ProxyProtocol(Command.PROXY, TransportProtocol.UNSPEC, new UnspecProxyAddress()).build();
    const result = expectComplete(parseProxyHeader(concat(unspec, PAYLOAD)));
    assert.equal(result.headerBytes, 16);
    assert.deepEqual(result.header, { version: 2, command: "proxy", protocol: "unknown", tlvs: [] });

    const path = [...ascii("/run/haproxy.sock")];
    const unix = new V2ProxyProtocol(
      Command.PROXY,
      TransportProtocol.STREAM,
      new UnixProxyAddress(UnixAddress.createFrom(path), UnixAddress.createFrom(path)),
    ).build();
    const unixResult = expectComplete(parseProxyHeader(concat(unix, PAYLOAD)));
    assert.equal(unixResult.headerBytes, 16 + 216);
    assert.deepEqual(unixResult.header, { version: 2, command: "proxy", protocol: "unix", tlvs: [] });
  });

  test("TLVs are decoded and copied, and none of them leaks into the payload", () => {
    const tlvs: ProxyTlv[] = [
      { type: 0x01, value: ascii("h2") },
      { type: PROXY_V2_TLV_AUTHORITY, value: ascii("example.com") },
      { type: 0x04, value: new Uint8Array(0) },
      { type: 0xe0, value: new Uint8Array(300).fill(7) },
    ];
    const header = withTlvs(
      v2Ipv6(Command.PROXY, TransportProtocol.STREAM, ipv6Bytes("::1"), 1, ipv6Bytes("::2"), 2),
      tlvs,
    );
    const input = concat(header, PAYLOAD);
    const result = expectComplete(parseProxyHeader(input));
    assert.equal(result.headerBytes, 16 + 36 + 5 + 14 + 3 + 303);
    assert.deepEqual(result.header.tlvs, tlvs);
    assert.deepEqual(input.subarray(result.headerBytes), PAYLOAD);
    // Copies: clobbering the caller's buffer does not change the decoded values.
    input.fill(0);
    assert.deepEqual(result.header.tlvs[1].value, ascii("example.com"));
  });

  test("CRC32C TLV: verified when present", () => {
    assert.equal(crc32cReference(ascii("123456789")), 0xe3069283, "RFC 3720 check value");
    const base = v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [192, 0, 2, 1], 1000, [192, 0, 2, 2], 2000);
    const signed = withCrc32c(withTlvs(base, [{ type: 0x01, value: ascii("http/1.1") }]));
    const result = expectComplete(parseProxyHeader(concat(signed, PAYLOAD)));
    assert.equal(result.headerBytes, signed.length);
    assert.deepEqual(
      result.header.tlvs.map((tlv) => tlv.type),
      [0x01, PROXY_V2_TLV_CRC32C],
    );

    const tampered = signed.slice();
    tampered[19] ^= 1; // last byte of the source address
    expectInvalid(tampered, "v2-bad-crc32c");
    const badChecksum = signed.slice();
    badChecksum[badChecksum.length - 1] ^= 0x80;
    expectInvalid(badChecksum, "v2-bad-crc32c");
    expectInvalid(withTlvs(base, [{ type: PROXY_V2_TLV_CRC32C, value: new Uint8Array(3) }]), "v2-bad-crc32c");
    expectInvalid(withCrc32c(withCrc32c(base)), "v2-bad-crc32c");
  });

  test("TLVs that do not fit exactly are refused", () => {
    const base = v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [1, 2, 3, 4], 5, [6, 7, 8, 9], 10);
    const withTail = (tail: number[]) => {
      const out = concat(base, Uint8Array.from(tail));
      out[15] = 12 + tail.length;
      return out;
    };
    expectInvalid(withTail([0x01]), "v2-bad-tlv");
    expectInvalid(withTail([0x01, 0x00]), "v2-bad-tlv");
    expectInvalid(withTail([0x01, 0x00, 0x01]), "v2-bad-tlv");
    expectInvalid(withTail([0x01, 0x00, 0x05, 1, 2, 3, 4]), "v2-bad-tlv");
    expectInvalid(withTail([0x01, 0x00, 0x01, 0x61, 0x02]), "v2-bad-tlv");
    expectComplete(parseProxyHeader(withTail([0x01, 0x00, 0x01, 0x61])));
  });

  test("a length field shorter than the family's address block is refused as truncated, at once", () => {
    const ipv4 = v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [1, 2, 3, 4], 5, [6, 7, 8, 9], 10);
    const ipv6 = v2Ipv6(Command.PROXY, TransportProtocol.STREAM, ipv6Bytes("::1"), 1, ipv6Bytes("::2"), 2);
    const path = [...ascii("/s")];
    const unix = new V2ProxyProtocol(
      Command.PROXY,
      TransportProtocol.DGRAM,
      new UnixProxyAddress(UnixAddress.createFrom(path), UnixAddress.createFrom(path)),
    ).build();
    for (const [header, shortLengths] of [
      [ipv4, [0, 4, 11]],
      [ipv6, [0, 12, 35]],
      [unix, [0, 36, 215]],
    ] as const) {
      for (const length of shortLengths) {
        const truncated = header.slice();
        truncated[14] = length >> 8;
        truncated[15] = length & 0xff;
        // With the full bytes after it, with exactly `length` bytes, and with the 16-byte fixed part only.
        expectInvalid(truncated, "v2-truncated");
        expectInvalid(truncated.subarray(0, 16 + length), "v2-truncated");
        expectInvalid(truncated.subarray(0, 16), "v2-truncated");
      }
    }
    // The LOCAL command does not excuse a length shorter than its family's block either.
    const local = v2Ipv4(Command.LOCAL, TransportProtocol.STREAM, [1, 2, 3, 4], 5, [6, 7, 8, 9], 10);
    local[15] = 0;
    expectInvalid(local.subarray(0, 16), "v2-truncated");
  });

  test("oversized headers are refused from the length field, under the default or a chosen cap", () => {
    const header = v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [1, 2, 3, 4], 5, [6, 7, 8, 9], 10);
    const huge = header.slice(0, 16);
    huge[14] = 0xff;
    huge[15] = 0xff;
    expectInvalid(huge, "too-long");
    assert.deepEqual(parseProxyHeader(huge, { maxV2HeaderBytes: PROXY_V2_MAX_POSSIBLE_HEADER_BYTES }), {
      status: "incomplete",
    });

    const atCap = withTlvs(header, [{ type: 0x04, value: new Uint8Array(MAX_PROXY_V2_HEADER_BYTES - 28 - 3) }]);
    assert.equal(atCap.length, MAX_PROXY_V2_HEADER_BYTES);
    expectComplete(parseProxyHeader(atCap));
    const overCap = withTlvs(header, [{ type: 0x04, value: new Uint8Array(MAX_PROXY_V2_HEADER_BYTES - 28 - 2) }]);
    expectInvalid(overCap.subarray(0, 16), "too-long");
    expectInvalid(overCap, "too-long");

    assert.deepEqual(parseProxyHeader(header, { maxV2HeaderBytes: 27 }), { status: "invalid", reason: "too-long" });
    expectComplete(parseProxyHeader(header, { maxV2HeaderBytes: 28 }));
    for (const bad of [15, 65552, 100.5, Number.NaN]) {
      assert.throws(() => parseProxyHeader(header, { maxV2HeaderBytes: bad }), RangeError);
    }
  });

  test("wrong version, command, family or transport are refused with the reason, as soon as seen", () => {
    const header = v2Ipv4(Command.PROXY, TransportProtocol.STREAM, [1, 2, 3, 4], 5, [6, 7, 8, 9], 10);
    const patched = (index: number, value: number) => {
      const out = header.slice();
      out[index] = value;
      return out;
    };
    for (const versionCommand of [0x01, 0x11, 0x31, 0xf1, 0x00]) {
      expectInvalid(patched(12, versionCommand), "v2-bad-version");
      expectInvalid(patched(12, versionCommand).subarray(0, 13), "v2-bad-version");
    }
    for (const versionCommand of [0x22, 0x23, 0x2f]) {
      expectInvalid(patched(12, versionCommand), "v2-bad-command");
      expectInvalid(patched(12, versionCommand).subarray(0, 13), "v2-bad-command");
    }
    for (const family of [0x41, 0x51, 0xf1, 0x01, 0x02, 0x10, 0x20, 0x30]) {
      expectInvalid(patched(13, family), "v2-bad-family");
      expectInvalid(patched(13, family).subarray(0, 14), "v2-bad-family");
    }
    for (const family of [0x13, 0x1f, 0x23, 0x03]) {
      expectInvalid(patched(13, family), "v2-bad-transport");
    }
    // The family byte is checked for LOCAL too: the spec says invalid values must be rejected.
    expectInvalid(
      patched(12, 0x20).map((byte, i) => (i === 13 ? 0x41 : byte)),
      "v2-bad-family",
    );
  });
});

describe("signature and garbage", () => {
  test("garbage is refused as bad-signature, as early as the first byte", () => {
    for (const text of [
      "GET / HTTP/1.1\r\n\r\n",
      "SSH-2.0-OpenSSH_9.2\r\n",
      "hello",
      "\r\n\r\n\r\n",
      "\r\n\r\n\0\r\nQUIT\r",
      " PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
    ]) {
      expectInvalid(ascii(text), "bad-signature");
    }
    expectInvalid(Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00), "bad-signature"); // a TLS ClientHello
    expectInvalid(Uint8Array.of(0), "bad-signature");
    assert.deepEqual(parseProxyHeader(new Uint8Array(0)), { status: "incomplete" });
  });

  test("isProxyHeaderStart follows the two signatures as far as the bytes go", () => {
    assert.equal(isProxyHeaderStart(new Uint8Array(0)), true);
    assert.equal(isProxyHeaderStart(ascii("P")), true);
    assert.equal(isProxyHeaderStart(ascii("PROXY ")), true);
    assert.equal(isProxyHeaderStart(ascii("PROXY TCP9 anything")), true, "only the signature is looked at");
    assert.equal(isProxyHeaderStart(ascii("PROXY\r\n")), false);
    assert.equal(isProxyHeaderStart(ascii("PRX")), false);
    assert.equal(isProxyHeaderStart(PROXY_V2_SIGNATURE.subarray(0, 5)), true);
    assert.equal(isProxyHeaderStart(concat(PROXY_V2_SIGNATURE, Uint8Array.of(0xff))), true);
    assert.equal(isProxyHeaderStart(ascii("\r\n\r\n\0\r\nQUIT\r")), false);
    assert.equal(isProxyHeaderStart(ascii("GET / HTTP/1.1")), false);
    for (const [name, header] of VALID_HEADERS) {
      for (let k = 0; k <= header.length; k++) assert.equal(isProxyHeaderStart(header.subarray(0, k)), true, name);
    }
  });
});

describe("incremental decoding", () => {
  test("every proper prefix of a valid header is incomplete, never invalid nor complete", () => {
    for (const [name, header] of VALID_HEADERS) {
      assert.equal(parseProxyHeader(header).status, "complete", name);
      assertEveryPrefixIncomplete(header);
    }
  });

  test("a valid header followed by anything gives the same answer", () => {
    for (const [name, header] of VALID_HEADERS) {
      const alone = parseProxyHeader(header);
      for (const tail of [PAYLOAD, ascii("\r\n"), new Uint8Array(5000).fill(0xff)]) {
        assert.deepEqual(parseProxyHeader(concat(header, tail)), alone, name);
      }
    }
  });
});

describe("properties", () => {
  const statuses = new Set(["incomplete", "invalid", "complete"]);

  /** A few random byte edits (replace, insert, delete) of a valid header, then cut anywhere or kept whole. */
  const mutatedHeader = fc
    .tuple(
      fc.constantFrom(...VALID_HEADERS.map(([, header]) => header)),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom("replace", "insert", "delete"), fc.constantFrom(...V1_ALPHABET)), {
        maxLength: 3,
      }),
      fc.option(fc.nat()),
    )
    .map(([header, edits, cut]) => {
      const bytes = [...header];
      for (const [position, kind, byte] of edits) {
        const at = position % (bytes.length + 1);
        if (kind === "insert") bytes.splice(at, 0, byte);
        else if (kind === "replace") bytes[Math.min(at, bytes.length - 1)] = byte;
        else bytes.splice(at, 1);
      }
      return Uint8Array.from(cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1)));
    });

  /** v1-looking lines: a protocol, then fields drawn from the characters that matter. */
  const v1Line = fc
    .tuple(
      fc.constantFrom("TCP4 ", "TCP6 ", "UNKNOWN", "UNKNOWN ", "TCP4", ""),
      fc.array(fc.constantFrom(...V1_ALPHABET.map((byte) => String.fromCharCode(byte)), "\r\n", "255", "ffff:"), {
        maxLength: 50,
      }),
    )
    .map(([protocol, chars]) => ascii(`PROXY ${protocol}${chars.join("")}`));

  /** Random bytes, random bytes behind the v2 signature or a plausible fixed part, and near-valid headers. */
  const noisyInput = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((tail) => concat(PROXY_V2_SIGNATURE, tail)),
    fc
      .tuple(
        fc.integer({ min: 0x20, max: 0x2f }),
        fc.constantFrom(0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32, 0x41),
        fc.integer({ min: 0, max: 80 }),
        fc.uint8Array({ maxLength: 300 }),
      )
      .map(([versionCommand, family, length, tail]) =>
        concat(PROXY_V2_SIGNATURE, Uint8Array.of(versionCommand, family, 0, length), tail),
      ),
    v1Line,
    mutatedHeader,
  );

  test("random bytes never throw and give one of the three statuses, consistently as bytes are added", () => {
    fc.assert(
      fc.property(noisyInput, fc.uint8Array({ maxLength: 40 }), (bytes, more) => {
        const result = parseProxyHeader(bytes);
        assert.ok(statuses.has(result.status));
        const extended = parseProxyHeader(concat(bytes, more));
        if (result.status === "complete") {
          assert.ok(result.headerBytes > 0 && result.headerBytes <= bytes.length);
          assert.deepEqual(parseProxyHeader(bytes.subarray(0, result.headerBytes)), result);
          assert.deepEqual(extended, result, "a complete header does not depend on what follows");
        } else if (result.status === "invalid") {
          assert.deepEqual(extended, result, "an invalid start stays invalid, for the same reason");
        } else {
          const limit = bytes[0] === 0x50 ? PROXY_V1_MAX_HEADER_BYTES : MAX_PROXY_V2_HEADER_BYTES;
          assert.ok(bytes.length < limit, "never incomplete past the largest header");
        }
      }),
      { numRuns: 3000 },
    );
  });

  const ipv4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
  /** IPv6 addresses with runs of zeros and IPv4-mapped ones, not only uniformly random (which rarely compress). */
  const ipv6 = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
    fc.array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 }),
    ipv4.map((v4) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]),
  );
  const port = fc.integer({ min: 0, max: 65535 });
  // Plain objects (fc.record's have a null prototype, which deepEqual would tell apart).
  const tlvs = fc.array(
    fc
      .tuple(
        fc.integer({ min: 0, max: 255 }).filter((type) => type !== PROXY_V2_TLV_CRC32C),
        fc.uint8Array({ maxLength: 40 }),
      )
      .map(([type, value]): ProxyTlv => ({ type, value })),
    { maxLength: 4 },
  );
  const chunkSizes = fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 });
  const payload = fc.uint8Array({ maxLength: 64 });

  const v6Text = (bytes: number[]) => {
    const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));
    return new SocketAddress({ address: words.join(":"), family: "ipv6" }).address;
  };

  /** Parses whole, byte by byte and in chunks: all three agree and stop exactly at the header's end. */
  function decodeAllWays(header: Uint8Array, tail: Uint8Array, chunks: number[]) {
    const input = concat(header, tail);
    const whole = expectComplete(parseProxyHeader(input));
    assert.equal(whole.headerBytes, header.length);
    assert.deepEqual(input.subarray(whole.headerBytes), tail);
    const byteByByte = feedInChunks(input, [1]);
    assert.deepEqual(byteByByte.result, whole);
    assert.equal(byteByByte.fedBytes, header.length, "complete exactly when the last header byte arrives");
    assert.deepEqual(feedInChunks(input, chunks).result, whole);
    return whole.header;
  }

  test("v2 headers built by proxy-protocol-js round-trip, fed whole, byte by byte or in chunks", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.oneof(
          fc.record({ family: fc.constant("ipv4" as const), src: ipv4, dst: ipv4 }),
          fc.record({ family: fc.constant("ipv6" as const), src: ipv6, dst: ipv6 }),
        ),
        port,
        port,
        tlvs,
        fc.boolean(),
        payload,
        chunkSizes,
        (stream, proxy, addresses, sport, dport, extensions, crc, tail, chunks) => {
          const command = proxy ? Command.PROXY : Command.LOCAL;
          const transport = stream ? TransportProtocol.STREAM : TransportProtocol.DGRAM;
          const built =
            addresses.family === "ipv4"
              ? v2Ipv4(command, transport, addresses.src, sport, addresses.dst, dport)
              : v2Ipv6(command, transport, addresses.src, sport, addresses.dst, dport);
          let header = withTlvs(built, extensions);
          if (crc) header = withCrc32c(header);
          const decoded = decodeAllWays(header, tail, chunks);

          const format = addresses.family === "ipv4" ? (a: number[]) => a.join(".") : v6Text;
          const suffix = addresses.family === "ipv4" ? "4" : "6";
          assert.equal(decoded.version, 2);
          assert.equal(decoded.protocol, `${stream ? "tcp" : "udp"}${suffix}`);
          assert.equal(decoded.command, proxy ? "proxy" : "local");
          if (proxy) {
            assert.deepEqual(decoded.source, { address: format(addresses.src), port: sport });
            assert.deepEqual(decoded.destination, { address: format(addresses.dst), port: dport });
          } else {
            assert.equal(decoded.source, undefined);
            assert.equal(decoded.destination, undefined);
          }
          assert.deepEqual(decoded.tlvs.slice(0, extensions.length), extensions);
          assert.equal(decoded.tlvs.length, extensions.length + (crc ? 1 : 0));
        },
      ),
      { numRuns: 400 },
    );
  });

  test("v1 headers built by proxy-protocol-js round-trip, fed whole, byte by byte or in chunks", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ family: fc.constant("ipv4" as const), src: ipv4, dst: ipv4 }),
          fc.record({ family: fc.constant("ipv6" as const), src: ipv6, dst: ipv6 }),
        ),
        port,
        port,
        fc.boolean(),
        payload,
        chunkSizes,
        (addresses, sport, dport, upperCase, tail, chunks) => {
          const v4 = addresses.family === "ipv4";
          // Senders may write IPv6 in upper case: the decoder still reports Node's form.
          const text = (a: number[]) => (v4 ? a.join(".") : upperCase ? v6Text(a).toUpperCase() : v6Text(a));
          const line = new V1ProxyProtocol(
            v4 ? INETProtocol.TCP4 : INETProtocol.TCP6,
            new Peer(text(addresses.src), sport),
            new Peer(text(addresses.dst), dport),
          ).build();
          const decoded = decodeAllWays(ascii(line), tail, chunks);
          const canonical = (a: number[]) => (v4 ? a.join(".") : v6Text(a));
          assert.deepEqual(decoded, {
            version: 1,
            command: "proxy",
            protocol: v4 ? "tcp4" : "tcp6",
            source: { address: canonical(addresses.src), port: sport },
            destination: { address: canonical(addresses.dst), port: dport },
            tlvs: [],
          });
        },
      ),
      { numRuns: 400 },
    );
  });
});
