"""Run an ASGI app under uvicorn on a socket bound here, in the foreground or in a background thread.

Scope: `bind` binds a TCP socket (port 0 picks a free port, and the socket says which);
`serve_in_thread` runs uvicorn on it in a daemon thread for pytest fixtures and `make contract`,
yields the base URL once the port answers, and stops uvicorn on exit; `serve_forever` runs it in
the calling (main) thread until SIGINT/SIGTERM.

Limits: plain HTTP (no TLS), one socket, one uvicorn worker; the app must be mounted at `/`
(the URL ends in `/v1`, the spec's server base path). Startup fails with `RuntimeError` if
uvicorn stops or the port does not answer within `STARTUP_TIMEOUT` seconds.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

BASE_PATH = "/v1"
STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0
POLL_INTERVAL = 0.02
BACKLOG = 128


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) and listening, for uvicorn to serve. Raises OSError.

    It listens at once, so connections made before uvicorn has started wait in the backlog
    instead of being refused. The connections it accepts have TCP_NODELAY set (by asyncio)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default protocol 0: asyncio sets TCP_NODELAY only on accepted sockets whose
    # `proto` says TCP. Without it every keep-alive response waited about 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """`http://HOST:PORT/v1` for a bound socket, with the port it actually got."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if sock.family == socket.AF_INET6 else host
    return f"http://{shown}:{port}{BASE_PATH}"


class Server(uvicorn.Server):
    """uvicorn's server that also stops for a signal that came before it took SIGINT and SIGTERM over.

    `stop` is set by the caller's own signal handler (`__main__`); uvicorn replaces that handler while it
    serves and puts it back afterwards, so checking `stop` once its own handlers are in place leaves no gap.
    """

    def __init__(self, config: uvicorn.Config, stop: threading.Event | None = None) -> None:
        super().__init__(config)
        self.stop = stop

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            if self.stop is not None and self.stop.is_set():
                self.should_exit = True
            yield


# uvicorn answers a request it cannot parse with 400 itself, and warns. schemathesis's capability probe sends one
# on purpose at the start of every run (a NUL byte in a header), so the warning made a passing `make contract`
# look broken. The 400 is still sent, and everything else uvicorn says is still logged.
UNPARSABLE_REQUEST = "Invalid HTTP request received."


class DropUnparsableRequestWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != UNPARSABLE_REQUEST


def make_server(app: Any, host: str, port: int, stop: threading.Event | None = None) -> Server:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    errors = logging.getLogger("uvicorn.error")  # after uvicorn.Config, which sets up uvicorn's loggers
    if not any(isinstance(f, DropUnparsableRequestWarning) for f in errors.filters):
        errors.addFilter(DropUnparsableRequestWarning())
    return Server(config, stop)


def port_answers(sock: socket.socket, timeout: float) -> bool:
    """Whether a TCP connection to the socket's address succeeds within `timeout` seconds."""
    host, port = sock.getsockname()[:2]
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until_ready(server: uvicorn.Server, thread: threading.Thread, sock: socket.socket) -> None:
    """Return once uvicorn has started and the port answers; RuntimeError if it dies or takes too long."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not (server.started and port_answers(sock, timeout=0.5)):
        if not thread.is_alive():
            raise RuntimeError("the mock server stopped during startup; see uvicorn's log above")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the mock server did not answer on {base_url(sock)} within {STARTUP_TIMEOUT:g} s")
        time.sleep(POLL_INTERVAL)


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` in a background thread while the block runs; yields the base URL (`.../v1`)."""
    sock = bind(host, port)
    server = make_server(app, host, port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="mock-api", daemon=True)
    try:
        thread.start()
        wait_until_ready(server, thread, sock)
        yield base_url(sock)
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(SHUTDOWN_TIMEOUT)
        sock.close()


def serve_forever(app: Any, sock: socket.socket, access_log: bool = True, stop: threading.Event | None = None) -> None:
    """Serve `app` on `sock` in this thread until SIGINT/SIGTERM (uvicorn handles both), or at once if
    `stop` is set already (a signal the caller's handler recorded before uvicorn took over).

    uvicorn re-raises a captured signal after its graceful shutdown, to the handler it found: with the
    default SIGINT handler, Ctrl-C then ends this call with KeyboardInterrupt; with a handler that only
    records the signal (the mock's `__main__`), this call returns. `access_log` logs one line per
    request on standard output (uvicorn's access log).
    """
    host, port = sock.getsockname()[:2]
    server = make_server(app, host, port, stop)
    if access_log:  # after make_server: uvicorn.Config sets the logger levels
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
