# udp_echo.py - an RFC 862 echo over UDP on any port: each datagram goes back to its sender byte for byte.
# Run: python3 udp_echo.py [--host H] [--port P]   (defaults 127.0.0.1, port 0 = kernel picks)
# Prints "ready udp PORT"; serves until SIGTERM/SIGINT, then exits 0 quietly.
import argparse
import signal
import socket
import sys

signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(0))

parser = argparse.ArgumentParser(description="UDP echo server (RFC 862).")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()

server = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_DGRAM)
server.bind((args.host, args.port))
print("ready udp", server.getsockname()[1], flush=True)
while True:
    message, sender = server.recvfrom(65535)
    server.sendto(message, sender)
