"""The Python reference server for `npm run bench`: what many would write instead of mayus.

asyncio with the thin Protocol API (no streams; asyncio sets TCP_NODELAY on each accepted
socket), TCP and UDP on the same port:

    python3 asyncio_server.py [--port 0] [--host 127.0.0.1] [--mode ascii|unicode]

prints "ready tcp PORT" and "ready udp PORT" when listening. ascii: bytes.upper() (only a-z
change, binary-safe). unicode: an incremental UTF-8 decoder (a character split between two
reads is held, invalid bytes pass through as surrogate escapes), str.upper(), encode.
"""

import argparse
import asyncio
import codecs


def ascii_transform():
    return bytes.upper


def unicode_transform():
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")

    def transform(data):
        return decoder.decode(data).upper().encode("utf-8", "surrogateescape")

    return transform


def one_shot_unicode(data):
    return data.decode("utf-8", "surrogateescape").upper().encode("utf-8", "surrogateescape")


class UppercaseTcp(asyncio.Protocol):
    def __init__(self, make_transform):
        self.transform = make_transform()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(self.transform(data))

    # Backpressure: stop reading while the client is not reading its answers.
    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


class UppercaseUdp(asyncio.DatagramProtocol):
    def __init__(self, transform):
        self.transform = transform
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, address):
        self.transport.sendto(self.transform(data), address)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=12000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mode", choices=["ascii", "unicode"], default="unicode")
    options = parser.parse_args()
    loop = asyncio.get_running_loop()
    make_transform = ascii_transform if options.mode == "ascii" else unicode_transform
    one_shot = bytes.upper if options.mode == "ascii" else one_shot_unicode

    # With port 0 the kernel picks the TCP port; UDP then binds the same one (retry if taken).
    for _ in range(20):
        server = await loop.create_server(
            lambda: UppercaseTcp(make_transform), options.host, options.port, backlog=4096
        )
        port = server.sockets[0].getsockname()[1]
        try:
            await loop.create_datagram_endpoint(lambda: UppercaseUdp(one_shot), local_addr=(options.host, port))
            break
        except OSError:
            server.close()
            if options.port != 0:
                raise
    print(f"ready tcp {port}", flush=True)
    print(f"ready udp {port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
