# heartbeat_sender.py - the heartbeat lab's client in Python: numbered, timestamped UDP heartbeats.
# Run: python3 heartbeat_sender.py HOST PORT [--count N] [--interval S] [--skip 3,4,...] [--start K] [--bind P]
# Sends "HEARTBEAT <seq> <unix-ms>\n" for seq K..N (K is 1 unless --start), one every S seconds, except the skipped
# numbers (so the server sees gaps), from one socket (one source port); reads each answer with
# a 2 s timeout. --bind P sends from source port P (a sender coming back after a silence). Prints "port P" (its source port) first, then "sent K answered A"; exits 0.
import argparse
import socket
import time

parser = argparse.ArgumentParser(description="UDP heartbeat sender.")
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("--count", type=int, default=10)
parser.add_argument("--interval", type=float, default=0.05)
parser.add_argument("--skip", default="")
parser.add_argument("--start", type=int, default=1)
parser.add_argument("--bind", type=int, default=0)
args = parser.parse_args()
skip = {int(number) for number in args.skip.split(",") if number}

sender = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_DGRAM)
sender.settimeout(2)
sender.bind(("::1" if ":" in args.host else "127.0.0.1", args.bind))  # loopback only
sender.connect((args.host, args.port))
print("port", sender.getsockname()[1], flush=True)
sent = answered = 0
for sequence in range(args.start, args.count + 1):
    if sequence not in skip:
        message = "HEARTBEAT %d %d\n" % (sequence, int(time.time() * 1000))
        sender.send(message.encode("ascii"))
        sent += 1
        try:
            if sender.recv(2048).decode("ascii") == message:
                answered += 1
        except socket.timeout:
            pass
    time.sleep(args.interval)
print("sent", sent, "answered", answered, flush=True)
