"""A FAKE Ollama server for the Ollama client tests (no real Ollama can be installed
here). It follows Ollama's documented API: GET /api/tags and /api/version, POST
/api/generate and /api/chat streaming newline-delimited JSON (one object per token, then a
final object with "done": true and the server-side counts and nanosecond durations), or
one JSON object with "stream": false.

The prompt steers it, for failure tests: "FAIL500" answers HTTP 500, "FLAKY<n>" answers
HTTP 500 to the first n such requests the server sees and normally after that, "CUT" closes
the stream after two tokens without the final object, "HANG" never answers. Tokens come
25 ms apart.
usage: fake_ollama.py PORT
"""
import http.server
import json
import re
import sys
import threading
import time

MODEL = "fake-llama:1b"
FLAKY_SEEN = [0]
FLAKY_LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send_json(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/api/tags":
            self.send_json(200, {"models": [{"name": MODEL, "model": MODEL}]})
        elif self.path == "/api/version":
            self.send_json(200, {"version": "0.0.0-fake"})
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        chat = self.path == "/api/chat"
        if self.path not in ("/api/generate", "/api/chat"):
            return self.send_json(404, {"error": "not found"})
        prompt = request["messages"][-1]["content"] if chat else request.get("prompt", "")
        if "FAIL500" in prompt:
            return self.send_json(500, {"error": "model runner crashed"})
        flaky = re.search(r"FLAKY(\d+)", prompt)
        if flaky:
            with FLAKY_LOCK:
                FLAKY_SEEN[0] += 1
                failing = FLAKY_SEEN[0] <= int(flaky.group(1))
            if failing:
                return self.send_json(500, {"error": "model runner busy"})
        if "HANG" in prompt:
            time.sleep(3600)
            return
        tokens = int(request.get("options", {}).get("num_predict", 8))
        prompt_tokens = len(prompt.split())
        started = time.monotonic_ns()

        def piece(text, done=False):
            item = {"model": MODEL, "created_at": "2026-01-01T00:00:00Z", "done": done}
            if chat:
                item["message"] = {"role": "assistant", "content": text}
            else:
                item["response"] = text
            return item

        final = piece("", True)
        final.update({
            "done_reason": "length", "prompt_eval_count": prompt_tokens, "eval_count": tokens,
            "load_duration": 1000000, "prompt_eval_duration": 2000000, "eval_duration": 25000000 * tokens,
        })
        if not request.get("stream", True):
            time.sleep(0.025 * tokens)
            whole = piece("tok " * tokens, True)
            whole.update({k: v for k, v in final.items() if k not in whole})
            whole["total_duration"] = time.monotonic_ns() - started
            return self.send_json(200, whole)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def write(item):
            line = (json.dumps(item) + "\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()

        for index in range(tokens):
            time.sleep(0.025)
            write(piece("tok "))
            if "CUT" in prompt and index == 1:
                time.sleep(0.3)  # let the client read both chunks before the connection closes
                self.close_connection = True
                return
        final["total_duration"] = time.monotonic_ns() - started
        write(final)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
