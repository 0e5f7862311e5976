// The TLS building blocks: handshake failure reasons, the self-signed certificate's names, validity and key.

import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, test } from "node:test";
import { handshakeFailure } from "./handshake-failure.js";
import { generateSelfSigned, selfSignedNames } from "./self-signed.js";

const failure = (code: string) => handshakeFailure(Object.assign(new Error(code), { code }));

describe("handshakeFailure", () => {
  test("maps OpenSSL's and Node's codes to the few reasons metrics carry", () => {
    assert.equal(failure("ERR_TLS_HANDSHAKE_TIMEOUT"), "timeout");
    assert.equal(failure("ERR_SSL_WRONG_VERSION_NUMBER"), "not-tls");
    assert.equal(failure("ERR_SSL_HTTP_REQUEST"), "not-tls");
    assert.equal(failure("ERR_SSL_UNSUPPORTED_PROTOCOL"), "protocol-version");
    assert.equal(failure("ERR_SSL_NO_SHARED_CIPHER"), "protocol-version");
    assert.equal(failure("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA"), "certificate-rejected");
    assert.equal(failure("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE"), "certificate-rejected");
    assert.equal(failure("ECONNRESET"), "closed");
    assert.equal(failure("ERR_TLS_CLOSED_BEFORE_HANDSHAKE"), "closed");
    assert.equal(failure("ERR_SSL_SOMETHING_NEW"), "other");
    assert.equal(handshakeFailure(new Error("no code")), "other");
  });
});

describe("the self-signed certificate", () => {
  test("names: loopback, the machine, --host unless it means every interface, no repeats", () => {
    assert.deepEqual(selfSignedNames(undefined, "box"), ["localhost", "127.0.0.1", "::1", "box"]);
    assert.deepEqual(selfSignedNames("::", "box"), ["localhost", "127.0.0.1", "::1", "box"]);
    assert.deepEqual(selfSignedNames("0.0.0.0", "box"), ["localhost", "127.0.0.1", "::1", "box"]);
    assert.deepEqual(selfSignedNames("192.0.2.5", "box"), ["localhost", "127.0.0.1", "::1", "box", "192.0.2.5"]);
    assert.deepEqual(selfSignedNames("::1", "box"), ["localhost", "127.0.0.1", "::1", "box"]);
  });

  test("covers each name and address, holds now, is a server certificate, and its key is the pair's", async () => {
    const now = new Date();
    const identity = await generateSelfSigned(["localhost", "127.0.0.1", "::1", "example.test"], now);
    const certificate = new X509Certificate(identity.certPem);
    assert.equal(identity.fingerprint256, certificate.fingerprint256);
    assert.ok(certificate.checkPrivateKey(createPrivateKey(identity.keyPem)));
    for (const name of ["localhost", "example.test"]) assert.equal(certificate.checkHost(name), name);
    for (const address of ["127.0.0.1", "::1"]) assert.equal(certificate.checkIP(address), address);
    assert.equal(certificate.checkHost("other.test"), undefined);
    assert.ok(new Date(certificate.validFrom) <= now && now < new Date(certificate.validTo));
    assert.equal(certificate.ca, false);
    assert.ok(certificate.verify(certificate.publicKey), "self-signed: its own key signs it");
    const again = await generateSelfSigned(["localhost"], now);
    assert.notEqual(again.fingerprint256, identity.fingerprint256, "a fresh key and serial each time");
  });
});
