/**
 * The certificate `mayus serve --tls` makes for itself when given none, as `ncat --ssl` does:
 * self-signed, in memory only, for the names and addresses the server answers on, with its
 * SHA-256 fingerprint for the client to compare.
 */

import { Buffer } from "node:buffer";
import { webcrypto, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { hostname } from "node:os";
import type { X509CertificateCreateSelfSignedParams } from "@peculiar/x509";

/** A certificate and its private key, both PEM, and the certificate's SHA-256 fingerprint. */
export interface TlsIdentity {
  certPem: string;
  keyPem: string;
  /** `AB:CD:…`, as `openssl x509 -fingerprint -sha256` and Node's `fingerprint256` print it. */
  fingerprint256: string;
}

/** How long the certificate holds: a server restarted once a year gets a fresh one anyway. */
const VALIDITY_DAYS = 365;
/** Backdated, so a client whose clock is a little behind still accepts it. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The names a self-signed certificate covers: localhost and the loopback addresses, the
 * listening host (unless it means every interface) and this machine's name.
 */
export function selfSignedNames(host: string | undefined, machineName: string = hostname()): string[] {
  const names = ["localhost", "127.0.0.1", "::1", machineName];
  if (host !== undefined && host !== "" && host !== "::" && host !== "0.0.0.0") names.push(host);
  return [...new Set(names.filter((name) => name !== ""))];
}

/**
 * A fresh ECDSA P-256 key and a certificate for `names` (DNS names and IP addresses alike),
 * signed by that key. The X.509 structure comes from @peculiar/x509 (Node's crypto parses
 * certificates but builds none); it is loaded on first use, so servers without it pay nothing.
 *
 * @example
 * ```ts
 * import { once } from "node:events";
 * import type { AddressInfo } from "node:net";
 * import * as tls from "node:tls";
 * import { generateSelfSigned, selfSignedNames } from "./self-signed.js";
 * const identity = await generateSelfSigned(selfSignedNames("127.0.0.1"));
 * const server = tls.createServer({ cert: identity.certPem, key: identity.keyPem }, (socket) => socket.end("hola\n"));
 * server.listen(0, "127.0.0.1");
 * await once(server, "listening");
 * const { port } = server.address() as AddressInfo;
 * // Verified (no `rejectUnauthorized: false`): the client trusts this one certificate, made for "localhost".
 * const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: identity.certPem });
 * await once(socket, "secureConnect");
 * socket.getPeerCertificate().fingerprint256 === identity.fingerprint256; // true: what a client compares
 * (await socket.toArray()).join(""); // "hola\n"
 * server.close();
 * ```
 */
export async function generateSelfSigned(names: readonly string[], now: Date = new Date()): Promise<TlsIdentity> {
  // @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API first.
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const alternativeNames = names.map((name) =>
    isIP(name) === 0 ? { type: "dns" as const, value: name } : { type: "ip" as const, value: name },
  );
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString("hex")
      .replace(/^[89a-f]/, "1"),
    name: `CN=${names[0] ?? "localhost"}, O=mayus self-signed`,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: algorithm,
    keys: keys as unknown as X509CertificateCreateSelfSignedParams["keys"],
    extensions: [
      new x509.SubjectAlternativeNameExtension(alternativeNames),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const certPem = certificate.toString("pem");
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { certPem, keyPem, fingerprint256: new X509Certificate(certPem).fingerprint256 };
}
