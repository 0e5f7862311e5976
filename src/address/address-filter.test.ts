import assert from "node:assert/strict";
import { BlockList } from "node:net";
import { describe, test } from "node:test";
import { AddressFilter, AddressRuleError, expandRuleArguments, parseRule } from "./address-filter.js";

describe("AddressFilter", () => {
  test("an allow list given empty serves no one (fail closed); an empty deny list denies no one", () => {
    const noneAllowed = new AddressFilter({ allow: [] });
    assert.equal(noneAllowed.isActive, true);
    for (const address of ["127.0.0.1", "::1", "::ffff:10.0.0.1"]) assert.equal(noneAllowed.allows(address), false);
    const noneDenied = new AddressFilter({ deny: [] });
    assert.equal(noneDenied.isActive, false);
    assert.equal(noneDenied.allows("127.0.0.1"), true);
  });

  test("no rules: every address is served", () => {
    const filter = new AddressFilter({});
    assert.equal(filter.isActive, false);
    assert.equal(filter.allows("203.0.113.9"), true);
  });

  test("with an allow rule only listed addresses are served; deny wins over allow", () => {
    const filter = new AddressFilter({ allow: ["127.0.0.0/8", "2001:db8::/32"], deny: ["127.0.0.2"] });
    assert.equal(filter.allows("127.0.0.1"), true);
    assert.equal(filter.allows("127.0.0.2"), false);
    assert.equal(filter.allows("10.0.0.1"), false);
    assert.equal(filter.allows("2001:db8::7"), true);
    assert.equal(filter.allows("::1"), false);
  });

  test("an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) matches IPv4 rules", () => {
    const filter = new AddressFilter({ allow: ["1.2.3.0/24"], deny: ["1.2.3.66"] });
    assert.equal(filter.allows("::ffff:1.2.3.4"), true);
    assert.equal(filter.allows("::ffff:1.2.3.66"), false);
    assert.equal(filter.allows("::ffff:1.2.4.4"), false);
  });

  test("an IPv4-mapped rule matches the plain IPv4 address too", () => {
    const filter = new AddressFilter({ deny: ["::ffff:192.0.2.0/120"] });
    assert.equal(filter.allows("192.0.2.77"), false);
    assert.equal(filter.allows("::ffff:192.0.2.77"), false);
    assert.equal(filter.allows("192.0.3.1"), true);
  });

  test("IPv6 rules never match IPv4 clients: --deny ::/0 refuses IPv6 only, mapped or not", () => {
    const filter = new AddressFilter({ deny: ["::/0"] });
    assert.equal(filter.allows("::1"), false);
    assert.equal(filter.allows("2001:db8::1"), false);
    assert.equal(filter.allows("127.0.0.1"), true);
    assert.equal(filter.allows("::ffff:127.0.0.1"), true);
    // Wider than ::ffff:0:0/96, so an IPv6 rule: IPv4 clients do not match it either.
    assert.equal(new AddressFilter({ deny: ["::ffff:0:0/95"] }).allows("::ffff:10.0.0.1"), true);
    assert.equal(new AddressFilter({ allow: ["::/0"] }).allows("10.0.0.1"), false);
  });

  test("a mapped rule is the IPv4 rule: ::ffff:10.0.0.0/104 is 10.0.0.0/8, ::ffff:0:0/96 every IPv4", () => {
    const filter = new AddressFilter({ deny: ["::ffff:10.0.0.0/104"] });
    assert.equal(filter.allows("10.200.0.1"), false);
    assert.equal(filter.allows("::ffff:10.200.0.1"), false);
    assert.equal(filter.allows("11.0.0.1"), true);
    const everyIPv4 = new AddressFilter({ deny: ["::ffff:0:0/96"] });
    assert.equal(everyIPv4.allows("255.255.255.255"), false);
    assert.equal(everyIPv4.allows("::1"), true);
  });

  test("the cached last answer follows the address asked about", () => {
    const filter = new AddressFilter({ deny: ["::1"] });
    assert.equal(filter.allows("::1"), false);
    assert.equal(filter.allows("::1"), false);
    assert.equal(filter.allows("127.0.0.1"), true);
    assert.equal(filter.allows("::1"), false);
  });

  test("a rule at a prefix boundary: /0 matches all of its family, /32 and /128 one address", () => {
    const all = new AddressFilter({ deny: ["0.0.0.0/0"] });
    assert.equal(all.allows("255.255.255.254"), false);
    assert.equal(all.allows("::1"), true);
    assert.equal(new AddressFilter({ allow: ["10.1.2.3/32"] }).allows("10.1.2.4"), false);
    assert.equal(new AddressFilter({ allow: ["::2/128"] }).allows("::3"), false);
  });
});

