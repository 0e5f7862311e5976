/**
 * IP addresses as four 32-bit words (IPv4 as its IPv4-mapped IPv6 form, `::ffff:a.b.c.d`), so
 * one masked compare matches either family: the address filter's per-datagram path, where
 * `BlockList.check` with a string builds a `SocketAddress` each call.
 */

/** The four words of a well-formed address (check with `net.isIP` first); a zone (`%eth0`) is ignored. */
export function addressWords(address: string, into: Uint32Array = new Uint32Array(4)): Uint32Array {
  const zone = address.indexOf("%");
  const text = zone === -1 ? address : address.slice(0, zone);
  if (!text.includes(":")) {
    into[0] = 0;
    into[1] = 0;
    into[2] = 0xffff;
    into[3] = ipv4Word(text);
    return into;
  }
  const groups = ipv6Groups(text);
  for (let word = 0; word < 4; word++) into[word] = ((groups[word * 2] << 16) | groups[word * 2 + 1]) >>> 0;
  return into;
}

/** The mask of a prefix length (0 to 128) as four words. */
export function prefixMaskWords(prefixBits: number): Uint32Array {
  const mask = new Uint32Array(4);
  for (let word = 0; word < 4; word++) {
    const bits = Math.max(0, Math.min(32, prefixBits - word * 32));
    mask[word] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
  return mask;
}

/** "192.0.2.7" → 0xc0000207, by hand: no split or parseInt per datagram. */
function ipv4Word(text: string): number {
  let word = 0;
  let octet = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x2e) {
      word = (word << 8) | octet;
      octet = 0;
    } else octet = octet * 10 + (code - 48);
  }
  return ((word << 8) | octet) >>> 0;
}

/** Scratch for one address's eight 16-bit groups (one thread, one parse at a time). */
const groups = new Uint16Array(8);

/**
 * The eight 16-bit groups, `::` expanded and a trailing dotted IPv4 part as the last two, in
 * one pass over the characters (split and parseInt cost more than the match).
 */
function ipv6Groups(text: string): Uint16Array {
  let count = 0;
  let gapAt = -1;
  let value = 0;
  let digits = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x3a) {
      if (digits > 0) groups[count++] = value;
      value = 0;
      digits = 0;
      if (text.charCodeAt(index + 1) === 0x3a) {
        gapAt = count;
        index++;
      }
    } else if (code === 0x2e) {
      const word = ipv4Word(text.slice(text.lastIndexOf(":", index) + 1));
      groups[count++] = word >>> 16;
      groups[count++] = word & 0xffff;
      digits = 0;
      break;
    } else {
      value = value * 16 + (code <= 0x39 ? code - 48 : (code | 0x20) - 87);
      digits++;
    }
  }
  if (digits > 0) groups[count++] = value;
  if (gapAt !== -1) {
    const tailCount = count - gapAt;
    groups.copyWithin(8 - tailCount, gapAt, count);
    groups.fill(0, gapAt, 8 - tailCount);
  }
  return groups;
}
