/**
 * The PEM files of `--cert`/`--key` (serve) and `--ca` (client, bench), read and checked at
 * start, so a wrong file is one clear line naming it (exit 2), never a stack trace later.
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { usageError } from "../../errors.js";
import { t } from "../../i18n/index.js";
import type { TlsIdentity } from "./self-signed.js";

/** A certificate and key read from files, with what the start line says of them. */
export interface TlsFiles extends TlsIdentity {
  /** The certificate's subject, one line (`CN=example.org, O=…`). */
  subject: string;
  /** When the certificate's validity begins and ends (outside it, clients that verify refuse it). */
  validFrom: Date;
  validTo: Date;
}

/**
 * The warning `serve` prints when `files` is not valid at `now` (expired, or not yet valid):
 * it still starts (clients with --insecure, or checking only the fingerprint, can use it), but
 * every client that verifies will refuse it. Undefined when it is valid.
 */
export function validityWarning(files: TlsFiles, file: string, now: Date = new Date()): string | undefined {
  if (now > files.validTo) return t("tls.certificateExpired", { file, date: files.validTo.toISOString() });
  if (now < files.validFrom) return t("tls.certificateNotYetValid", { file, date: files.validFrom.toISOString() });
  return undefined;
}

function readPem(option: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(t("error.tlsFile", { option, file, reason }), error);
  }
}

/**
 * Reads `--cert` and `--key`, and checks that the first holds a certificate, the second an
 * unencrypted private key, and that they are a pair.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { TcpServer } from "../tcp-server.js";
 * import { generateSelfSigned, selfSignedNames } from "./self-signed.js";
 * import { loadTlsFiles } from "./tls-files.js";
 * const folder = mkdtempSync(join(tmpdir(), "mayus-tls-"));
 * const [mine, another] = await Promise.all([1, 2].map(() => generateSelfSigned(selfSignedNames("127.0.0.1"))));
 * writeFileSync(join(folder, "server.crt"), mine.certPem);
 * writeFileSync(join(folder, "server.key"), mine.keyPem);
 * writeFileSync(join(folder, "other.key"), another.keyPem);
 * const { certPem, keyPem, subject } = loadTlsFiles(join(folder, "server.crt"), join(folder, "server.key"));
 * subject; // "CN=localhost, O=mayus self-signed"
 * const server = new TcpServer({ host: "127.0.0.1", port: 0, tls: { cert: certPem, key: keyPem } });
 * await server.listen();
 * await server.close();
 * try {
 *   loadTlsFiles(join(folder, "server.crt"), join(folder, "other.key"));
 * } catch (error) {
 *   (error as Error).message; // "the key in …/other.key does not belong to the certificate in …/server.crt: give the pair's key (see --help)"
 * }
 * rmSync(folder, { recursive: true, force: true });
 * ```
 */
export function loadTlsFiles(certFile: string, keyFile: string): TlsFiles {
  const certPem = readPem("--cert", certFile);
  const keyPem = readPem("--key", keyFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (error) {
    throw usageError(t("error.tlsNotCertificate", { file: certFile }), error);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    // No passphrase: an encrypted key fails here rather than prompting on a server's terminal.
    key = createPrivateKey({ key: keyPem, passphrase: "" });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(t("error.tlsNotKey", { file: keyFile, reason }), error);
  }
  if (!certificate.checkPrivateKey(key)) throw usageError(t("error.tlsKeyMismatch", { key: keyFile, cert: certFile }));
  return {
    certPem,
    keyPem,
    fingerprint256: certificate.fingerprint256,
    subject: certificate.subject.replaceAll("\n", ", "),
    validFrom: new Date(certificate.validFrom),
    validTo: new Date(certificate.validTo),
  };
}

/** Reads `--ca`: one or more PEM CA certificates to trust besides the system's. */
export function loadCaFile(file: string): string {
  const pem = readPem("--ca", file);
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw usageError(t("error.tlsCa", { file }), error);
  }
  return pem;
}
