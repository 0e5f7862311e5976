# tcp_client.py - the lesson's TCPClient.py (Kurose & Ross), used as an interop peer by the tests.
# Run: python3 tcp_client.py HOST PORT   (one line is read from stdin; the server's reply is printed)
# Sends the line (without its newline) in ONE send(), reads ONE recv(1024), prints the reply, closes.
import argparse
import sys
from socket import *

parser = argparse.ArgumentParser(description="Lesson TCP client (one line in, one reply out).")
parser.add_argument("host")
parser.add_argument("port", type=int)
args = parser.parse_args()

# Bytes that are not valid UTF-8 pass through unchanged (surrogateescape) in both directions.
sys.stdin.reconfigure(encoding="utf-8", errors="surrogateescape")
sys.stdout.reconfigure(encoding="utf-8", errors="surrogateescape")

serverName = args.host
serverPort = args.port
clientSocket = socket(AF_INET6 if ":" in serverName else AF_INET, SOCK_STREAM)
clientSocket.connect((serverName, serverPort))
sentence = sys.stdin.readline()
if sentence.endswith("\n"):
    sentence = sentence[:-1]
clientSocket.send(sentence.encode("utf-8", "surrogateescape"))
modifiedSentence = clientSocket.recv(1024)
sys.stdout.write(modifiedSentence.decode("utf-8", "surrogateescape") + "\n")
sys.stdout.flush()
clientSocket.close()
