/**
 * `--allow` and `--deny`: which client addresses a server serves, from CIDR rules (IPv4 and
 * IPv6). An IPv4 client seen as `::ffff:a.b.c.d` on a dual-stack socket is an IPv4 client: it
 * matches IPv4 rules only (so `--deny ::/0` refuses IPv6 clients, not IPv4 ones), and a rule
 * written as a mapped IPv4 (`::ffff:10.0.0.0/104`) is the IPv4 rule (`10.0.0.0/8`). Unlike
 * `net.BlockList`, which lets an IPv6 rule that covers `::ffff:0:0/96` match IPv4 clients.
 */

import { readFileSync } from "node:fs";
import { isIP, isIPv4, isIPv6 } from "node:net";
import { addressWords, prefixMaskWords } from "./address-words.js";

/** The rules as given: CIDRs or single addresses, `@FILE` already read (see `expandRuleArguments`). */
export interface AddressFilterRules {
  /**
   * Given, only addresses that match one are served: an empty list serves no one (fail
   * closed: a truncated allow file must not open the server to everyone).
   */
  allow?: readonly string[];
  /** Addresses that match one are refused, even when an allow rule matches too. */
  deny?: readonly string[];
}

/** A rule that is not a CIDR or an address; `source` says where it came from (`file:line`). */
export class AddressRuleError extends Error {
  constructor(
    readonly rule: string,
    readonly source: string | undefined,
    cause?: unknown,
  ) {
    super(`not an IPv4 or IPv6 address or CIDR: ${JSON.stringify(rule)}${source ? ` (${source})` : ""}`, { cause });
    this.name = "AddressRuleError";
  }
}

interface ParsedRule {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** `10.0.0.0/8`, `::1`, `::ffff:192.0.2.0/120` → address, prefix and family; a bad rule is an error value. */
export function parseRule(text: string, source?: string): ParsedRule | AddressRuleError {
  const rule = text.trim();
  const slash = rule.indexOf("/");
  const address = slash === -1 ? rule : rule.slice(0, slash);
  const family = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
  if (family === undefined) return new AddressRuleError(rule, source);
  const maxPrefix = family === "ipv4" ? 32 : 128;
  if (slash === -1) return { address, prefix: maxPrefix, family };
  const prefixText = rule.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > maxPrefix) return new AddressRuleError(rule, source);
  return { address, prefix, family };
}

/**
 * Turns flag values into rules: each value may hold several rules separated by commas (as
 * `MAYUS_ALLOW` does), and `@FILE` reads one rule per line (`#` comments and blank lines
 * ignored). Every rule is checked; the first bad one is returned as an error naming its
 * file and line.
 */
