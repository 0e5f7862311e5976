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
 * const { certPem, keyPem, fingerprint256 } = loadTlsFiles("server.crt", "server.key");
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
