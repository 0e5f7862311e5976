# slow_readers.py - several TCP clients at once that each send their own text, then FIN, and
# read the answers slowly, so that the server's answers wait in its send queue while it reads
# the other clients: every connection must get back exactly its own text, uppercased.
# Run: python3 slow_readers.py HOST PORT CONNECTIONS BYTES [unicode|echo]
# Each client's text is ASCII and Spanish (ñ, ú: uppercase keeps their length, so the server
# answers them in place) naming the client; against `--mode echo` the answer is the text itself.
# Prints "ok N", or each difference on stderr and exits 1.
import socket
import sys
import threading
import time

host, port, connections, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
mode = sys.argv[5] if len(sys.argv) > 5 else "unicode"
family = socket.AF_INET6 if ":" in host else socket.AF_INET
# The reader's pause per recv: long enough that the server's answers queue, short enough to finish.
PAUSE_SECONDS = 0.001
RECV_BYTES = 16384
results = {}


def client(number):
    line = f"cliente {number}: el ñandú corre por la pampa, abc xyz\n".encode("utf-8")
    # Cut between characters (a cut ñ would be dropped): the answer is the text's own uppercase.
    text = (line * (size // len(line) + 1))[:size].decode("utf-8", "ignore").encode("utf-8")
    expected = text if mode == "echo" else text.decode("utf-8").upper().encode("utf-8")
    sock = socket.create_connection((host, port), timeout=60)

    def send():
        sock.sendall(text)
        sock.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send)
    sender.start()
    received = bytearray()
    while True:
        chunk = sock.recv(RECV_BYTES)
        if not chunk:
            break
        received += chunk
        time.sleep(PAUSE_SECONDS)
    sender.join()
    sock.close()
    results[number] = (bytes(received), expected)


threads = [threading.Thread(target=client, args=(number,)) for number in range(connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
failed = False
for number in range(connections):
    received, expected = results.get(number, (b"", b"?"))
    if received != expected:
        failed = True
        at = next((i for i in range(min(len(received), len(expected))) if received[i] != expected[i]), None)
        at = min(len(received), len(expected)) if at is None else at
        sys.stderr.write(
            f"client {number}: got {len(received)} bytes, want {len(expected)}; first difference at {at}: "
            f"{received[at:at + 40]!r} instead of {expected[at:at + 40]!r}\n"
        )
if failed:
    sys.exit(1)
print(f"ok {connections}")
