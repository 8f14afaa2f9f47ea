# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The httpx transports of the clients: how one call is sent, synchronously or not.

`LimitsTransport` is the transport every httpx client of a `Client` gets. Around httpx-retries' `RetryTransport`
it sets each call's retry policy (`DeadlineRetry`: no wait between attempts lasts past the deadline) and its
deadline, hands the API key to `errors` (through the request's extensions) so that it can hide it, warns once
before the key goes over plain http to a host not on loopback (`PlainHTTPWarning`), refuses a body that
announces a size over the limit, and returns a `LimitedResponse`, whose body stops at the deadline and at the
size limit. Below the retries, `AttemptTransport` shortens each attempt's timeouts to what is left of the
deadline.

Each of them decides once, in one function, and has two thin shells, the sync one and the async one, that differ
only in how they wait.
"""

from __future__ import annotations

import ipaddress
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import httpx
import httpx_retries
from httpx_retries import Retry, RetryTransport

from ._errors import DeadlineExceededError, InsecureTransportWarning, ResponseTooLargeError
from ._redaction import KEY_EXTENSION, hide_secrets, request_secrets

DEADLINE_EXTENSION = "currents_deadline"

_Transport = TypeVar("_Transport", httpx.BaseTransport, httpx.AsyncBaseTransport)


class DeadlineRetry(Retry):
    """The retry policy of one call: no wait between attempts lasts past the call's deadline."""

    deadline: float = math.inf

    def increment(self) -> Retry:
        following = super().increment()
        if isinstance(following, DeadlineRetry):
            following.deadline = self.deadline
        return following

    def _capped(self) -> Retry | None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return None  # the next attempt raises DeadlineExceededError at once
        return self.copy_with(max_backoff_wait=min(self.max_backoff_wait, remaining))

    def sleep(self, response: httpx.Response | Exception) -> None:
        capped = self._capped()
        if capped is not None:
            Retry.sleep(capped, response)
            self.elapsed_sleep = capped.elapsed_sleep

    async def asleep(self, response: httpx.Response | Exception) -> None:
        capped = self._capped()
        if capped is not None:
            await Retry.asleep(capped, response)
            self.elapsed_sleep = capped.elapsed_sleep


def check_deadline(request: httpx.Request) -> float:
    """The seconds left before the call's deadline; raises DeadlineExceededError when none are."""
    remaining = float(request.extensions.get(DEADLINE_EXTENSION, math.inf)) - time.monotonic()
    if remaining <= 0:
        raise DeadlineExceededError(request, "the call's deadline passed (see the client's `deadline`)")
    return remaining


def _shorten_timeouts(request: httpx.Request) -> None:
    """No timeout of `request` longer than what is left of the call's deadline."""
    remaining = check_deadline(request)
    if remaining < math.inf:
        timeouts = dict(request.extensions.get("timeout", {}))
        request.extensions["timeout"] = {
            name: remaining if value is None else min(value, remaining)
            for name, value in {"connect": None, "read": None, "write": None, "pool": None, **timeouts}.items()
        }


class AttemptTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Sends one attempt, with no timeout longer than what is left of the call's deadline."""

    def __init__(self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    def _prepared(self, request: httpx.Request, kind: type[_Transport], mode: str) -> _Transport:
        """The wrapped transport, when it is of `kind`, with `request`'s timeouts shortened to the deadline."""
        transport = self._transport
        if not isinstance(transport, kind):
            raise RuntimeError(f"this client's transport cannot send {mode} requests")
        _shorten_timeouts(request)
        return transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._prepared(request, httpx.BaseTransport, "synchronous").handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._prepared(request, httpx.AsyncBaseTransport, "asynchronous").handle_async_request(request)

    def close(self) -> None:
        if isinstance(self._transport, httpx.BaseTransport):
            self._transport.close()

    async def aclose(self) -> None:
        if isinstance(self._transport, httpx.AsyncBaseTransport):
            await self._transport.aclose()


class LimitedResponse(httpx.Response):
    """A response whose body stops at the call's deadline and at `max_size` bytes after decoding."""

    max_size: int | None = None

    def __repr__(self) -> str:
        # The reason phrase is the server's: it may echo the key.
        return hide_secrets(super().__repr__(), request_secrets(self.request))

    def _size_counter(self) -> Callable[[bytes], bytes]:
        """A function that passes each decoded chunk of one reading through, and raises ResponseTooLargeError
        once they add up to more than `max_size`."""
        size = 0

        def counted(chunk: bytes) -> bytes:
            nonlocal size
            size += len(chunk)
            if self.max_size is not None and size > self.max_size:
                raise ResponseTooLargeError(self.request, self.status_code, self.max_size)
            return chunk

        return counted

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        for chunk in super().iter_raw(chunk_size):
            check_deadline(self.request)
            yield chunk

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        async for chunk in super().aiter_raw(chunk_size):
            check_deadline(self.request)
            yield chunk

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        counted = self._size_counter()
        for chunk in super().iter_bytes(chunk_size):
            yield counted(chunk)

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        counted = self._size_counter()
        async for chunk in super().aiter_bytes(chunk_size):
            yield counted(chunk)


def is_loopback_host(host: str) -> bool:
    """Whether `host` (as `httpx.URL.host` gives it) is this machine: `localhost`, 127.0.0.0/8 or ::1 (also as
    an IPv4-mapped address)."""
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


# The frames of this package (the whole of it: this module lives in its lib/) and of the HTTP stack below it: a
# warning points at the first frame outside them.
_OWN_FRAMES = tuple(
    os.path.dirname(module.__file__ or "") + os.sep
    for module in (sys.modules[(__package__ or "__main__").partition(".")[0]], httpx, httpx_retries)
)


def _caller_stacklevel() -> int:
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_OWN_FRAMES):
        level, frame = level + 1, frame.f_back
    return level


class PlainHTTPWarning:
    """Warns once (per AuthenticatedClient) before the API key goes over plain http to a host not on loopback."""

    def __init__(self) -> None:
        self._warned = False
        self._lock = threading.Lock()

    def check(self, request: httpx.Request, secret: str) -> None:
        if self._warned or request.url.scheme != "http" or is_loopback_host(request.url.host):
            return
        if not any(secret in value for value in request.headers.values()):
            return  # not this request: httpx drops the key on a redirect to another host
        with self._lock:
            if self._warned:
                return
            self._warned = True
        warnings.warn(
            InsecureTransportWarning(
                f"the API key is sent over plain http to {request.url.host!r}, where anyone on the way can read it: "
                "use an https:// base URL (this client warns once)"
            ),
            stacklevel=_caller_stacklevel(),
        )


class LimitsTransport(RetryTransport):
    """The client's transport: retries, a deadline per call across them, a size limit on the body, and the API
    key handed to `errors` so that it can hide it."""

    def __init__(
        self,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
        retry: Retry,
        deadline: float | None,
        max_response_size: int | None,
        secret: str | None,
        plain_http_warning: PlainHTTPWarning | None = None,
    ) -> None:
        super().__init__(transport=AttemptTransport(transport), retry=retry)
        self._policy = retry
        self._deadline = deadline
        self._max_response_size = max_response_size
        self._secret = secret
        self._plain_http_warning = plain_http_warning

    def _start(self, request: httpx.Request) -> None:
        """The call's key, plain-http warning, retry policy and deadline. The shells call it themselves, outside
        any context manager: the warning points at the first frame outside this package, and contextlib's is one."""
        if self._secret is not None:
            request.extensions[KEY_EXTENSION] = self._secret
            if self._plain_http_warning is not None:
                self._plain_http_warning.check(request, self._secret)
        # A policy the call chose for itself (in the request's extensions) is kept; else the client's, copied so
        # that this call's deadline is its own.
        retry = request.extensions.get("retry")
        if not isinstance(retry, Retry):
            retry = self._policy.copy_with()
        if self._deadline is not None:
            # Kept across redirects, which copy the extensions: the deadline is the whole call's.
            deadline = request.extensions.setdefault(DEADLINE_EXTENSION, time.monotonic() + self._deadline)
            if isinstance(retry, DeadlineRetry):
                retry.deadline = deadline
        request.extensions["retry"] = retry

    @staticmethod
    @contextmanager
    def _deadline_errors(request: httpx.Request) -> Iterator[None]:
        """A timeout that fired because the call's deadline shortened it leaves as the deadline's
        DeadlineExceededError."""
        try:
            yield
        except httpx.TimeoutException as error:
            try:
                check_deadline(request)
            except DeadlineExceededError as exceeded:
                raise exceeded from error
            raise

    def _refusal(self, request: httpx.Request, response: httpx.Response) -> ResponseTooLargeError | None:
        """The error of a body that announces its size beyond the limit: it is refused before any of it is read."""
        length = response.headers.get("content-length", "")
        identity = response.headers.get("content-encoding", "identity").strip().lower() == "identity"
        limit = self._max_response_size
        if limit is not None and identity and length.isdigit() and int(length) > limit:
            return ResponseTooLargeError(request, response.status_code, limit)
        return None

    def _limited(self, response: httpx.Response) -> httpx.Response:
        limited = LimitedResponse(
            status_code=response.status_code,
            headers=response.headers,
            stream=response.stream,
            extensions=response.extensions,
        )
        limited.max_size = self._max_response_size
        return limited

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._start(request)
        with self._deadline_errors(request):
            response = super().handle_request(request)
        if (refused := self._refusal(request, response)) is not None:
            response.close()
            raise refused
        return self._limited(response)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._start(request)
        with self._deadline_errors(request):
            response = await super().handle_async_request(request)
        if (refused := self._refusal(request, response)) is not None:
            await response.aclose()
            raise refused
        return self._limited(response)
