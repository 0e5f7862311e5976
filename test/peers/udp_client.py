# udp_client.py - the lesson's UDPClient.py (Kurose & Ross), used as an interop peer by the tests.
# Run: python3 udp_client.py HOST PORT   (each stdin line is sent as one datagram; each reply is printed)
# For every line: sendto(line without newline), recvfrom(2048) with a 2 s timeout, print the reply.
# On timeout: prints "timeout" to stderr and exits with status 1.
import argparse
import sys
from socket import *

parser = argparse.ArgumentParser(description="Lesson UDP client (one datagram per stdin line).")
parser.add_argument("host")
parser.add_argument("port", type=int)
args = parser.parse_args()

# Bytes that are not valid UTF-8 pass through unchanged (surrogateescape) in both directions.
sys.stdin.reconfigure(encoding="utf-8", errors="surrogateescape")
sys.stdout.reconfigure(encoding="utf-8", errors="surrogateescape")

serverName = args.host
serverPort = args.port
clientSocket = socket(AF_INET6 if ":" in serverName else AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
while True:
    message = sys.stdin.readline()
    if message == "":
        break
    if message.endswith("\n"):
        message = message[:-1]
    clientSocket.sendto(message.encode("utf-8", "surrogateescape"), (serverName, serverPort))
    try:
        modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
    except timeout:
        print("timeout", file=sys.stderr)
        clientSocket.close()
        sys.exit(1)
    sys.stdout.write(modifiedMessage.decode("utf-8", "surrogateescape") + "\n")
    sys.stdout.flush()
clientSocket.close()
