"""A client that goes quiet at a prompt while the server drains, gets the server's FIN, and
then sends more anyway: the bytes a draining server reads after its FIN and cannot answer.

usage: quiet_then_late.py PORT LATE_BYTES --signal-pid PID [--host H]

Sends "hola\n" and reads "HOLA\n"; then sends the server SIGTERM and waits, quiet, for the
server's FIN (recv returns b""); then sends LATE_BYTES lowercase letters and reads until the
end. Prints one JSON line:
{"answered": "HOLA\n", "fin": true, "late_sent": n, "late_answered": n, "end": "eof"|"reset"|"error: ..."}
"""

import argparse
import json
import os
import signal
import socket

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("late_bytes", type=int)
parser.add_argument("--signal-pid", type=int, required=True)
parser.add_argument("--host", default="127.0.0.1")
args = parser.parse_args()

sock = socket.create_connection((args.host, args.port), timeout=30)
sock.sendall(b"hola\n")
answered = b""
while len(answered) < 5:
    chunk = sock.recv(100)
    if not chunk:
        break
    answered += chunk
os.kill(args.signal_pid, signal.SIGTERM)
fin = sock.recv(100) == b""
late_sent = 0
late_answered = 0
end = "eof"
try:
    sock.sendall(b"x" * args.late_bytes)
    late_sent = args.late_bytes
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        late_answered += len(chunk)
except (ConnectionResetError, BrokenPipeError):
    end = "reset"
except OSError as error:
    end = f"error: {error}"
sock.close()
print(json.dumps({"answered": answered.decode(), "fin": fin, "late_sent": late_sent,
                  "late_answered": late_answered, "end": end}))
