"""Limits for unattended jobs, against real loopback servers: a deadline per call, across its retries and the
reading of the body, and a maximum body size counted after decompression. Each raises its typed error. No test
asserts on timing: each only needs the limit to be reached before the server's behaviour would have ended."""

from __future__ import annotations

import asyncio
import functools
import json
import zlib
from collections.abc import Iterator

import httpx
import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance

from tests.client.conftest import API_KEY, RawAnswer, RawServer, ScriptedServer, Waits
from tests.client.scripted_api import Reply, failed
from tests.support import seed_body

MIB = 1024 * 1024
OK_BODY = json.dumps(seed_body("playwright-instance")).encode()


def call(base_url: str, mode: str, detailed: bool = False, **settings: object) -> object:
    """One get_instance call, sync or async, with a fresh client of these settings."""
    name = ("asyncio" if mode == "async" else "sync") + ("_detailed" if detailed else "")
    endpoint = getattr(get_instance, name)
    client = AuthenticatedClient(token=API_KEY, base_url=base_url, **settings)  # type: ignore[arg-type]
    if mode == "sync":
        with client:
            return endpoint("x", client=client)

    async def run() -> object:
        async with client:
            return await endpoint("x", client=client)

    return asyncio.run(run())


def drip(chunks: int) -> RawAnswer:
    """A 200 that announces a body and then sends it a byte every 0.1 s, `chunks` times, and stops short."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    return RawAnswer([head, *([b" "] * chunks)], pause=0.1)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_server_that_drips_the_body_is_stopped_by_the_deadline(raw_server: RawServer, mode: str) -> None:
    # Every byte arrives well within the read timeout; without a deadline the call lasts the whole 30 s drip.
    raw_server.answer = lambda _: drip(300)
    with pytest.raises(errors.DeadlineExceededError) as raised:
        call(raw_server.base_url, mode, deadline=1.0, timeout=httpx.Timeout(10.0))
    assert isinstance(raised.value, errors.APITimeoutError)
    assert "the call's deadline passed" in str(raised.value)
    assert API_KEY not in str(raised.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_deadline_covers_every_attempt_of_a_silent_server(raw_server: RawServer, mode: str) -> None:
    # A server that reads the request and never answers: with a 10 s read timeout and 3 retries the call would
    # last 40 s; the deadline shortens each attempt's timeouts to what is left of it.
    raw_server.answer = lambda _: RawAnswer([b""] * 400, pause=0.1)
    with pytest.raises(errors.DeadlineExceededError) as raised:
        call(raw_server.base_url, mode, deadline=1.0, timeout=httpx.Timeout(10.0), max_retries=3)
    assert isinstance(raised.value.__cause__, httpx.TimeoutException) or raised.value.__cause__ is None


def test_no_wait_between_attempts_lasts_past_the_deadline(server: ScriptedServer, waits: Waits) -> None:
    # The waits are recorded, not slept, so the deadline is far from passed when each is asked for.
    server.api.script(failed(503, "down", {"Retry-After": "50"}))
    with pytest.raises(errors.ServerError):
        call(server.base_url, "sync", deadline=30.0, max_retry_wait=60.0)
    assert len(waits.seconds) == 3
    assert all(0 < wait <= 30.0 for wait in waits.seconds)


def test_the_detailed_calls_raise_at_the_deadline_too(raw_server: RawServer) -> None:
    raw_server.answer = lambda _: drip(300)
    with pytest.raises(errors.DeadlineExceededError):
        call(raw_server.base_url, "sync", detailed=True, deadline=1.0, timeout=httpx.Timeout(10.0))


def test_without_a_deadline_a_slow_but_complete_body_is_read(raw_server: RawServer) -> None:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(OK_BODY)}\r\n\r\n"
    half = len(OK_BODY) // 2
    raw_server.answer = lambda _: RawAnswer([head.encode(), OK_BODY[:half], OK_BODY[half:]], pause=0.2)
    result = call(raw_server.base_url, "sync", deadline=None)
    assert type(result).__name__ == "InstanceResponse"


def big_json(size: int) -> bytes:
    return b"[" + b"0," * (size // 2) + b"0]"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_body_announced_larger_than_the_limit_is_refused(raw_server: RawServer, mode: str) -> None:
    body = big_json(2 * MIB)
    raw_server.answer = lambda _: RawAnswer([f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode(), body])
    with pytest.raises(errors.ResponseTooLargeError) as raised:
        call(raw_server.base_url, mode, max_response_size=MIB)
    assert raised.value.limit == MIB and raised.value.status_code == 200
    assert str(raised.value).endswith(
        "200 OK: the body is larger than max_response_size, 1,048,576 bytes after decompression"
    )


def chunked(body: bytes, size: int = 65536) -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_body_of_unannounced_length_is_stopped_at_the_limit(raw_server: RawServer, mode: str) -> None:
    body = big_json(3 * MIB)
    raw_server.answer = lambda _: RawAnswer(chunked(body))
    with pytest.raises(errors.ResponseTooLargeError):
        call(raw_server.base_url, mode, max_response_size=MIB)


@functools.cache
def gzip_bomb(decoded_size: int = 64 * MIB) -> bytes:
    """`decoded_size` bytes of JSON whitespace, gzip-compressed to about a thousandth of that."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * MIB
    parts = [compressor.compress(block) for _ in range(decoded_size // MIB)]
    return b"".join([*parts, compressor.flush()])


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_gzip_bomb_is_stopped_at_the_limit_counted_after_decompression(raw_server: RawServer, mode: str) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < MIB // 4  # small on the wire: only counting after decompression catches it
    raw_server.answer = lambda _: RawAnswer(
        [f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(bomb)}\r\n\r\n".encode(), bomb]
    )
    with pytest.raises(errors.ResponseTooLargeError):
        call(raw_server.base_url, mode, max_response_size=4 * MIB)


def test_a_compressed_body_within_the_limit_decodes(raw_server: RawServer) -> None:
    body = zlib.compress(OK_BODY, wbits=31)
    raw_server.answer = lambda _: RawAnswer(
        [f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(body)}\r\n\r\n".encode(), body]
    )
    result = call(raw_server.base_url, "sync", max_response_size=len(OK_BODY))
    assert type(result).__name__ == "InstanceResponse"


def test_a_body_exactly_at_the_limit_is_accepted_and_one_byte_more_is_not(server: ScriptedServer) -> None:
    server.api.script(Reply(200, OK_BODY))
    assert type(call(server.base_url, "sync", max_response_size=len(OK_BODY))).__name__ == "InstanceResponse"
    with pytest.raises(errors.ResponseTooLargeError):
        call(server.base_url, "sync", max_response_size=len(OK_BODY) - 1)
