"""A real HTTP server on 127.0.0.1 for scraper tests: scripted replies, conditional GETs, delays.

Each path answers with its replies in order, the last one repeating; every request is recorded
with its headers and arrival time so tests can check retries, validators and rate limits.
"""

import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/octet-stream"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()  # more headers: Location, Content-Encoding...
    send_length: bool = True  # False: no Content-Length, the body ends when the server closes


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict
    at: float


@dataclass
class LocalServer:
    """Routes to scripted replies; unknown paths (robots.txt too, unless routed) answer 404."""

    routes: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    base_url: str = ""
    Reply = Reply

    def route(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.base_url + path

    def serve_file(self, path: str, file: Path, **reply_options) -> str:
        return self.route(path, Reply(body=file.read_bytes(), **reply_options))

    def seen(self, path: str) -> list[Seen]:
        return [request for request in self.requests if request.path == path]

    def next_reply(self, path: str) -> Reply | None:
        replies = self.routes.get(path)
        if not replies:
            return None
        return replies.pop(0) if len(replies) > 1 else replies[0]


HTTP_DATE = formatdate(1767225600, usegmt=True)  # 2026-01-01 00:00:00 GMT


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (the name http.server calls)
            server.requests.append(Seen(self.path, dict(self.headers), time.monotonic()))
            reply = server.next_reply(self.path)
            if reply is None:
                self._send(404, b"not found", "text/plain")
                return
            time.sleep(reply.delay)
            if self._not_modified(reply):
                self.send_response(304)
                self.end_headers()
                return
            self._send(reply.status, reply.body, reply.content_type, reply)

        def _not_modified(self, reply: Reply) -> bool:
            if reply.status != 200:
                return False
            if reply.etag and self.headers.get("If-None-Match") == reply.etag:
                return True
            return bool(
                reply.last_modified and self.headers.get("If-Modified-Since") == reply.last_modified
            )

        def _send(self, status: int, body: bytes, content_type: str, reply=None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if reply is None or reply.send_length:
                self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers if reply is not None else ():
                self.send_header(name, value)
            if reply is not None and reply.etag:
                self.send_header("ETag", reply.etag)
            if reply is not None and reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (read timeout): what the test wanted

        def log_message(self, *_args) -> None:
            """Quiet: pytest output is for failures."""

    return Handler


def start_server(host: str = "127.0.0.1", port: int = 0) -> tuple[LocalServer, ThreadingHTTPServer]:
    state = LocalServer()
    httpd = ThreadingHTTPServer((host, port), _handler(state))
    httpd.daemon_threads = True
    state.base_url = f"http://{host}:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return state, httpd
