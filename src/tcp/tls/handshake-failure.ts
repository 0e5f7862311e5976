/**
 * Why a TLS handshake failed, as a short reason from a small fixed set: the label of
 * `mayus_tls_handshake_failures_total` and of the log line (OpenSSL's own code goes with it).
 */

/**
 * Why a handshake failed. timeout: the client said nothing complete in time; not-tls: what
 * came was not TLS at all (plain text, HTTP); protocol-version: TLS, but no version or cipher
 * in common; certificate-rejected: the client refused the server's certificate (an alert);
 * closed: the client closed or reset before the end; other: any other TLS error.
 */
export type HandshakeFailure = "timeout" | "not-tls" | "protocol-version" | "certificate-rejected" | "closed" | "other";

/** Every reason, in the order metrics list them. */
export const HANDSHAKE_FAILURES: readonly HandshakeFailure[] = [
  "timeout",
  "not-tls",
  "protocol-version",
  "certificate-rejected",
  "closed",
  "other",
];

/** OpenSSL alerts a client sends when it does not trust the certificate it was shown. */
const CERTIFICATE_ALERTS =
  /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|DECRYPT_ERROR|ACCESS_DENIED|BAD_CERTIFICATE_STATUS_RESPONSE)$/;

/**
 * @example
 * ```ts
 * import { once } from "node:events";
 * import { type AddressInfo, connect } from "node:net";
 * import * as tls from "node:tls";
 * import { handshakeFailure } from "./handshake-failure.js";
 * import { generateSelfSigned, selfSignedNames } from "./self-signed.js";
 * const { certPem, keyPem } = await generateSelfSigned(selfSignedNames("127.0.0.1"));
 * const server = tls.createServer({ cert: certPem, key: keyPem });
 * const failed = once(server, "tlsClientError") as Promise<[NodeJS.ErrnoException]>;
 * server.listen(0, "127.0.0.1");
 * await once(server, "listening");
 * const { port } = server.address() as AddressInfo;
 * // A plain-text client where TLS was expected, as `nc` would be.
 * const plain = connect(port, "127.0.0.1", () => plain.write("hola\n"));
 * plain.on("error", () => {});
 * const [error] = await failed;
 * handshakeFailure(error); // "not-tls" (error.code is "ERR_SSL_WRONG_VERSION_NUMBER")
 * plain.destroy();
 * server.close();
 * ```
 */
export function handshakeFailure(error: NodeJS.ErrnoException): HandshakeFailure {
  const code = error.code ?? "";
  if (code === "ERR_TLS_HANDSHAKE_TIMEOUT") return "timeout";
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ERR_TLS_CLOSED_BEFORE_HANDSHAKE") return "closed";
  if (CERTIFICATE_ALERTS.test(code)) return "certificate-rejected";
  if (
    code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
    code === "ERR_SSL_HTTP_REQUEST" ||
    code === "ERR_SSL_HTTPS_PROXY_REQUEST" ||
    code === "ERR_SSL_UNKNOWN_PROTOCOL" ||
    code === "ERR_SSL_PACKET_LENGTH_TOO_LONG" ||
    code === "ERR_SSL_RECORD_LENGTH_MISMATCH"
  )
    return "not-tls";
  if (
    code === "ERR_SSL_UNSUPPORTED_PROTOCOL" ||
    code === "ERR_SSL_NO_SHARED_CIPHER" ||
    code === "ERR_SSL_VERSION_TOO_LOW" ||
    /ALERT_PROTOCOL_VERSION$|ALERT_HANDSHAKE_FAILURE$|ALERT_INSUFFICIENT_SECURITY$/.test(code)
  )
    return "protocol-version";
  return "other";
}
