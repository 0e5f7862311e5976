"""A client that keeps sending while it reads its answers, then ends its stream: whether the
server's end of stream (FIN) came while it was still sending, which a server draining must not
do to a client that is not quiet.

usage: steady_sender.py HOST PORT SECONDS

Sends 1 KiB of lowercase letters every 5 ms for SECONDS, reading all the while; then
shutdown(SHUT_WR) and reads to the end. Prints one JSON line:
{"fin_while_sending": bool, "sent": n, "answered": n, "error": null | "ConnectionResetError"...,
 "longest_gap_ms": n}
longest_gap_ms bounds from above the longest time between two of its sends (its FIN included):
a loaded machine that did not run it for the quiet time made it quiet for real, and a server
draining may then end the connection.
"""

import json
import socket
import sys
import threading
import time

from send_gaps import SendGaps

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
client = socket.create_connection((host, port))
outcome = {"fin_while_sending": False, "sent": 0, "answered": 0, "error": None, "longest_gap_ms": 0.0}
gaps = SendGaps(outcome)
sending = threading.Event()
sending.set()


def read() -> None:
    while True:
        try:
            chunk = client.recv(65536)
        except OSError as error:
            outcome["error"] = type(error).__name__
            return
        if not chunk:
            outcome["fin_while_sending"] = sending.is_set()
            return
        outcome["answered"] += len(chunk)


reader = threading.Thread(target=read)
reader.start()
deadline = time.monotonic() + seconds
try:
    while time.monotonic() < deadline:
        gaps.timed(lambda: client.sendall(b"a" * 1024))
        outcome["sent"] += 1024
        time.sleep(0.005)
    sending.clear()
    gaps.timed(lambda: client.shutdown(socket.SHUT_WR))
except OSError as error:
    sending.clear()
    outcome["error"] = outcome["error"] or type(error).__name__
reader.join(10)
client.close()
print(json.dumps(outcome), flush=True)
