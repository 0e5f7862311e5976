# udp_server.py - the lesson's UDPServer.py (Kurose & Ross), used as an interop peer by the tests.
# Run: python3 udp_server.py [--host H] [--port P] [--drop-every N] [--ignore TEXT]
#   (defaults 127.0.0.1, port 0 = kernel picks)
# Prints "ready udp PORT", then replies to each datagram with it upper-cased (sendto the sender).
# With --drop-every N, every Nth datagram received (N, 2N, 3N, ...) is silently dropped, no reply.
# With --ignore TEXT, a datagram that is exactly TEXT is never answered (a line that never gets through).
# Serves until SIGTERM/SIGINT, then exits 0 quietly.
import argparse
import signal
import sys
from socket import *


def quit_quietly(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, quit_quietly)
signal.signal(signal.SIGINT, quit_quietly)

parser = argparse.ArgumentParser(description="Lesson UDP upper-case server.")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--drop-every", type=int, default=0, metavar="N")
parser.add_argument("--ignore", default=None, metavar="TEXT")
args = parser.parse_args()

serverSocket = socket(AF_INET6 if ":" in args.host else AF_INET, SOCK_DGRAM)
serverSocket.bind((args.host, args.port))
serverPort = serverSocket.getsockname()[1]
print("ready udp", serverPort, flush=True)
received = 0
while True:
    message, clientAddress = serverSocket.recvfrom(2048)
    received += 1
    if args.drop_every > 0 and received % args.drop_every == 0:
        continue
    if args.ignore is not None and message == args.ignore.encode("utf-8", "surrogateescape"):
        continue
    modifiedMessage = message.decode("utf-8", "surrogateescape").upper()
    serverSocket.sendto(modifiedMessage.encode("utf-8", "surrogateescape"), clientAddress)
