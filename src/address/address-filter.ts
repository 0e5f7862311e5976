/**
 * `--allow` and `--deny`: which client addresses a server serves, from CIDR rules (IPv4 and
 * IPv6; an IPv4 client seen as `::ffff:a.b.c.d` on a dual-stack socket matches IPv4 rules).
 * Matched as `net.BlockList` matches (its tests compare the two), without its cost per check.
 */

import { readFileSync } from "node:fs";
import { isIP, isIPv4, isIPv6 } from "node:net";
import { addressWords, prefixMaskWords } from "./address-words.js";

/** The rules as given: CIDRs or single addresses, `@FILE` already read (see `expandRuleArguments`). */
export interface AddressFilterRules {
  /** With any, only addresses that match one are served. */
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
  readonly #words = new Uint32Array(4);

  /** Throws `AddressRuleError` on a bad rule (check rules first with `expandRuleArguments`). */
  constructor(rules: AddressFilterRules) {
    this.#allow = ruleListOf(rules.allow ?? []);
    this.#deny = ruleListOf(rules.deny ?? []);
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
    if (this.#deny !== undefined && matchesAny(this.#deny, words)) return false;
    return this.#allow === undefined || matchesAny(this.#allow, words);
  }
}

/** Each rule as eight words: its network's four, then its mask's four. */
type RuleList = Uint32Array;

function ruleListOf(rules: readonly string[]): RuleList | undefined {
  if (rules.length === 0) return undefined;
  const list = new Uint32Array(rules.length * 8);
  for (const [index, text] of rules.entries()) {
    const rule = parseRule(text);
    if (rule instanceof AddressRuleError) throw rule;
    // An IPv4 rule is the IPv4-mapped block: its prefix counts from bit 96.
    const mask = prefixMaskWords(rule.family === "ipv4" ? 96 + rule.prefix : rule.prefix);
    const network = addressWords(rule.address);
    for (let word = 0; word < 4; word++) {
      list[index * 8 + word] = (network[word] & mask[word]) >>> 0;
      list[index * 8 + 4 + word] = mask[word];
    }
  }
  return list;
}

function matchesAny(list: RuleList, words: Uint32Array): boolean {
  for (let rule = 0; rule < list.length; rule += 8) {
    if (
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
