# udp_pinger_server.py - the UDP pinger lab's UDPPingerServer.py (Kurose & Ross), used by the tests.
# Run: python3 udp_pinger_server.py [--host H] [--port P] [--seed S]   (defaults 127.0.0.1, port 0 = kernel picks)
# Prints "ready udp PORT", then for each datagram draws rand = random.randint(0, 10) and drops the
# datagram if rand < 4, else replies with message.upper() (bytes.upper(): ASCII letters only, as in the lab).
# The lab text says "30% loss", but its rule drops 4 of the 11 equally likely values (about 36%);
# the lab's rule is kept as is. --seed S makes the drop pattern repeatable.
# Serves until SIGTERM/SIGINT, then exits 0 quietly.
import argparse
import random
import signal
import sys
from socket import *


def quit_quietly(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, quit_quietly)
signal.signal(signal.SIGINT, quit_quietly)

parser = argparse.ArgumentParser(description="Pinger lab UDP server (random loss).")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--seed", type=int, default=None)
args = parser.parse_args()

if args.seed is not None:
    random.seed(args.seed)

serverSocket = socket(AF_INET6 if ":" in args.host else AF_INET, SOCK_DGRAM)
serverSocket.bind((args.host, args.port))
serverPort = serverSocket.getsockname()[1]
print("ready udp", serverPort, flush=True)
while True:
    rand = random.randint(0, 10)
    message, address = serverSocket.recvfrom(2048)
    message = message.upper()
    if rand < 4:
        continue
    serverSocket.sendto(message, address)
