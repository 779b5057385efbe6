#!/usr/bin/env python3
"""Fake AgentCore service for local SynapScribe runs and tests (stdlib only).

Endpoints:
  POST /query      JSON {"lectureId", "question", ...} -> application/x-ndjson stream:
                   {"type":"token","text":...} (several), then
                   {"type":"answer","text":<full answer>,"sources":[...]}, then {"type":"done"}
  GET  /health     {"status":"ok", ...}
  GET  /_requests  every request received so far (method, path, headers, body)
  DELETE /_requests  forget recorded requests

Answers are deterministic: the same question and lecture always give the same answer. Markers in
the question trigger failure modes for tests:
  "[fail]"       -> HTTP 500 with a JSON error body, no stream
  "[midstream]"  -> one token, then {"type":"error","message":...} and the stream ends
  "[slow]"       -> 0.25 s between lines

The server only ever binds 127.0.0.1. With --port 0 the OS picks a port; in every case it prints
"AGENTCORE_READY http://127.0.0.1:PORT" on stdout once it accepts connections.
"""

import argparse
import hashlib
import json
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"
MAX_BODY_BYTES = 1024 * 1024


def deterministic_answer(question, lecture_id):
    """Build the answer text and its sources from the question (stable across runs)."""
    digest = hashlib.sha256(f"{lecture_id}\n{question}".encode("utf-8")).hexdigest()
    start = int(digest[:4], 16) % 3000
    topic = question.strip().rstrip("?.!") or "this lecture"
    answer = (
        f"According to lecture {lecture_id}, the part about \"{topic}\" is covered "
        f"around minute {start // 60}. Key point {digest[:8]}: review that section for details."
    )
    sources = [
        {"lectureId": lecture_id, "startSeconds": start, "endSeconds": start + 45},
        {"lectureId": lecture_id, "startSeconds": start + 120, "endSeconds": start + 150},
    ]
    return answer, sources


def split_tokens(text, count=4):
    """Split text into about `count` chunks whose concatenation is exactly `text`."""
    words = text.split(" ")
    size = max(1, -(-len(words) // count))
    chunks = [" ".join(words[i:i + size]) for i in range(0, len(words), size)]
    return [chunk + (" " if index < len(chunks) - 1 else "") for index, chunk in enumerate(chunks)]


class RequestLog:
    """Thread-safe record of received requests."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def add(self, entry):
        with self._lock:
            self._entries.append(entry)

    def snapshot(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()


class AgentCoreHandler(BaseHTTPRequestHandler):
    """HTTP handler; configuration lives on the server object."""

    protocol_version = "HTTP/1.1"
    server_version = "AgentCoreFake/1.0"

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by BaseHTTPRequestHandler
        if not self.server.quiet:
            sys.stderr.write(f"agentcore-fake: {self.address_string()} {format % args}\n")

    # ------------------------------------------------------------------ helpers

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _record(self, raw_body):
        text = raw_body.decode("utf-8", errors="replace")
        try:
            body = json.loads(text) if text else None
        except json.JSONDecodeError:
            body = text
        self.server.requests.add({
            "method": self.command,
            "path": self.path,
            "headers": {key: value for key, value in self.headers.items()},
            "body": body,
            "receivedAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        })
        return body

    def _send_json(self, status, payload):
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_chunk(self, payload):
        line = (json.dumps(payload) + "\n").encode("utf-8")
        self.wfile.write(f"{len(line):x}\r\n".encode("ascii") + line + b"\r\n")
        self.wfile.flush()

    # ------------------------------------------------------------------ routes

    def do_GET(self):
        if self.path == "/health":
            self._send_json(200, {"status": "ok", "service": "agentcore-fake",
                                  "requestCount": len(self.server.requests.snapshot())})
        elif self.path == "/_requests":
            self._send_json(200, {"requests": self.server.requests.snapshot()})
        else:
            self._send_json(404, {"error": "NotFound", "message": f"No route for GET {self.path}"})

    def do_DELETE(self):
        if self.path == "/_requests":
            self.server.requests.clear()
            self._send_json(200, {"cleared": True})
        else:
            self._send_json(404, {"error": "NotFound", "message": f"No route for DELETE {self.path}"})

    def do_POST(self):
        try:
            raw = self._read_body()
        except ValueError as error:
            self._send_json(413, {"error": "PayloadTooLarge", "message": str(error)})
            return
        body = self._record(raw)
        if self.path != "/query":
            self._send_json(404, {"error": "NotFound", "message": f"No route for POST {self.path}"})
            return
        if not isinstance(body, dict) or not isinstance(body.get("question"), str) or not body["question"].strip():
            self._send_json(400, {"error": "BadRequest", "message": "JSON body with a non-empty 'question' is required"})
            return
        question = body["question"]
        lecture_id = str(body.get("lectureId") or "none")
        if "[fail]" in question:
            self._send_json(500, {"error": "InternalError", "message": "AgentCore failed to answer (requested by [fail])"})
            return

        delay = 0.25 if "[slow]" in question else self.server.token_delay
        answer, sources = deterministic_answer(question, lecture_id)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            tokens = split_tokens(answer)
            if "[midstream]" in question:
                self._send_chunk({"type": "token", "text": tokens[0]})
                self._send_chunk({"type": "error", "message": "AgentCore lost its model backend (requested by [midstream])"})
            else:
                for token in tokens:
                    self._send_chunk({"type": "token", "text": token})
                    if delay:
                        time.sleep(delay)
                self._send_chunk({"type": "answer", "text": answer, "sources": sources})
                self._send_chunk({"type": "done"})
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class AgentCoreServer(ThreadingHTTPServer):
    """Threaded server carrying the shared request log and options."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, token_delay, quiet):
        super().__init__((LOOPBACK, port), AgentCoreHandler)
        self.requests = RequestLog()
        self.token_delay = token_delay
        self.quiet = quiet


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fake AgentCore for SynapScribe local runs")
    parser.add_argument("--host", default=LOOPBACK, help="must be 127.0.0.1 (the only address this fake binds)")
    parser.add_argument("--port", type=int, default=5000, help="TCP port; 0 lets the OS pick one")
    parser.add_argument("--token-delay", type=float, default=0.02, help="seconds between streamed token lines")
    parser.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    args = parser.parse_args(argv)

    if args.host != LOOPBACK:
        parser.error(f"refusing to bind {args.host!r}: the fake AgentCore only listens on {LOOPBACK}")
    if not 0 <= args.port <= 65535:
        parser.error(f"invalid port {args.port}")

    server = AgentCoreServer(args.port, max(0.0, args.token_delay), args.quiet)
    port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"AGENTCORE_READY http://{LOOPBACK}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
