/** Messages of TLS (`--tls` on serve, client and bench): flags, the certificate line, errors. */
import { defineMessages } from "./define.js";

export const tlsMessages = defineMessages(
  {
    "option.tls": "TLS on TCP (UDP stays plain): with --cert and --key, or a self-signed certificate made at start",
    "option.cert": "TLS certificate chain, PEM (implies --tls; needs --key)",
    "option.key": "private key of --cert, PEM, unencrypted",
    "option.tlsHandshakeTimeout": "milliseconds a TCP client has to finish its TLS handshake",
    "option.clientTls":
      "connect with TLS, verifying the server against Node's CAs (and the system's, on Node 22.15 and later) and --ca",
    "option.ca":
      "also trust the CA certificates in this PEM file (such as the server's own self-signed one; implies --tls)",
    "option.insecure": "TLS without verifying the server's certificate (implies --tls; says so on stderr)",
    "tls.selfSigned": "mayus: TLS with a self-signed certificate for {names}; SHA-256 fingerprint {fingerprint}",
    "tls.certificate": "mayus: TLS with the certificate of {file} ({subject}); SHA-256 fingerprint {fingerprint}",
    "tls.udpPlain": "mayus: TLS covers TCP only; UDP stays plain (no DTLS)",
    "tls.traceAccepted": "new socket for this client, TLS handshake done ({version})",
    "tls.insecure":
      "mayus: warning: --insecure: the server's certificate is not verified (anyone in between can read and change the bytes)",
    "tls.certificateExpired":
      "mayus: warning: the certificate in {file} expired on {date}: clients that verify it will refuse it; renew it, or drop --cert and --key for a self-signed one",
    "tls.certificateNotYetValid":
      "mayus: warning: the certificate in {file} is not valid before {date}: clients that verify it will refuse it; check this machine's clock or the certificate",
    "error.tlsFile": "{option}: cannot read {file} ({reason}): give a readable PEM file",
    "error.tlsNotCertificate":
      "{file} holds no PEM certificate: give the certificate (-----BEGIN CERTIFICATE-----) with --cert",
    "error.tlsNotKey":
      "{file} holds no usable private key ({reason}): give an unencrypted PEM key (-----BEGIN PRIVATE KEY-----) with --key",
    "error.tlsKeyMismatch": "the key in {key} does not belong to the certificate in {cert}: give the pair's key",
    "error.tlsCertWithoutKey": "--cert and --key go together: give both, or neither for a self-signed certificate",
    "error.tlsCa":
      "{file} holds no PEM CA certificate: give the CA (or the server's self-signed) certificate with --ca",
    "error.tlsInsecureWithCa": "--insecure verifies nothing, so --ca has no use with it: give one or the other",
    "error.tlsWithUdp": "--tls is for TCP only (there is no DTLS): drop --udp or --tls",
    "error.tlsHandshake":
      "TLS handshake with {address} failed ({reason}): does that server speak TLS (mayus serve --tls)?",
    "error.tlsVerify":
      "the certificate of {address} is not trusted ({reason}): pass its CA with --ca FILE, or --insecure to skip the check",
  },
  {
    "option.tls":
      "TLS en TCP (UDP sigue en claro): con --cert y --key, o un certificado autofirmado creado al arrancar",
    "option.cert": "cadena de certificados TLS, PEM (implica --tls; requiere --key)",
    "option.key": "clave privada de --cert, PEM, sin cifrar",
    "option.tlsHandshakeTimeout": "milisegundos que tiene un cliente TCP para completar su negociación TLS",
    "option.clientTls":
      "conectar con TLS, verificando el servidor con las CA de Node (y las del sistema, desde Node 22.15) y --ca",
    "option.ca":
      "confiar también en los certificados de CA de este archivo PEM (como el autofirmado del propio servidor; implica --tls)",
    "option.insecure": "TLS sin verificar el certificado del servidor (implica --tls; lo avisa en stderr)",
    "tls.selfSigned": "mayus: TLS con un certificado autofirmado para {names}; huella SHA-256 {fingerprint}",
    "tls.certificate": "mayus: TLS con el certificado de {file} ({subject}); huella SHA-256 {fingerprint}",
    "tls.udpPlain": "mayus: TLS cubre solo TCP; UDP sigue en claro (sin DTLS)",
    "tls.traceAccepted": "socket nuevo para este cliente, negociación TLS hecha ({version})",
    "tls.insecure":
      "mayus: aviso: --insecure: el certificado del servidor no se verifica (cualquiera en medio puede leer y cambiar los bytes)",
    "tls.certificateExpired":
      "mayus: aviso: el certificado de {file} caducó el {date}: los clientes que lo verifican lo rechazarán; renuévelo, o quite --cert y --key para usar uno autofirmado",
    "tls.certificateNotYetValid":
      "mayus: aviso: el certificado de {file} no es válido antes del {date}: los clientes que lo verifican lo rechazarán; revise el reloj de esta máquina o el certificado",
    "error.tlsFile": "{option}: no se puede leer {file} ({reason}): indique un archivo PEM legible",
    "error.tlsNotCertificate":
      "{file} no contiene un certificado PEM: indique el certificado (-----BEGIN CERTIFICATE-----) con --cert",
    "error.tlsNotKey":
      "{file} no contiene una clave privada utilizable ({reason}): indique una clave PEM sin cifrar (-----BEGIN PRIVATE KEY-----) con --key",
    "error.tlsKeyMismatch": "la clave de {key} no corresponde al certificado de {cert}: indique la clave del par",
    "error.tlsCertWithoutKey": "--cert y --key van juntos: indique ambos, o ninguno para un certificado autofirmado",
    "error.tlsCa":
      "{file} no contiene un certificado de CA PEM: indique la CA (o el certificado autofirmado del servidor) con --ca",
    "error.tlsInsecureWithCa": "--insecure no verifica nada, así que --ca no sirve con él: indique uno u otro",
    "error.tlsWithUdp": "--tls es solo para TCP (no hay DTLS): quite --udp o --tls",
    "error.tlsHandshake":
      "falló la negociación TLS con {address} ({reason}): ¿habla TLS ese servidor (mayus serve --tls)?",
    "error.tlsVerify":
      "el certificado de {address} no es de confianza ({reason}): pase su CA con --ca ARCHIVO, o --insecure para no comprobarlo",
  },
);