describe("AddressFilter matches as net.BlockList does, families kept apart", () => {
  /** A small fixed generator: every run checks the same cases. */
  let state = 19;
  const random = (below: number) => {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    return Math.floor((state / 2 ** 32) * below);
  };
  const randomIPv4 = () => Array.from({ length: 4 }, () => random(256)).join(".");
  // Mostly near one another, so that prefixes both match and miss.
  const randomIPv6 = () => {
    const groups = Array.from({ length: 8 }, (_, index) => (index < 5 && random(4) > 0 ? 0x2001 : random(0x10000)));
    if (random(3) === 0) groups.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
    if (random(4) === 0) groups.fill(0, 2, 2 + random(5));
    return groups.map((group) => group.toString(16)).join(":");
  };
  /** The same address written as a person or a kernel might: compressed, dotted tail, upper case. */
  const spellings = (address: string): string[] => {
    if (!address.includes(":")) return [address, `::ffff:${address}`];
    const compressed = new URL(`http://[${address}]`).hostname.slice(1, -1);
    return [address, compressed, compressed.toUpperCase()];
  };

  const isMapped = (address: string) => /^(0{1,4}:){5}ffff:|^::ffff:/i.test(address);

  test("5,000 random rules and addresses of both families, IPv4-mapped too", () => {
    for (let round = 0; round < 5000; round++) {
      const ruleIsV4 = random(2) === 0;
      const ruleAddress = ruleIsV4 ? randomIPv4() : randomIPv6();
      const prefix = random((ruleIsV4 ? 32 : 128) + 1);
      const reference = new BlockList();
      reference.addSubnet(ruleAddress, prefix, ruleIsV4 ? "ipv4" : "ipv6");
      const filter = new AddressFilter({ deny: [`${ruleAddress}/${prefix}`] });
      // BlockList lets an IPv6 rule match IPv4 clients (::/0 matches 1.2.3.4); ours does not,
      // unless the rule is a mapped IPv4 block (/96 or longer inside ::ffff:0:0/96).
      const ruleMapsIPv4 = ruleIsV4 || (isMapped(ruleAddress) && prefix >= 96);
      const address = random(2) === 0 ? randomIPv4() : randomIPv6();
      for (const spelling of spellings(address)) {
        const family = spelling.includes(":") ? "ipv6" : "ipv4";
        const sameFamily = ruleMapsIPv4 === (family === "ipv4" || isMapped(spelling));
        const denied = sameFamily && reference.check(spelling, family);
        assert.equal(filter.allows(spelling), !denied, `${spelling} against ${ruleAddress}/${prefix}`);
      }
    }
  });
});

describe("parseRule", () => {
  test("CIDRs and single addresses of both families", () => {
    assert.deepEqual(parseRule("10.0.0.0/8"), { address: "10.0.0.0", prefix: 8, family: "ipv4" });
    assert.deepEqual(parseRule(" ::1 "), { address: "::1", prefix: 128, family: "ipv6" });
    assert.deepEqual(parseRule("fe80::/10"), { address: "fe80::", prefix: 10, family: "ipv6" });
  });

  test("bad rules are error values", () => {
    for (const bad of [
      "300.1.1.1",
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/",
      "10.0.0.0/-1",
      "example.com",
      "",
      "1.2.3.4/8/1",
    ]) {
      assert.ok(parseRule(bad) instanceof AddressRuleError, bad);
    }
  });
});

describe("expandRuleArguments", () => {
  const files: Record<string, string> = {
    "rules.txt": "# office\n192.0.2.0/24\n\n  2001:db8::/32  # lab\r\n",
    "bad.txt": "10.0.0.0/8\n# fine so far\n10.0.0.0/99\n",
  };
  const readText = (path: string) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  };

  test("commas and @FILE lines (comments and blank lines ignored)", () => {
    assert.deepEqual(expandRuleArguments(["127.0.0.1, ::1", "@rules.txt"], readText), [
      "127.0.0.1",
      "::1",
      "192.0.2.0/24",
      "2001:db8::/32",
    ]);
  });

  test("a bad line names its file and line; a missing file is an error with its cause", () => {
    const bad = expandRuleArguments(["@bad.txt"], readText);
    assert.ok(bad instanceof AddressRuleError);
    assert.equal(bad.source, "bad.txt:3");
    assert.equal(bad.rule, "10.0.0.0/99");
    const missing = expandRuleArguments(["@nowhere.txt"], readText);
    assert.ok(missing instanceof AddressRuleError);
    assert.equal((missing.cause as NodeJS.ErrnoException).code, "ENOENT");
  });
});
