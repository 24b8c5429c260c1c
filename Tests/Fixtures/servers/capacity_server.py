"""An HTTP server of known capacity for the automatic sweep's test: it serves one request at
a time, each taking SERVICE_MS milliseconds (default 20), so it can answer at most
1000 / SERVICE_MS requests per second however many arrive. Keep-alive HTTP/1.1.
usage: capacity_server.py PORT [SERVICE_MS]"""
import asyncio
import sys

SERVICE = (float(sys.argv[2]) if len(sys.argv) > 2 else 20.0) / 1000
BODY = b"ok\n"


async def main():
    lock = asyncio.Lock()

    async def serve(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                # One request at a time: the server's whole capacity.
                async with lock:
                    await asyncio.sleep(SERVICE)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()


asyncio.run(main())
