#!/usr/bin/env python3
"""An OpenAI-compatible streaming endpoint that answers at once (a benchmark yardstick, not
a model): every POST to /v1/completions or /v1/chat/completions gets CHUNKS server-sent
events of content, a last event with finish_reason and usage, and `data: [DONE]`, over
HTTP/1.1 keep-alive with chunked transfer encoding. The whole answer goes out in one send
(the client's cost per request, not per wake-up, is what it shows); with --paced each
content event is a send of its own, one after the other with no wait (the client's times
of each event are what it shows).

It stamps its own times (CLOCK_REALTIME nanoseconds): when a request's last byte arrived and
just before each content event went out, one JSON line per request in --stamps:
{"prompt": ..., "received": ns, "sent": [ns, ...]}. The client's TTFT and inter-chunk gaps
are checked against these.

GET (readiness: /health, /v1/models) answers the model list. With --metrics FILE, GET /metrics
is a FAKE of vLLM's Prometheus endpoint: FILE's text (a recorded vLLM scrape) with the TTFT
histogram's count and sum grown by every request served (10 ms each) and
vllm:num_requests_running the requests in flight now.

usage: instant_llm.py --port PORT [--chunks 64] [--paced] [--stamps FILE] [--metrics FILE]
"""
import argparse
import asyncio
import json
import signal
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--chunks", type=int, default=64)
    parser.add_argument("--paced", action="store_true")
    parser.add_argument("--stamps")
    parser.add_argument("--metrics")
    arguments = parser.parse_args()
    recorded = open(arguments.metrics).read() if arguments.metrics else None
    state = {"served": 0, "in_flight": 0}

    def metrics():
        lines = []
        for line in recorded.splitlines():
            name, _, value = line.rpartition(" ")
            if line.startswith("vllm:time_to_first_token_seconds_count"):
                line = "%s %s" % (name, float(value) + state["served"])
            elif line.startswith("vllm:time_to_first_token_seconds_sum"):
                line = "%s %s" % (name, float(value) + 0.01 * state["served"])
            elif line.startswith("vllm:num_requests_running"):
                line = "%s %s" % (name, float(state["in_flight"]))
            lines.append(line)
        return ("\n".join(lines) + "\n").encode()
    stamps = open(arguments.stamps, "w") if arguments.stamps else None
    chunks = arguments.chunks
    paced = arguments.paced

    def event(payload):
        data = b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"
        return b"%x\r\n%s\r\n" % (len(data), data)

    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: keep-alive\r\n\r\n"
    )

    async def serve(reader, writer):
        try:
            while True:
                request_head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in request_head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = json.loads(await reader.readexactly(length)) if length else {}
                received = time.time_ns()
                if request_head.startswith(b"GET /metrics") and recorded is not None:
                    answer = metrics()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %d\r\n\r\n%s"
                        % (len(answer), answer)
                    )
                    await writer.drain()
                    continue
                if request_head.startswith(b"GET"):
                    # Readiness and the model list, as an OpenAI-compatible server has them.
                    answer = json.dumps({"object": "list", "data": [{"id": "instant", "object": "model"}]}).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                        % (len(answer), answer)
                    )
                    await writer.drain()
                    continue
                chat = b"/chat/" in request_head.split(b"\r\n", 1)[0]
                prompt = body.get("prompt")
                if chat:
                    prompt = "\n".join(m.get("content", "") for m in body.get("messages", []))
                answer = [head]
                sent = []
                for number in range(chunks):
                    choice = {"index": 0, "finish_reason": None}
                    if chat:
                        choice["delta"] = {"content": "tok%d " % number}
                    else:
                        choice["text"] = "tok%d " % number
                    data = event({"id": "instant", "object": "chunk", "model": "instant", "choices": [choice]})
                    if paced:
                        writer.write(b"".join(answer))
                        answer = []
                        sent.append(time.time_ns())
                        writer.write(data)
                    else:
                        answer.append(data)
                last = {"index": 0, "finish_reason": "length"}
                last["delta" if chat else "text"] = {} if chat else ""
                answer.append(
                    event(
                        {
                            "id": "instant",
                            "model": "instant",
                            "choices": [last],
                            "usage": {"prompt_tokens": len(str(prompt).split()), "completion_tokens": chunks},
                        }
                    )
                )
                data = b"data: [DONE]\n\n"
                answer.append(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
                if not paced:
                    sent = [time.time_ns()] * chunks
                state["in_flight"] += 1
                writer.write(b"".join(answer))
                await writer.drain()
                state["in_flight"] -= 1
                state["served"] += 1
                if stamps:
                    stamps.write(json.dumps({"prompt": prompt, "received": received, "sent": sent}) + "\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def run():
        server = await asyncio.start_server(serve, "127.0.0.1", arguments.port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sign in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sign, stop.set)
        async with server:
            await stop.wait()
        if stamps:
            stamps.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
