"""A client whose opening is slow but never quiet: a PROXY v2 header or a TLS ClientHello sent
a byte at a time, then a payload and the end of its stream; whether it was answered in full.
A server draining must serve it: it never stops sending long enough to be taken for quiet.

usage: slow_opener.py HOST PORT proxy|tls SECONDS

Connects, sends its opening a byte at a time spread over SECONDS (the PROXY header padded to
300 bytes with a NOOP TLV; the ClientHello as OpenSSL makes it), prints "opening" to stdout
after the first byte; then (TLS: finishes the handshake) sends 4 KiB of lowercase letters,
ends its stream (TLS: close_notify) and reads to the end. Prints one JSON line:
{"opening_bytes": n, "sent": n, "answered": n, "uppercase": bool, "error": null | "ConnectionResetError"...,
 "longest_gap_ms": n}
longest_gap_ms bounds from above the longest time between two of its sends, from its first byte
to the end of its stream: a loaded machine that did not run it for the quiet time made it quiet
for real, and a server may then close it.
"""

import ipaddress
import json
import socket
import ssl
import struct
import sys
import time

from send_gaps import SendGaps

host, port, kind, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
PAYLOAD = b"abcdefghijklmnop" * 256
outcome = {"opening_bytes": 0, "sent": 0, "answered": 0, "uppercase": False, "error": None, "longest_gap_ms": 0.0}
client = socket.create_connection((host, port), timeout=30)
gaps = SendGaps(outcome)


def send(data: bytes) -> None:
    if data:
        gaps.timed(lambda: client.sendall(data))


def proxy_v2_header(total: int) -> bytes:
    """A PROXY v2 header naming a client of the same family as this connection."""
    local = ipaddress.ip_address(client.getsockname()[0])
    if local.version == 4:
        family, addresses = 0x11, ipaddress.ip_address("192.0.2.7").packed + local.packed + struct.pack("!HH", 40000, port)
    else:
        family, addresses = 0x21, ipaddress.ip_address("2001:db8::7").packed + local.packed + struct.pack("!HH", 40000, port)
    noop = total - 16 - len(addresses) - 3
    body = addresses + bytes([0x04]) + struct.pack("!H", noop) + bytes(noop)
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, family]) + struct.pack("!H", len(body)) + body


def dribble(opening: bytes) -> None:
    gap = seconds / len(opening)
    for index in range(len(opening)):
        send(opening[index : index + 1])
        outcome["opening_bytes"] += 1
        if index == 0:
            print("opening", flush=True)
        time.sleep(gap)


def run_proxy() -> bytes:
    dribble(proxy_v2_header(300))
    send(PAYLOAD)
    outcome["sent"] = len(PAYLOAD)
    gaps.timed(lambda: client.shutdown(socket.SHUT_WR))
    received = []
    while chunk := client.recv(65536):
        received.append(chunk)
    return b"".join(received)


def run_tls() -> bytes:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")

    def step(action) -> bool:
        """Runs `action` until it needs bytes from the server; False at the end of the stream."""
        while True:
            try:
                action()
                send(outgoing.read())
                return True
            except ssl.SSLWantReadError:
                send(outgoing.read())
                data = client.recv(65536)
                if not data:
                    return False
                incoming.write(data)

    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    dribble(outgoing.read())  # the ClientHello
    step(tls.do_handshake)
    tls.write(PAYLOAD)
    outcome["sent"] = len(PAYLOAD)
    try:
        tls.unwrap()  # our close_notify: the end of our stream
    except ssl.SSLWantReadError:
        pass
    send(outgoing.read())  # our close_notify
    received = []
    while True:
        try:
            received.append(tls.read(65536))
        except ssl.SSLZeroReturnError:
            break
        except ssl.SSLWantReadError:
            data = client.recv(65536)
            if not data:
                break
            incoming.write(data)
    return b"".join(received)


try:
    answer = run_proxy() if kind == "proxy" else run_tls()
    outcome["answered"] = len(answer)
    outcome["uppercase"] = answer == PAYLOAD.upper()
except (OSError, ssl.SSLError) as error:
    outcome["error"] = type(error).__name__
client.close()
print(json.dumps(outcome), flush=True)
