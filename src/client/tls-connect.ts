/**
 * The client side of `--tls`: what a TcpClient (and `mayus bench --tls`) connects with, what
 * it trusts (Node's CAs, the system's where this Node can read them, and `--ca`), and the one
 * clear error a failed handshake or an untrusted certificate becomes.
 */

import { isIP } from "node:net";
import * as tls from "node:tls";
import { MayusError } from "../errors.js";
import { t } from "../i18n/index.js";

/** TLS for a client: verification on (the default), or off with `insecure`. */
export interface ClientTlsOptions {
  /** Extra CA certificates to trust, PEM (`--ca`): the server's own self-signed one works. */
  ca?: string | Buffer;
  /** Skip verifying the server's certificate (`--insecure`): anyone in between can read and change the bytes. */
  insecure?: boolean;
  /** The name the certificate must show (and SNI sends); default the host connected to, unless it is an address. */
  servername?: string;
}

/** Node's own CAs (with NODE_EXTRA_CA_CERTS) and, on a Node that reads it, the system's store. */
function trustedCertificates(): string[] {
  const read = (tls as { getCACertificates?: (which: string) => string[] }).getCACertificates;
  if (read === undefined) return [...tls.rootCertificates];
  return [...read("default"), ...read("system")];
}

/**
 * The options of `tls.connect` for `host:port`, with `options`.
 *
 * @example
 * ```ts
 * import { once } from "node:events";
 * import * as tls from "node:tls";
 * import { TcpServer } from "../tcp/tcp-server.js";
 * import { generateSelfSigned, selfSignedNames } from "../tcp/tls/self-signed.js";
 * import { tlsConnectOptions } from "./tls-connect.js";
 * const { certPem, keyPem } = await generateSelfSigned(selfSignedNames("127.0.0.1"));
 * const server = new TcpServer({ host: "127.0.0.1", port: 0, tls: { cert: certPem, key: keyPem } });
 * const { port } = await server.listen();
 * // The server's own certificate trusted as `--ca`; it is checked against 127.0.0.1, an address (no SNI).
 * const socket = tls.connect(tlsConnectOptions("127.0.0.1", port, { ca: certPem }));
 * await once(socket, "secureConnect");
 * socket.end("hola\n");
 * (await socket.toArray()).join(""); // "HOLA\n"
 * await server.close();
 * ```
 */
export function tlsConnectOptions(host: string, port: number, options: ClientTlsOptions): tls.ConnectionOptions {
  const name = options.servername ?? host;
  return {
    host,
    port,
    // An address is no server name (RFC 6066): the certificate is checked against it as an IP.
    servername: isIP(name.replace(/%.*$/, "")) === 0 ? name : undefined,
    checkServerIdentity: (_host, certificate) => tls.checkServerIdentity(name, certificate),
    rejectUnauthorized: !options.insecure,
    ...(options.ca === undefined || options.insecure ? {} : { ca: [...trustedCertificates(), String(options.ca)] }),
  };
}

/** Certificate checks that fail: the server is not who it says, or not by a CA we trust. */
const VERIFY_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * The error a failure after the TCP connect becomes: an untrusted certificate (what to pass
 * to trust it), or a handshake that failed (a server not speaking TLS, say).
 */
export function tlsError(error: NodeJS.ErrnoException, address: string): MayusError {
  const reason = error.code ?? error.message;
  const key = VERIFY_CODES.has(error.code ?? "") ? "error.tlsVerify" : "error.tlsHandshake";
  return new MayusError("connection-failed", t(key, { address, reason }), { cause: error });
}
