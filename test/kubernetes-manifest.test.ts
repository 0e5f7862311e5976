/**
 * deploy/kubernetes.yaml against what a cluster checks before it runs the pod: Pod Security's
 * "restricted" profile, and a grace period that covers the drain. No cluster where the tests
 * run, so this reads the file (line by line: the manifest keeps to plain block YAML).
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "./support/processes.js";

const manifest = readFileSync(join(PROJECT_ROOT, "deploy/kubernetes.yaml"), "utf8");
/** The Deployment's lines, without comments. */
const deployment = manifest
  .split(/^---$/m)[0]
  .split("\n")
  .map((line) => line.replace(/\s+#.*$/, ""))
  .filter((line) => !/^\s*#/.test(line));

/** The value of `key:` in the block under the first line that matches `parent` (by indentation). */
function valueUnder(parent: RegExp, key: string): string | undefined {
  const start = deployment.findIndex((line) => parent.test(line));
  if (start < 0) return undefined;
  const indent = deployment[start].search(/\S/);
  for (const line of deployment.slice(start + 1)) {
    if (line.trim() !== "" && line.search(/\S/) <= indent) break;
    const match = line.match(new RegExp(`^\\s*(?:- )?${key}:\\s*(.*)$`));
    if (match) return match[1].replace(/^"(.*)"$/, "$1");
  }
  return undefined;
}

test('the pod meets Pod Security "restricted": non-root, seccomp RuntimeDefault, no escalation, no capabilities', () => {
  assert.equal(valueUnder(/^ {6}securityContext:$/, "runAsNonRoot"), "true");
  assert.equal(valueUnder(/^ {8}seccompProfile:$/, "type"), "RuntimeDefault");
  assert.equal(valueUnder(/^ {10}securityContext:$/, "allowPrivilegeEscalation"), "false");
  assert.equal(valueUnder(/^ {12}capabilities:$/, "drop"), '["ALL"]');
  assert.doesNotMatch(deployment.join("\n"), /hostNetwork|hostPID|hostIPC|hostPath|privileged: true/);
});

test("terminationGracePeriodSeconds covers the preStop sleep and the drain timeout", () => {
  const graceSeconds = Number(valueUnder(/^ {4}spec:$/, "terminationGracePeriodSeconds"));
  const preStopSeconds = Number(manifest.match(/command: \["sleep", "(\d+)"\]/)?.[1]);
  const drainMs = Number(valueUnder(/name: MAYUS_DRAIN_TIMEOUT$/, "value"));
  assert.ok(graceSeconds > 0 && preStopSeconds > 0 && drainMs > 0, `${graceSeconds} ${preStopSeconds} ${drainMs}`);
  assert.ok(graceSeconds * 1000 > preStopSeconds * 1000 + drainMs);
});
