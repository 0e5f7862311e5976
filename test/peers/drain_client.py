"""A client in the lesson's style that streams a whole payload and its FIN, reading the answer
at the same time, and can signal the server the moment its own sending is done: the way a
real client meets a server that is being stopped.

usage: drain_client.py PORT BYTES [--clients N] [--host H] [--signal-pid PID]
                       [--signal-after-clients K] [--signal SIGTERM]

Every client connects first; then each sends BYTES of seeded lowercase letters with sendall() and shuts down its sending
side (FIN), while a reader thread takes the answer. After K clients' sendall() returned (K = 1
by default), the server PID gets the signal. Prints one JSON line per client:
{"client": i, "sent": n, "received": n, "exact": true|false, "end": "eof"|"reset"|"error: ..."}
"""

import argparse
import json
import os
import random
import signal
import socket
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("bytes", type=int)
parser.add_argument("--clients", type=int, default=1)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--signal-pid", type=int)
parser.add_argument("--signal-after-clients", type=int, default=1)
parser.add_argument("--signal", default="SIGTERM")
parser.add_argument("--timeout", type=float, default=60.0)
args = parser.parse_args()

LETTERS = b"abcdefghijklmnopqrstuvwxyz"
TO_LETTER = bytes.maketrans(bytes(range(256)), bytes(LETTERS[value % 26] for value in range(256)))
payload = random.Random(12000).randbytes(min(args.bytes, 1 << 20)).translate(TO_LETTER)
payload = (payload * (args.bytes // len(payload) + 1))[: args.bytes]
expected = payload.upper()

lock = threading.Lock()
sent_clients = 0
signalled = False
results = [None] * args.clients
# Every client connects before any sends: the signal then falls on accepted connections only.
connected = threading.Barrier(args.clients)


def client(index):
    global sent_clients, signalled
    received = bytearray()
    end = "eof"
    try:
        sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    except OSError as error:
        results[index] = {"client": index, "sent": 0, "received": 0, "exact": False, "end": f"error: {error}"}
        connected.abort()
        return
    try:
        connected.wait()
    except threading.BrokenBarrierError:
        pass

    def reader():
        nonlocal end
        try:
            while True:
                chunk = sock.recv(262144)
                if not chunk:
                    return
                received.extend(chunk)
        except ConnectionResetError:
            end = "reset"
        except OSError as error:
            end = f"error: {error}"

    thread = threading.Thread(target=reader)
    thread.start()
    sent = 0
    try:
        sock.sendall(payload)
        sent = len(payload)
        sock.shutdown(socket.SHUT_WR)
    except OSError as error:
        end = "reset" if isinstance(error, (ConnectionResetError, BrokenPipeError)) else f"error: {error}"
    with lock:
        sent_clients += 1
        if args.signal_pid and not signalled and sent_clients >= args.signal_after_clients:
            signalled = True
            os.kill(args.signal_pid, getattr(signal, args.signal))
    thread.join()
    sock.close()
    exact = bytes(received) == expected[: len(received)] and len(received) == sent
    results[index] = {"client": index, "sent": sent, "received": len(received), "exact": exact, "end": end}


threads = [threading.Thread(target=client, args=(index,)) for index in range(args.clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
for result in results:
    print(json.dumps(result))
sys.stdout.flush()
