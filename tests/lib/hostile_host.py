"""A hostile artifact host for the tests: a real HTTP server on loopback that drips, floods, announces a huge
body, and serves one path with many queries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DRIP_BYTES = 100  # one byte every DRIP_PAUSE: 20 s in all, far past the 1 s deadline the test sets
DRIP_PAUSE = 0.2
FLOOD_BYTES = 4 * 1024 * 1024
CAP = 256 * 1024


class Host(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/download":
            self._send(("file " + parse_qs(parts.query)["file"][0]).encode())
        elif parts.path == "/drip":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(DRIP_BYTES):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(DRIP_PAUSE)
        elif parts.path == "/flood":  # no Content-Length: the body ends when the connection closes
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"y" * 65536
            for _ in range(FLOOD_BYTES // len(chunk)):
                try:
                    self.wfile.write(chunk)
                except OSError:
                    return
        elif parts.path == "/announced-huge":
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 1024**3))
            self.send_header("Connection", "close")
            self.end_headers()
        else:
            self._send(("body of " + parts.path).encode())


@contextmanager
def serve_host() -> Iterator[str]:
    """The host's base URL (`http://127.0.0.1:PORT`) while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
