# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
# Started from openapi-python-client 0.29.1's `client.py.jinja`; what it adds or changes: safe defaults (production
# base URL, bounded timeouts, retries with backoff, a deadline per call and a response size limit), a client built
# from the environment, settings checked when the client is made, and an API key that never shows in a repr, an
# exception or a log line. Upstream's builder methods are kept, and return independent clients.
"""The clients that hold the connection settings: base URL, API key, timeouts and retries.

The defaults suit unattended jobs such as CI:

- `base_url` is production, `DEFAULT_BASE_URL`.
- `timeout` is `DEFAULT_TIMEOUT`: 10 s to connect, 30 s for each read, write or pool wait.
- `max_retries` is 3. A GET, PUT or DELETE (idempotent) is retried on 429, 502, 503 and 504 and on connection
  errors and timeouts, with exponential backoff and jitter, after the wait that `Retry-After` asks for (seconds
  or an HTTP date), never longer than `max_retry_wait` (60 s). A POST is not idempotent: it is retried only on
  429 and on connection errors that happened before the request was sent (`unsent_retry_policy`), so a request
  that may have reached the API is never sent twice. `max_retries=0` turns retries off. Other 4xx are never
  retried.
- `deadline` is `DEFAULT_DEADLINE`, 120 s: the most one call may take in all, every attempt, every wait between
  attempts and the reading of the body included. Past it the call raises `errors.DeadlineExceededError`, even
  when a server keeps sending a byte at a time. `deadline=None` turns it off.
- `max_response_size` is `DEFAULT_MAX_RESPONSE_SIZE`, 256 MiB, counted after decompression, so a small gzip
  bomb is stopped too. A larger body raises `errors.ResponseTooLargeError`. `max_response_size=None` turns it off.

Every setting is checked when the client is made: a wrong one raises one `ValueError` or `TypeError` naming it.

The API key is sent as `Authorization: Bearer <key>` (or in `auth_header_name`, after `prefix`). Before it goes
over plain `http://` to a host that is not loopback (127.0.0.0/8, ::1, `localhost`), the client warns once with
`errors.InsecureTransportWarning`, which `warnings.filterwarnings` can turn into an error or silence. The key
never appears in a repr or in an exception, even when a server echoes it back.

Importing the package installs a logging filter on the loggers of httpx, httpcore, hpack and httpx-retries. It
applies to the records of every httpx client in the process, this package's or not (the artifact downloads'
too), and it needs no call. It replaces the query string of every URL in a record with `?REDACTED`
(`redact_url_queries`): pre-signed URLs carry their credentials there, and `logging.basicConfig(level=INFO)`
would otherwise print them in httpx's request lines. It also hides the key of every live
`AuthenticatedClient` in their records, such as a reason phrase or a response header that echoes it. What it
cannot hide: the key in
`Response.headers` or `Response.content` a `*_detailed` call returns (the server's data, as it sent it), in
`repr(request.headers)` when `auth_header_name` is not `Authorization` (httpx masks only that header), the key
transformed by a server (encoded, split, reversed), and records of other loggers.
"""

import ipaddress
import logging
import math
import os
import re
import ssl
import sys
import threading
import time
import warnings
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any, Self

import httpx
import httpx_retries
from attrs import define, evolve, field
from httpx_retries import Retry, RetryTransport

from ._errors import (
    DeadlineExceededError,
    InsecureTransportWarning,
    MissingAPIKeyError,
    ResponseTooLargeError,
    hide_secrets,
    request_secrets,
)

DEFAULT_BASE_URL = "https://api.currents.dev/v1"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_RETRY_WAIT = 60.0
DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_RESPONSE_SIZE = 256 * 1024 * 1024
MIN_API_KEY_LENGTH = 8
API_KEY_VARIABLE = "CURRENTS_API_KEY"
BASE_URL_VARIABLE = "CURRENTS_API_URL"

