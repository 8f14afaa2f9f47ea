# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""How the API key and pre-signed URLs are kept out of reprs, exception texts and log records.

- `hide_secrets(text, secrets)` and `request_secrets(request)`: what `errors` and the transports use to hide a
  request's key in any text built from a response (a reason phrase, an error body, a repr).
- `KEY_EXTENSION`: the request extension the client's transport hands the key in, so that `request_secrets`
  finds it whatever header carried it.
- `HIDDEN_REPR` and `names_only`: the reprs of the key and of headers and cookies.
- `redact_url_queries(text)` and the logging filter installed on import on the loggers of httpx, httpcore, hpack
  and httpx-retries (`LOGGERS`): every URL's query string becomes `?REDACTED`, and the key of every live
  `AuthenticatedClient` (`hide_key_in_logs`) is hidden, as text and as the repr of bytes.

It imports nothing else of the package, so that `errors`, the transports and the clients can all import it.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Iterable
from typing import Protocol

import httpx

KEY_EXTENSION = "currents_api_key"
HIDDEN_REPR = "'<hidden>'"
HIDDEN = "<hidden>"
REDACTED_QUERY = "?REDACTED"


def hide_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret in `secrets` replaced by `<hidden>`, the longest first."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


def request_secrets(request: httpx.Request) -> list[str]:
    """The API key of `request`: the one its client sent, in whatever header, and the Authorization credential."""
    secrets = []
    key = request.extensions.get(KEY_EXTENSION)
    if isinstance(key, str):
        secrets.append(key)
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    credential = credential.strip() or scheme.strip()
    if len(credential) >= 4:
        secrets.append(credential)
    return secrets


def names_only(mapping: dict[str, str]) -> str:
    """Repr of headers or cookies without their values, which may be secrets."""
    return repr(sorted(mapping))


# The query string of a URL in a log line: everything from `?` to the next space, quote, `<`, `>` or `#`. A
# pre-signed URL (X-Amz-Signature, X-Goog-Signature, sig=, token=, Signature, Key-Pair-Id, ...) carries its
# credentials there; the scheme, host and path stay. An HTTP/2 `:path` header, as hpack logs it, is one too.
_URL_QUERY = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s?#'\"<>]*|:path', b?'[^'?]*)\?[^\s#'\"<>]*")


def redact_url_queries(text: str) -> str:
    """`text` with the query string of every URL in it replaced by `?REDACTED` (scheme, host and path kept),
    as the client's log filter does to the records of httpx, httpcore and httpx-retries."""
    return _URL_QUERY.sub(lambda match: match.group(1) + REDACTED_QUERY, text)


class KeyHolder(Protocol):
    """What the log filter needs of a client: its key (an `AuthenticatedClient`)."""

    @property
    def token(self) -> str: ...


# Keyed by id(): a client compares by value, so it is not hashable. Weak: a client gone, its key is no longer
# looked for.
_LIVE_KEY_HOLDERS: weakref.WeakValueDictionary[int, KeyHolder] = weakref.WeakValueDictionary()
_LIVE_KEY_HOLDERS_LOCK = threading.Lock()


def hide_key_in_logs(holder: KeyHolder) -> None:
    """Hide `holder.token` in every record of `LOGGERS` for as long as `holder` lives."""
    with _LIVE_KEY_HOLDERS_LOCK:
        _LIVE_KEY_HOLDERS[id(holder)] = holder


class _HideAPIKeys(logging.Filter):
    """Hides, in a log record, the query string of every URL (pre-signed URLs carry their credentials there) and
    the key of every live AuthenticatedClient, as text and as the repr of bytes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format itself is left to the logging module to report
            return True
        hidden = redact_url_queries(message)
        with _LIVE_KEY_HOLDERS_LOCK:
            secrets = [holder.token for holder in list(_LIVE_KEY_HOLDERS.values())]
        if secrets:
            hidden = hide_secrets(hidden, secrets + [repr(s.encode())[2:-1] for s in secrets])
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


# The loggers that can carry a reason phrase or a header of a response: httpx's request line, httpcore's traces,
# hpack's header tables (HTTP/2) and httpx-retries' debug lines.
LOGGERS = (
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
for _name in LOGGERS:
    logging.getLogger(_name).addFilter(_LOG_FILTER)
