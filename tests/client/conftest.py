"""Loopback servers for the generated client's tests: a scripted Currents API, and a server that drops
every connection. Both bind port 0, wait until the port answers, and stop in `finally`."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx_retries.retry
import pytest

from contract_tests.mock_api.server import serve_in_thread
from tests.client.scripted_api import ScriptedAPI

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


@pytest.fixture
def dropping_server() -> Iterator[DroppingServer]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    state = DroppingServer(f"http://127.0.0.1:{port}/v1")
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            state.accepted.append(1)
            connection.recv(65536)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        state.accepted.clear()
        yield state
    finally:
        stop.set()
        thread.join(5)
        listener.close()


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
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
