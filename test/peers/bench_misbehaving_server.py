# bench_misbehaving_server.py - a TCP server that answers a load generator wrongly, for `mayus bench`'s tests.
# Run: python3 bench_misbehaving_server.py --behaviour echo|close|reset|silent [--host H] [--port P]
# Prints "ready tcp PORT" once listening; each connection in its own thread:
#   echo   sends back every byte unchanged (no uppercase: every answer is wrong)
#   close  reads once, then closes without answering (FIN)
#   reset  reads once, then resets the connection (RST: SO_LINGER 0)
#   silent reads everything and never answers, until the client closes
# Serves until SIGTERM/SIGINT, then exits 0 quietly.
import argparse
import signal
import struct
import sys
import threading
from socket import *


def quit_quietly(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, quit_quietly)
signal.signal(signal.SIGINT, quit_quietly)

parser = argparse.ArgumentParser(description="A TCP server that answers wrongly.")
parser.add_argument("--behaviour", choices=["echo", "close", "reset", "silent"], required=True)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()


def serve(connection):
    try:
        if args.behaviour == "echo":
            while True:
                data = connection.recv(65536)
                if not data:
                    break
                connection.sendall(data)
        elif args.behaviour == "silent":
            while connection.recv(65536):
                pass
        else:
            connection.recv(65536)
            if args.behaviour == "reset":
                connection.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass  # the client went first: nothing to do
    connection.close()


listener = socket(AF_INET6 if ":" in args.host else AF_INET, SOCK_STREAM)
listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
listener.bind((args.host, args.port))
listener.listen(128)
print("ready tcp", listener.getsockname()[1], flush=True)
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
