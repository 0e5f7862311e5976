"""Whether a descriptor of another process is a TCP socket with TCP_NODELAY on: borrows it
with pidfd_getfd() (Linux 5.6+, and leave to look into that process) and asks the socket.

usage: tcp_nodelay.py PID FD   (prints 1 or 0; exits 2 with the reason where it cannot look)
"""

import ctypes
import os
import socket
import sys

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture

libc = ctypes.CDLL(None, use_errno=True)
try:
    pidfd = os.pidfd_open(int(sys.argv[1]))
except (AttributeError, OSError) as error:
    print(f"pidfd_open: {error}", file=sys.stderr)
    sys.exit(2)
fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(sys.argv[2]), 0)
if fd < 0:
    print(f"pidfd_getfd: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
    sys.exit(2)
borrowed = socket.socket(fileno=fd)
print(borrowed.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
