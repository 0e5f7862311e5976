/**
 * `mayus serve --tls`: the certificate the TCP server speaks TLS with (the files of --cert and
 * --key, or a self-signed one made now), and the line that shows its fingerprint at start.
 */

import cluster from "node:cluster";
import { usageError } from "../errors.js";
import { t } from "../i18n/index.js";
import type { LogFormat, Logger } from "../observability/logger.js";
import { TCP_DEFAULTS, type TcpTlsOptions } from "../tcp/tcp-server-options.js";
import { generateSelfSigned, selfSignedNames, type TlsIdentity } from "../tcp/tls/self-signed.js";
import { loadTlsFiles, validityWarning } from "../tcp/tls/tls-files.js";

/**
 * How the workers of `--workers N` get the primary's self-signed certificate (each making
 * its own would show clients a different one per connection).
 */
export const SELF_SIGNED_VARIABLE = "MAYUS_WORKER_TLS_IDENTITY";

export interface ServeTlsFlags {
  tls?: boolean;
  cert?: string;
  key?: string;
  tlsHandshakeTimeout?: number;
}

/**
 * The TLS options of the TCP server, or undefined without --tls (--cert/--key imply it);
 * says on stderr (or as a json log event) which certificate and its fingerprint, and that UDP
 * stays plain when it is served too.
 */
export async function serveTls(
  flags: ServeTlsFlags,
  served: { tcp: boolean; udp: boolean; host?: string },
  logger: Logger,
  format: LogFormat,
): Promise<TcpTlsOptions | undefined> {
  if (!flags.tls && flags.cert === undefined && flags.key === undefined) return undefined;
  if (!served.tcp) throw usageError(t("error.tlsWithUdp"));
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw usageError(t("error.tlsCertWithoutKey"));
  const handshakeTimeoutMs = flags.tlsHandshakeTimeout ?? TCP_DEFAULTS.tlsHandshakeTimeoutMs;
  const say = (line: string, fields: Record<string, unknown>, level: "info" | "warn" = "info") => {
    if (cluster.isWorker) return;
    if (format === "json") logger[level]({ event: "tls", ...fields }, line.replace(/^mayus: (warning: |aviso: )?/, ""));
    else process.stderr.write(`${line}\n`);
  };
  let identity: TlsIdentity;
  if (flags.cert !== undefined && flags.key !== undefined) {
    const files = loadTlsFiles(flags.cert, flags.key);
    identity = files;
    const fingerprint = files.fingerprint256;
    say(t("tls.certificate", { file: flags.cert, subject: files.subject, fingerprint }), { fingerprint });
    const warning = validityWarning(files, flags.cert);
    if (warning !== undefined) {
      const validity = { validFrom: files.validFrom, validTo: files.validTo };
      say(warning, { warning: "certificate-not-valid-now", ...validity }, "warn");
    }
  } else {
    identity = await selfSigned(served.host);
    const names = selfSignedNames(served.host);
    const fingerprint = identity.fingerprint256;
    say(t("tls.selfSigned", { names: names.join(", "), fingerprint }), { selfSigned: true, names, fingerprint });
  }
  if (served.udp) say(t("tls.udpPlain"), { udpPlain: true });
  return { cert: identity.certPem, key: identity.keyPem, handshakeTimeoutMs };
}

/** The primary's certificate in a worker; otherwise a fresh one, handed on to any workers. */
async function selfSigned(host: string | undefined): Promise<TlsIdentity> {
  const handed = process.env[SELF_SIGNED_VARIABLE];
  if (cluster.isWorker && handed !== undefined) return JSON.parse(handed) as TlsIdentity;
  const identity = await generateSelfSigned(selfSignedNames(host));
  // Read by the workers cluster.fork() starts with this environment, and by nothing else.
  if (cluster.isPrimary) process.env[SELF_SIGNED_VARIABLE] = JSON.stringify(identity);
  return identity;
}
