# bench_counting_server.py - an uppercase TCP server that tells how each connection ended, for
# `mayus bench`'s tests: a load generator should close with a FIN once its answers are in, not
# with a reset (RST) while the server is still answering (a server counts that as an error).
# Run: python3 bench_counting_server.py [--host H] [--port P]
# Prints "ready tcp PORT" once listening; each connection in its own thread, uppercasing
# ASCII. Prints "accepted" for each connection, and "ended fin" or "ended reset" when it ends:
#   fin    the client ended its stream (recv gave b"") with every answer sent
#   reset  recv or send failed (ConnectionResetError, BrokenPipeError)
# Serves until SIGTERM/SIGINT, then exits 0 quietly.
import argparse
import signal
import sys
import threading
from socket import *


def quit_quietly(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, quit_quietly)
signal.signal(signal.SIGINT, quit_quietly)

parser = argparse.ArgumentParser(description="An uppercase server counting how connections end.")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()

lock = threading.Lock()


def serve(connection):
    how = "fin"
    try:
        while True:
            data = connection.recv(65536)
            if not data:
                break
            connection.sendall(data.upper())
    except (ConnectionResetError, BrokenPipeError):
        how = "reset"
    finally:
        connection.close()
    with lock:
        print(f"ended {how}", flush=True)


family = AF_INET6 if ":" in args.host else AF_INET
server = socket(family, SOCK_STREAM)
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
server.bind((args.host, args.port))
server.listen(128)
print(f"ready tcp {server.getsockname()[1]}", flush=True)
while True:
    connection, _ = server.accept()
    with lock:
        print("accepted", flush=True)
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
