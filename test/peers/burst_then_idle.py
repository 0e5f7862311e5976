"""A client that sends as much as the connection takes at once, never reads, and then sits
idle: the server's answers fill the kernel's buffers both ways.

usage: burst_then_idle.py PORT [SECONDS]   (prints "sent N" once its burst is out)
"""

import socket
import sys
import time

sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
sock.setblocking(False)
sent = 0
try:
    while sent < 64 * 1024 * 1024:
        sent += sock.send(b"a" * 65536)
except BlockingIOError:
    pass
print(f"sent {sent}", flush=True)
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 20)