RETRY_STATUSES = (429, 502, 503, 504)
RETRY_METHODS = ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")
# A POST is retried only when the API surely did not act on it: a 429, or no connection at all.
UNSENT_RETRY_STATUSES = (429,)
UNSENT_RETRY_METHODS = ("POST", "PATCH")
UNSENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_HIDDEN = "'<hidden>'"


def _names_only(mapping: dict[str, str]) -> str:
    """Repr of headers or cookies without their values, which may be secrets."""
    return repr(sorted(mapping))


def _check_count(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, not {value}")


def _check_positive(name: str, value: object, *, optional: bool = False, integer: bool = False) -> None:
    if value is None and optional:
        return
    kinds = (int,) if integer else (int, float)
    if not isinstance(value, kinds) or isinstance(value, bool):
        expected = "an int" if integer else "a number of seconds"
        raise TypeError(f"{name} must be {expected}{' or None' if optional else ''}, not {type(value).__name__}")
    if not (0 < value < math.inf):
        raise ValueError(f"{name} must be more than 0 and finite, not {value}")


class _DeadlineRetry(Retry):
    """The retry policy of one call: no wait between attempts lasts past the call's deadline."""

    deadline: float = math.inf

    def increment(self) -> Retry:
        following = super().increment()
        if isinstance(following, _DeadlineRetry):
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


_DEADLINE = "currents_deadline"
_SECRET = "currents_api_key"


def _check_deadline(request: httpx.Request) -> float:
    """The seconds left before the call's deadline; raises DeadlineExceededError when none are."""
    remaining = float(request.extensions.get(_DEADLINE, math.inf)) - time.monotonic()
    if remaining <= 0:
        raise DeadlineExceededError(request, "the call's deadline passed (see the client's `deadline`)")
    return remaining


class _AttemptTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Sends one attempt, with no timeout longer than what is left of the call's deadline."""

    def __init__(self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    @staticmethod
    def _shorten_timeouts(request: httpx.Request) -> None:
        remaining = _check_deadline(request)
        if remaining < math.inf:
            timeouts = dict(request.extensions.get("timeout", {}))
            request.extensions["timeout"] = {
                name: remaining if value is None else min(value, remaining)
                for name, value in {"connect": None, "read": None, "write": None, "pool": None, **timeouts}.items()
            }

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self._transport, httpx.BaseTransport):
            raise RuntimeError("this client's transport cannot send synchronous requests")
        self._shorten_timeouts(request)
        return self._transport.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(self._transport, httpx.AsyncBaseTransport):
            raise RuntimeError("this client's transport cannot send asynchronous requests")
        self._shorten_timeouts(request)
        return await self._transport.handle_async_request(request)

    def close(self) -> None:
        if isinstance(self._transport, httpx.BaseTransport):
            self._transport.close()

    async def aclose(self) -> None:
        if isinstance(self._transport, httpx.AsyncBaseTransport):
            await self._transport.aclose()


class _LimitedResponse(httpx.Response):
    """A response whose body stops at the call's deadline and at `max_response_size` bytes after decoding."""

    max_size: int | None = None

    def __repr__(self) -> str:
        # The reason phrase is the server's: it may echo the key.
        return hide_secrets(super().__repr__(), request_secrets(self.request))

    def _too_large(self) -> ResponseTooLargeError:
        return ResponseTooLargeError(self.request, self.status_code, self.max_size or 0)

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        for chunk in super().iter_raw(chunk_size):
            _check_deadline(self.request)
            yield chunk

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        async for chunk in super().aiter_raw(chunk_size):
            _check_deadline(self.request)
            yield chunk

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        size = 0
        for chunk in super().iter_bytes(chunk_size):
            size += len(chunk)
            if self.max_size is not None and size > self.max_size:
                raise self._too_large()
            yield chunk

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in super().aiter_bytes(chunk_size):
            size += len(chunk)
            if self.max_size is not None and size > self.max_size:
                raise self._too_large()
            yield chunk


def _is_loopback_host(host: str) -> bool:
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


class _PlainHTTPWarning:
    """Warns once (per AuthenticatedClient) before the API key goes over plain http to a host not on loopback."""

    def __init__(self) -> None:
        self._warned = False
        self._lock = threading.Lock()

    def check(self, request: httpx.Request, secret: str) -> None:
        if self._warned or request.url.scheme != "http" or _is_loopback_host(request.url.host):
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


class _LimitsTransport(RetryTransport):
    """The client's transport: retries, a deadline per call across them, a size limit on the body, and the API
    key handed to `errors` so that it can hide it."""

    def __init__(
        self,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
        retry: Retry,
        deadline: float | None,
        max_response_size: int | None,
        secret: str | None,
        plain_http_warning: _PlainHTTPWarning | None = None,
    ) -> None:
        super().__init__(transport=_AttemptTransport(transport), retry=retry)
        self._policy = retry
        self._deadline = deadline
        self._max_response_size = max_response_size
        self._secret = secret
        self._plain_http_warning = plain_http_warning

    def _start(self, request: httpx.Request) -> None:
        if self._secret is not None:
            request.extensions[_SECRET] = self._secret
            if self._plain_http_warning is not None:
                self._plain_http_warning.check(request, self._secret)
        # A policy the call chose for itself (in the request's extensions) is kept; else the client's, copied so
        # that this call's deadline is its own.
        retry = request.extensions.get("retry")
        if not isinstance(retry, Retry):
            retry = self._policy.copy_with()
        if self._deadline is not None:
            # Kept across redirects, which copy the extensions: the deadline is the whole call's.
            deadline = request.extensions.setdefault(_DEADLINE, time.monotonic() + self._deadline)
            if isinstance(retry, _DeadlineRetry):
                retry.deadline = deadline
        request.extensions["retry"] = retry

    def _limited(self, response: httpx.Response) -> httpx.Response:
        limited = _LimitedResponse(
            status_code=response.status_code,
            headers=response.headers,
            stream=response.stream,
            extensions=response.extensions,
        )
        limited.max_size = self._max_response_size
        return limited

    def _check_length(self, request: httpx.Request, response: httpx.Response) -> None:
        # A body that announces its size beyond the limit is refused before any of it is read.
        length = response.headers.get("content-length", "")
        identity = response.headers.get("content-encoding", "identity").strip().lower() == "identity"
        limit = self._max_response_size
        if limit is not None and identity and length.isdigit() and int(length) > limit:
            raise ResponseTooLargeError(request, response.status_code, limit)

    @staticmethod
    def _raise_if_past_deadline(request: httpx.Request, error: httpx.TimeoutException) -> None:
        # A timeout that fired because the call's deadline shortened it is the deadline's.
        try:
            _check_deadline(request)
        except DeadlineExceededError as exceeded:
            raise exceeded from error

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._start(request)
        try:
            response = super().handle_request(request)
        except httpx.TimeoutException as error:
            self._raise_if_past_deadline(request, error)
            raise
        try:
            self._check_length(request, response)
        except ResponseTooLargeError:
            response.close()
            raise
        return self._limited(response)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._start(request)
        try:
            response = await super().handle_async_request(request)
        except httpx.TimeoutException as error:
            self._raise_if_past_deadline(request, error)
            raise
        try:
            self._check_length(request, response)
        except ResponseTooLargeError:
            await response.aclose()
            raise
        return self._limited(response)


# Keyed by id(): a client compares by value, so it is not hashable.
_LIVE_CLIENTS: "weakref.WeakValueDictionary[int, AuthenticatedClient]" = weakref.WeakValueDictionary()
_LIVE_CLIENTS_LOCK = threading.Lock()


# The query string of a URL in a log line: everything from `?` to the next space, quote, `<`, `>` or `#`. A
# pre-signed URL (X-Amz-Signature, X-Goog-Signature, sig=, token=, Signature, Key-Pair-Id, ...) carries its
# credentials there; the scheme, host and path stay. An HTTP/2 `:path` header, as hpack logs it, is one too.
_URL_QUERY = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s?#'\"<>]*|:path', b?'[^'?]*)\?[^\s#'\"<>]*")
REDACTED_QUERY = "?REDACTED"


def redact_url_queries(text: str) -> str:
    """`text` with the query string of every URL in it replaced by `?REDACTED` (scheme, host and path kept),
    as the client's log filter does to the records of httpx, httpcore and httpx-retries."""
    return _URL_QUERY.sub(lambda match: match.group(1) + REDACTED_QUERY, text)


class _HideAPIKeys(logging.Filter):
    """Hides, in a log record, the query string of every URL (pre-signed URLs carry their credentials there) and
    the key of every live AuthenticatedClient, as text and as the repr of bytes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format itself is left to the logging module to report
            return True
        hidden = redact_url_queries(message)
        with _LIVE_CLIENTS_LOCK:
            secrets = [client.token for client in list(_LIVE_CLIENTS.values())]
        if secrets:
            hidden = hide_secrets(hidden, secrets + [repr(s.encode())[2:-1] for s in secrets])
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


# The loggers that can carry a reason phrase or a header of a response: httpx's request line, httpcore's traces,
# hpack's header tables (HTTP/2) and httpx-retries' debug lines.
_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack.hpack",
    "hpack.table",
    "httpx_retries.transport",
    "httpx_retries.retry",
)
_LOG_FILTER = _HideAPIKeys()
for _name in _LOGGERS:
    logging.getLogger(_name).addFilter(_LOG_FILTER)


@define(kw_only=True)
class Client:
    """The connection settings of calls that need no API key, and the httpx clients built from them.

    Attributes:
        base_url: The base URL of the API. Every request goes to a path relative to it.
        timeout: An `httpx.Timeout`. A call raises `errors.APITimeoutError` when it fires.
        max_retries: How many times a GET, PUT or DELETE is retried after a 429, 502, 503 or 504, a connection
            error or a timeout (a POST: after a 429 or a connection error before it was sent). 0 turns retries off.
        max_retry_wait: The longest wait between two attempts, in seconds, whatever `Retry-After` asks for. More
            than 0.
        deadline: The most one call may take, in seconds, across every attempt and wait and the reading of the
            body. `errors.DeadlineExceededError` past it. None turns it off.
        max_response_size: The largest body a call accepts, in bytes after decompression.
            `errors.ResponseTooLargeError` beyond it. None turns it off.
        cookies: Cookies to send with every request.
        headers: Headers to send with every request.
        verify_ssl: Whether to verify the server's TLS certificate, or the CA bundle or `ssl.SSLContext` to verify it
            with. Keep it True in production.
        follow_redirects: Whether to follow redirects.
        httpx_args: More keyword arguments for `httpx.Client` and `httpx.AsyncClient`. A `transport` given here is
            wrapped by the retry layer and the limits, as the default one is. To bypass them, give a whole httpx
            client to `set_httpx_client` instead.
    """

    _base_url: str = field(default=DEFAULT_BASE_URL, alias="base_url")
    _timeout: httpx.Timeout = field(default=DEFAULT_TIMEOUT, alias="timeout")
    max_retries: int = field(default=DEFAULT_MAX_RETRIES)
    max_retry_wait: float = field(default=DEFAULT_MAX_RETRY_WAIT)
    deadline: float | None = field(default=DEFAULT_DEADLINE)
    max_response_size: int | None = field(default=DEFAULT_MAX_RESPONSE_SIZE)
    _cookies: dict[str, str] = field(factory=dict, alias="cookies", repr=_names_only)
    _headers: dict[str, str] = field(factory=dict, alias="headers", repr=_names_only)
    _verify_ssl: str | bool | ssl.SSLContext = field(default=True, alias="verify_ssl", repr=False)
    _follow_redirects: bool = field(default=False, alias="follow_redirects", repr=False)
    _httpx_args: dict[str, Any] = field(factory=dict, alias="httpx_args", repr=False)
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        _check_count("max_retries", self.max_retries)
        _check_positive("max_retry_wait", self.max_retry_wait)
        _check_positive("deadline", self.deadline, optional=True)
        _check_positive("max_response_size", self.max_response_size, optional=True, integer=True)

    def _auth_headers(self) -> dict[str, str]:
        return {}

    def _secret(self) -> str | None:
        return None

    def _plain_http_warning(self) -> _PlainHTTPWarning | None:
        return None

    def _all_headers(self) -> dict[str, str]:
        return {**self._headers, **self._auth_headers()}

    def retry_policy(self) -> Retry:
        """The retry policy every request of this client follows."""
        return _DeadlineRetry(
            total=self.max_retries,
            allowed_methods=RETRY_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=0.5,
            backoff_jitter=1.0,
            max_backoff_wait=self.max_retry_wait,
            respect_retry_after_header=True,
        )

    def unsent_retry_policy(self) -> Retry:
        """The retry policy of a request that is not idempotent (POST): only a 429, or a connection error that
        happened before the request was sent, is retried. The generated endpoint modules attach it per request;
        the call's deadline caps its waits as it does the client's own policy."""
        return _DeadlineRetry(
            total=self.max_retries,
            allowed_methods=UNSENT_RETRY_METHODS,
            status_forcelist=UNSENT_RETRY_STATUSES,
            retry_on_exceptions=UNSENT_ERRORS,
            backoff_factor=0.5,
            backoff_jitter=1.0,
            max_backoff_wait=self.max_retry_wait,
            respect_retry_after_header=True,
        )

    def _client_args(self, inner: httpx.BaseTransport | httpx.AsyncBaseTransport) -> dict[str, Any]:
        args = dict(self._httpx_args)
        inner = args.pop("transport", inner)
        return {
            "base_url": self._base_url,
            "cookies": self._cookies,
            "headers": self._all_headers(),
            "timeout": self._timeout,
            "follow_redirects": self._follow_redirects,
            **args,
            "transport": _LimitsTransport(
                inner,
                retry=self.retry_policy(),
                deadline=self.deadline,
                max_response_size=self.max_response_size,
                secret=self._secret(),
                plain_http_warning=self._plain_http_warning(),
            ),
        }

    # The with_* methods return a new, independent client with its own httpx clients, made on first use; this
    # client and the httpx clients it already made are left as they are.
    def with_headers(self, headers: dict[str, str]) -> Self:
        """A new client matching this one with additional headers; this one is left unchanged."""
        return evolve(self, headers={**self._headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> Self:
        """A new client matching this one with additional cookies; this one is left unchanged."""
        return evolve(self, cookies={**self._cookies, **cookies})

    def with_timeout(self, timeout: httpx.Timeout) -> Self:
        """A new client matching this one with a new timeout configuration; this one is left unchanged."""
        return evolve(self, timeout=timeout)

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Manually set the underlying httpx.Client. It then has none of this client's timeout, retry or auth
        settings unless you gave them to it.

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """Get the underlying httpx.Client, constructing a new one if not previously set"""
        if self._client is None:
            inner = httpx.HTTPTransport(verify=self._verify_ssl)
            self._client = httpx.Client(**self._client_args(inner))
        return self._client

    def __enter__(self) -> Self:
        """Enter a context manager for self.client—you cannot enter twice (see httpx docs)"""
        self.get_httpx_client().__enter__()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for internal httpx.Client (see httpx docs)"""
        self.get_httpx_client().__exit__(*args, **kwargs)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Manually set the underlying httpx.AsyncClient. It then has none of this client's timeout, retry or auth
        settings unless you gave them to it.

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """Get the underlying httpx.AsyncClient, constructing a new one if not previously set"""
        if self._async_client is None:
            inner = httpx.AsyncHTTPTransport(verify=self._verify_ssl)
            self._async_client = httpx.AsyncClient(**self._client_args(inner))
        return self._async_client

    async def __aenter__(self) -> Self:
        """Enter a context manager for underlying httpx.AsyncClient—you cannot enter twice (see httpx docs)"""
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for underlying httpx.AsyncClient (see httpx docs)"""
        await self.get_async_httpx_client().__aexit__(*args, **kwargs)


def _header_safe(text: str) -> bool:
    return text.isascii() and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def _check_token(token: str) -> str:
    # Checked here so that httpx never echoes a key it cannot send in one of its own error messages. The message
    # never quotes the key.
    if not isinstance(token, str):
        raise TypeError(f"token: the API key must be a str, not {type(token).__name__}")
    if not token.strip():
        raise ValueError("token: the API key is empty")
    if not _header_safe(token):
        raise ValueError(
            "token: the API key has characters an HTTP header cannot carry (control or non-ASCII characters)"
        )
    if len(token.strip()) < MIN_API_KEY_LENGTH:
        # A key this short could not be hidden reliably wherever a server echoes it, and is no Currents key.
        raise ValueError(f"token: the API key is shorter than {MIN_API_KEY_LENGTH} characters")
    return token.strip()


# The characters of an HTTP field name (RFC 9110, section 5.6.2).
_TOKEN_CHARACTERS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _check_prefix(_: object, attribute: Any, prefix: object) -> None:
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, not {type(prefix).__name__}")
    if not _header_safe(prefix) or prefix != prefix.strip():
        raise ValueError(
            "prefix must be printable ASCII without control characters or surrounding spaces, like 'Bearer' or ''"
        )


def _check_header_name(_: object, attribute: Any, name: object) -> None:
    if not isinstance(name, str):
        raise TypeError(f"auth_header_name must be a str, not {type(name).__name__}")
    if not name or not set(name) <= _TOKEN_CHARACTERS:
        raise ValueError(f"auth_header_name must be an HTTP header name, like 'Authorization', not {name!r}")


@define(kw_only=True)
class AuthenticatedClient(Client):
    """A client that sends the API key with every request.

    Create one with `AuthenticatedClient(token="...")`, or from the environment with `AuthenticatedClient.from_env()`.
    Every setting of `Client` applies.

    Attributes:
        token: The API key, sent as `Authorization: Bearer <token>`. Never shown in a repr. At least 8 printable
            ASCII characters.
        prefix: The scheme before the key in the header; '' sends the key alone. Printable ASCII.
        auth_header_name: The header that carries the key.
    """

    token: str = field(repr=lambda _: _HIDDEN, converter=_check_token)
    prefix: str = field(default="Bearer", validator=_check_prefix)
    auth_header_name: str = field(default="Authorization", validator=_check_header_name)
    _plain_http: _PlainHTTPWarning = field(factory=_PlainHTTPWarning, init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        with _LIVE_CLIENTS_LOCK:
            _LIVE_CLIENTS[id(self)] = self

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """A client with the API key in `CURRENTS_API_KEY`, and the base URL in `CURRENTS_API_URL` if it is set.

        Keyword arguments are the other settings, as for the constructor.

        Raises:
            errors.MissingAPIKeyError: `CURRENTS_API_KEY` is not set or is empty.
        """
        token = os.environ.get(API_KEY_VARIABLE, "").strip()
        if not token:
            raise MissingAPIKeyError(
                f"{API_KEY_VARIABLE} is not set: set it to a Currents API key (Organization Settings > API Keys)"
            )
        base_url = os.environ.get(BASE_URL_VARIABLE, "").strip()
        if base_url:
            kwargs.setdefault("base_url", base_url)
        return cls(token=token, **kwargs)

    def _auth_headers(self) -> dict[str, str]:
        return {self.auth_header_name: f"{self.prefix} {self.token}" if self.prefix else self.token}

    def _secret(self) -> str | None:
        return self.token

    def _plain_http_warning(self) -> _PlainHTTPWarning | None:
        return self._plain_http
