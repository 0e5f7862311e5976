# tcp_server.py - the lesson's TCPServer.py (Kurose & Ross), used as an interop peer by the tests.
# Run: python3 tcp_server.py [--host H] [--port P]   (defaults 127.0.0.1 and 0 = kernel picks the port)
# Prints "ready tcp PORT" once listening, then for each connection: ONE recv(1024), send it back
# upper-cased, close. Serves until SIGTERM/SIGINT, then exits 0 quietly.
import argparse
import signal
import sys
from socket import *


def quit_quietly(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, quit_quietly)
signal.signal(signal.SIGINT, quit_quietly)

parser = argparse.ArgumentParser(description="Lesson TCP upper-case server.")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()

serverSocket = socket(AF_INET6 if ":" in args.host else AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)  # so a fixed --port can be reused right away
serverSocket.bind((args.host, args.port))
serverSocket.listen(16)
serverPort = serverSocket.getsockname()[1]
print("ready tcp", serverPort, flush=True)
while True:
    connectionSocket, addr = serverSocket.accept()
    try:
        sentence = connectionSocket.recv(1024).decode("utf-8", "surrogateescape")
        capitalizedSentence = sentence.upper()
        connectionSocket.send(capitalizedSentence.encode("utf-8", "surrogateescape"))
    except OSError:
        pass  # a client that resets the connection must not stop the server
    connectionSocket.close()
