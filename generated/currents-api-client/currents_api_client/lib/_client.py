# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
# Started from openapi-python-client 0.29.1's `client.py.jinja`; what it adds or changes: safe defaults (production
# base URL, bounded timeouts, retries with backoff, a deadline per call and a response size limit), a client built
# from the environment, settings checked when the client is made, and an API key that never shows in a repr, an
# exception or a log line. Upstream's builder methods are kept, and return independent clients.
# This module holds the clients, their settings and the checks of them; how a call is sent (retries, the deadline,
# the size limit, sync and async) is `_transports.py`, how the key is kept out of reprs, exceptions and log records
# is `_redaction.py`.
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

import math
import os
import ssl
from typing import Any, Self

import httpx
from attrs import define, evolve, field
from httpx_retries import Retry

from . import _redaction, _transports
from ._errors import MissingAPIKeyError
from ._redaction import REDACTED_QUERY as REDACTED_QUERY  # importable from `client`, as before the split
from ._redaction import redact_url_queries as redact_url_queries

# isort: split
# The names this module imported before its transports and redaction moved out, kept importable from `client`
# (whose star import passes on every public name here, and `make breaking` counts each): the API is unchanged.
import ipaddress as ipaddress
import logging as logging
import re as re
import sys as sys
import threading as threading
import time as time
import warnings as warnings
import weakref as weakref
from collections.abc import AsyncIterator as AsyncIterator
from collections.abc import Iterator as Iterator

import httpx_retries as httpx_retries
from httpx_retries import RetryTransport as RetryTransport

from ._errors import DeadlineExceededError as DeadlineExceededError
from ._errors import InsecureTransportWarning as InsecureTransportWarning
from ._errors import ResponseTooLargeError as ResponseTooLargeError
from ._redaction import hide_secrets as hide_secrets
from ._redaction import request_secrets as request_secrets

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
    _cookies: dict[str, str] = field(factory=dict, alias="cookies", repr=_redaction.names_only)
    _headers: dict[str, str] = field(factory=dict, alias="headers", repr=_redaction.names_only)
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

    def _plain_http_warning(self) -> _transports.PlainHTTPWarning | None:
        return None

    def _all_headers(self) -> dict[str, str]:
        return {**self._headers, **self._auth_headers()}

    def retry_policy(self) -> Retry:
        """The retry policy every request of this client follows."""
        return _transports.DeadlineRetry(
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
        return _transports.DeadlineRetry(
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
            "transport": _transports.LimitsTransport(
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

    token: str = field(repr=lambda _: _redaction.HIDDEN_REPR, converter=_check_token)
    prefix: str = field(default="Bearer", validator=_check_prefix)
    auth_header_name: str = field(default="Authorization", validator=_check_header_name)
    _plain_http: _transports.PlainHTTPWarning = field(
        factory=_transports.PlainHTTPWarning, init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _redaction.hide_key_in_logs(self)

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

    def _plain_http_warning(self) -> _transports.PlainHTTPWarning | None:
        return self._plain_http
