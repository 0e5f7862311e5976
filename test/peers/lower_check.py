# lower_check.py - checks a lowercasing server (mayus serve --mode lower) against Python's str.lower().
# Run: python3 lower_check.py HOST TCP_PORT UDP_PORT
# Sends each sample line over TCP (one connection, split inside a multi-byte character, then
# half-closed) and over UDP (one datagram per line), and compares each reply with line.lower().
# The samples avoid a word-final capital sigma: str.lower() gives the final form, mayus's
# per-character lower mode gives sigma. Prints "ok tcp" / "ok udp N"; on a difference prints
# it to stderr and exits 1.
import socket
import sys

SAMPLES = [
    "HELLO, WORLD",
    "ÑANDÚ, CIGÜEÑA, ÁRBOL",
    "ΑΘΗΝΑ ΚΑΙ ΣΠΑΡΤΗ",
    "МОСКВА",
    "İSTANBUL",  # İ lowercases to i and a combining dot: 2 bytes become 3
    "\u212a KELVIN",  # the Kelvin sign lowercases to k: 3 bytes become 1
    "ȺȾ",  # 2-byte letters whose lowercase is 3 bytes
    "𐐀𐐁 DESERET",
    "MIXED cAsE 123 !?",
]

host, tcp_port, udp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
failed = False

data = "".join(line + "\n" for line in SAMPLES).encode("utf-8")
expected = "".join(line.lower() + "\n" for line in SAMPLES).encode("utf-8")
tcp = socket.create_connection((host, tcp_port), timeout=5)
cut = data.index("Ñ".encode("utf-8")) + 1  # inside Ñ: the server must hold its first byte
tcp.sendall(data[:cut])
tcp.sendall(data[cut:])
tcp.shutdown(socket.SHUT_WR)
received = b""
while True:
    chunk = tcp.recv(65536)
    if not chunk:
        break
    received += chunk
tcp.close()
if received != expected:
    print("tcp: expected", expected, "got", received, file=sys.stderr)
    failed = True
else:
    print("ok tcp", flush=True)

udp = socket.socket(family, socket.SOCK_DGRAM)
udp.settimeout(5)
answered = 0
for line in SAMPLES:
    udp.sendto(line.encode("utf-8"), (host, udp_port))
    reply, _ = udp.recvfrom(65535)
    if reply != line.lower().encode("utf-8"):
        print("udp:", repr(line), "expected", repr(line.lower()), "got", repr(reply.decode("utf-8", "replace")), file=sys.stderr)
        failed = True
    else:
        answered += 1
udp.close()
print("ok udp", answered, flush=True)
sys.exit(1 if failed else 0)
