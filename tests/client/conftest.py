"""Loopback servers for the generated client's tests: a scripted Currents API, a server that drops every
connection, and a raw HTTP server that writes whatever bytes a test gives it (any status line, a byte at a
time, a gzip bomb). Each binds port 0, waits until the port answers, and stops in `finally`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import httpx_retries.retry
import pytest

from contract_tests.mock_api.server import serve_in_thread
from tests.client.scripted_api import ScriptedAPI
from tests.support import free_port

API_KEY = "cur_test_0123456789abcdef-SECRET"


@dataclass
class ScriptedServer:
    api: ScriptedAPI
    base_url: str


@pytest.fixture(scope="session")
def _scripted_server() -> Iterator[ScriptedServer]:
    api = ScriptedAPI()
    with serve_in_thread(api) as base_url:
        yield ScriptedServer(api, base_url)


@pytest.fixture
def server(_scripted_server: ScriptedServer) -> ScriptedServer:
    """The scripted API on loopback, reset for this test: it answers 200 with an empty body until scripted."""
    _scripted_server.api.script()
    return _scripted_server


@dataclass
class DroppingServer:
    """Accepts connections and closes each one at once, without answering; counts them."""

    base_url: str
    accepted: list[int] = field(default_factory=list)


@contextmanager
def serving_connections(handle: Callable[[socket.socket, threading.Event], None]) -> Iterator[int]:
    """A loopback listener on port 0 that passes each connection it accepts, with a stop event, to `handle` in a
    thread of its own; yields the port once it answers, and stops and joins every thread in `finally`.

    The first connection is the readiness probe (the backlog hands connections over in order): it is closed
    unseen, so `handle` sees only the tests' connections."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port: int = listener.getsockname()[1]
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def serve() -> None:
        probed = False
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            if not probed:
                probed = True
                connection.close()
                continue
            connection.settimeout(0.2)
            thread = threading.Thread(target=handle, args=(connection, stop), daemon=True)
            threads.append(thread)
            thread.start()

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
        yield port
    finally:
        stop.set()
        acceptor.join(5)
        for thread in threads:
            thread.join(5)
        listener.close()


@pytest.fixture
def dropping_server() -> Iterator[DroppingServer]:
    state: DroppingServer | None = None

    def drop(connection: socket.socket, stop: threading.Event) -> None:
        assert state is not None  # set before the test can connect
        with connection, suppress(OSError):
            state.accepted.append(1)
            connection.recv(65536)

    with serving_connections(drop) as port:
        state = DroppingServer(f"http://127.0.0.1:{port}/v1")
        yield state


@dataclass
class Waits:
    """The waits the retry layer asked for, in seconds, instead of sleeping them."""

    seconds: list[float] = field(default_factory=list)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    """Record the retry layer's waits (sync and async) instead of sleeping, so tests stay fast and exact."""
    recorded = Waits()

    class Time:
        @staticmethod
        def sleep(seconds: float) -> None:
            recorded.seconds.append(seconds)

    class Asyncio:
        @staticmethod
        async def sleep(seconds: float) -> None:
            recorded.seconds.append(seconds)

    monkeypatch.setattr(httpx_retries.retry, "time", Time)
    monkeypatch.setattr(httpx_retries.retry, "asyncio", Asyncio)
    return recorded


@pytest.fixture
def unused_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    return f"http://127.0.0.1:{free_port()}/v1"


@dataclass
class RawAnswer:
    """The bytes a raw server writes for one request, in chunks, pausing `pause` seconds before each chunk after
    the first, then closing the connection."""

    chunks: Iterable[bytes]
    pause: float = 0.0


def raw_response(status_line: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 response, with Content-Length and Connection: close unless `headers` says otherwise."""
    fields = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "close"}
    fields.update(headers or {})
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return f"HTTP/1.1 {status_line}\r\n{head}\r\n".encode("latin-1") + body


@dataclass
class RawServer:
    """Answers every request with `answer(request_head)`; records each request head it read."""

    base_url: str
    answer: Callable[[bytes], RawAnswer] = lambda _: RawAnswer([raw_response("200 OK", b"{}")])
    requests: list[bytes] = field(default_factory=list)


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    state: RawServer | None = None

    def handle(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            head = b""
            while b"\r\n\r\n" not in head and not stop.is_set():
                try:
                    data = connection.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    return
                head += data
            assert state is not None  # set before the test can connect
            state.requests.append(head)
            answer = state.answer(head)
            try:
                for index, chunk in enumerate(answer.chunks):
                    if index and answer.pause and stop.wait(answer.pause):
                        return
                    connection.sendall(chunk)
            except OSError:  # the client gave up on the response: that is what some tests want
                return

    with serving_connections(handle) as port:
        state = RawServer(f"http://127.0.0.1:{port}/v1")
        yield state