export function expandRuleArguments(
  values: readonly string[],
  readText: (path: string) => string = (path) => readFileSync(path, "utf8"),
): string[] | AddressRuleError {
  const rules: string[] = [];
  for (const value of values) {
    if (value.startsWith("@")) {
      const path = value.slice(1);
      let text: string;
      try {
        text = readText(path);
      } catch (error) {
        return new AddressRuleError(value, path, error);
      }
      const lines = text.split(/\r?\n/);
      for (const [index, line] of lines.entries()) {
        const rule = line.replace(/#.*/, "").trim();
        if (rule === "") continue;
        const parsed = parseRule(rule, `${path}:${index + 1}`);
        if (parsed instanceof AddressRuleError) return parsed;
        rules.push(rule);
      }
      continue;
    }
    for (const piece of value.split(",")) {
      const rule = piece.trim();
      if (rule === "") continue;
      const parsed = parseRule(rule);
      if (parsed instanceof AddressRuleError) return parsed;
      rules.push(rule);
    }
  }
  return rules;
}

/**
 * @example
 * ```ts
 * import { AddressFilter } from "./address-filter.js";
 * const filter = new AddressFilter({ allow: ["127.0.0.0/8"], deny: ["127.0.0.2"] });
 * filter.allows("127.0.0.1"); // true
 * filter.allows("::ffff:127.0.0.2"); // false: denied
 * filter.allows("::1"); // false: not allowed
 * ```
 */
export class AddressFilter {
  readonly #allow: RuleList | undefined;
  readonly #deny: RuleList | undefined;
  /** The last address asked about and its answer: a client's datagrams all ask the same. */
  #lastAddress: string | undefined;
  #lastAllowed = true;
  /** The address being checked, as words: one array, reused. */
  readonly #words = new Uint32Array(RULE_WORDS);

  /** Throws `AddressRuleError` on a bad rule (check rules first with `expandRuleArguments`). */
  constructor(rules: AddressFilterRules) {
    this.#allow = rules.allow === undefined ? undefined : ruleListOf(rules.allow);
    const deny = ruleListOf(rules.deny ?? []);
    this.#deny = deny.length === 0 ? undefined : deny;
  }

  /** Whether any rule is set: without, every address is served and nothing need be checked. */
  get isActive(): boolean {
    return this.#allow !== undefined || this.#deny !== undefined;
  }

  /** Whether a client from this address (as a socket reports it) is served. */
  allows(address: string): boolean {
    if (address !== this.#lastAddress) {
      this.#lastAllowed = this.#check(address);
      this.#lastAddress = address;
    }
    return this.#lastAllowed;
  }

  #check(address: string): boolean {
    // From a socket or a PROXY header the address is well-formed; anything else is refused.
    if (isIP(address) === 0) return false;
    // IPv4 becomes ::ffff:a.b.c.d, so IPv4 rules match IPv4 clients on a dual-stack socket too.
    const words = addressWords(address, this.#words);
    words[FAMILY_WORD] = isMappedIPv4(words) ? IPV4 : IPV6;
    if (this.#deny !== undefined && matchesAny(this.#deny, words)) return false;
    return this.#allow === undefined || matchesAny(this.#allow, words);
  }
}

/** Each rule as nine words: its network's four, its mask's four, then its family. */
type RuleList = Uint32Array;
const RULE_WORDS = 9;
/** Where a rule (or the address checked) keeps its family: IPv4 rules match IPv4 clients only. */
const FAMILY_WORD = 8;
const IPV4 = 4;
const IPV6 = 6;

/** Whether four address words are an IPv4-mapped address, `::ffff:a.b.c.d`. */
function isMappedIPv4(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

function ruleListOf(rules: readonly string[]): RuleList {
  const list = new Uint32Array(rules.length * RULE_WORDS);
  for (const [index, text] of rules.entries()) {
    const rule = parseRule(text);
    if (rule instanceof AddressRuleError) throw rule;
    const network = addressWords(rule.address);
    // A mapped rule that stays inside ::ffff:0:0/96 is the IPv4 rule; one wider than that is
    // an IPv6 rule, and IPv6 rules never match IPv4 clients.
    const isIPv4 = rule.family === "ipv4" || (isMappedIPv4(network) && rule.prefix >= 96);
    // An IPv4 rule is the IPv4-mapped block: its prefix counts from bit 96.
    const mask = prefixMaskWords(rule.family === "ipv4" ? 96 + rule.prefix : rule.prefix);
    const at = index * RULE_WORDS;
    for (let word = 0; word < 4; word++) {
      list[at + word] = (network[word] & mask[word]) >>> 0;
      list[at + 4 + word] = mask[word];
    }
    list[at + FAMILY_WORD] = isIPv4 ? IPV4 : IPV6;
  }
  return list;
}

function matchesAny(list: RuleList, words: Uint32Array): boolean {
  for (let rule = 0; rule < list.length; rule += RULE_WORDS) {
    if (
      words[FAMILY_WORD] === list[rule + FAMILY_WORD] &&
      (words[0] & list[rule + 4]) >>> 0 === list[rule] &&
      (words[1] & list[rule + 5]) >>> 0 === list[rule + 1] &&
      (words[2] & list[rule + 6]) >>> 0 === list[rule + 2] &&
      (words[3] & list[rule + 7]) >>> 0 === list[rule + 3]
    ) {
      return true;
    }
  }
  return false;
}
