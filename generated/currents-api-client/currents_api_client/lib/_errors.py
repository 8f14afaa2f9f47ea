# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
# Started from openapi-python-client 0.29.1's `errors.py.jinja`; what it adds or changes: the whole exception tree of
# the client, in place of upstream's lone UnexpectedStatus.
"""Every exception the client raises, under one base class.

    CurrentsError
    ├── APIStatusError            the API answered with an error status (after any retries)
    │   ├── BadRequestError           400: a parameter is missing or invalid
    │   ├── AuthenticationError       401: the API key is missing, malformed or unknown
    │   ├── RequestFailedError        402: the parameters were valid, but the request failed
    │   ├── PermissionDeniedError     403: the API key may not read this resource
    │   ├── NotFoundError             404: no such resource
    │   ├── ConflictError             409: the request conflicts with another request
    │   ├── UnprocessableEntityError  422: the resource cannot be changed this way
    │   ├── RateLimitError            429: too many requests
    │   ├── ServerError               5xx: the API failed
    │   └── UnexpectedStatus          a status the spec does not document
    ├── InvalidResponseError      a body that is not the documented JSON
    ├── ResponseTooLargeError     a body larger than the client's `max_response_size`
    ├── PaginationError           a listing whose pages do not advance (`iterate`/`aiterate`)
    ├── APIConnectionError        no response at all (after any retries)
    │   └── APITimeoutError           the connect or read timeout fired
    │       └── DeadlineExceededError     the call's `deadline` passed, across its retries
    ├── MissingAPIKeyError        `from_env` found no API key in the environment
    ├── WebhookVerificationError  `webhooks.unwrap` refused a delivery (timestamp, secret header or body)
    └── DecodeError               a payload that fits no schema (also a ValueError)

    InsecureTransportWarning      a warning, not an error: the API key is about to go over plain http

`APIStatusError` and `InvalidResponseError` carry `status_code`, the API's
`error` message when it sent one, and the raw `response`. Their text reads
like `404 Not Found: Instance not found`. No exception ever holds the API
key in its text or repr.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import httpx

from ._redaction import hide_secrets as hide_secrets  # errors re-exports both; defined in _redaction
from ._redaction import request_secrets as request_secrets

# What decoding raises on a payload that does not fit its schema, and nothing else: a missing required field
# (KeyError), a value of the wrong type or shape (DecodeError, a ValueError), a constant or a date-time that does
# not match (ValueError), or a body that is not JSON (json.JSONDecodeError, a ValueError). A TypeError or an
# AttributeError is a bug of the client, and surfaces as itself.
DECODE_ERRORS = (KeyError, ValueError)


class CurrentsError(Exception):
    """The base class of every exception the client raises."""


class DecodeError(CurrentsError, ValueError):
    """A payload fits no schema the spec allows for it. The text says why each candidate refused it."""

    @classmethod
    def no_variant(cls, field: str, refusals: list[tuple[str, Exception]]) -> DecodeError:
        reasons = "; ".join(f"{name}: {describe(error)}" for name, error in refusals)
        return cls(f"{field} fits none of {', '.join(name for name, _ in refusals)}. {reasons}")


def json_body(response: httpx.Response) -> Any:
    """The body parsed as JSON. Raises json.JSONDecodeError, or DecodeError for JSON nested too deeply to parse."""
    try:
        return json.loads(response.content)
    except RecursionError:
        raise DecodeError("the JSON nests too deeply to decode") from None


def describe(error: BaseException) -> str:
    """One line on why a payload was refused, for any of DECODE_ERRORS."""
    if isinstance(error, KeyError) and len(error.args) == 1:
        return f"missing required field {error.args[0]!r}"
    text = str(error)
    return text if text else type(error).__name__


def _reason_phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Unknown Status"


def _redacted(text: str, response: httpx.Response) -> str:
    """`text` with the request's API key hidden, in case the server echoed it back."""
    return hide_secrets(text, request_secrets(response.request))


def _error_message(response: httpx.Response) -> str | None:
    """The `error` of the API's FAILED envelope, when the body is one."""
    try:
        body = json_body(response)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return _redacted(error, response) if isinstance(error, str) else None


class APIStatusError(CurrentsError):
    """The API answered with an error status. Subclasses name the documented ones."""

    def __init__(self, response: httpx.Response, error: str | None = None) -> None:
        self.response = response
        self.status_code = response.status_code
        self.error = _redacted(error, response) if error is not None else _error_message(response)
        summary = f"{self.status_code} {_reason_phrase(self.status_code)}"
        super().__init__(f"{summary}: {self.error}" if self.error else summary)


class BadRequestError(APIStatusError):
    """400: a parameter is missing or invalid."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, malformed or unknown."""


class RequestFailedError(APIStatusError):
    """402: the parameters were valid, but the request failed (Currents' "Request Failed")."""


class PermissionDeniedError(APIStatusError):
    """403: the API key may not read this resource."""


class NotFoundError(APIStatusError):
    """404: no such resource."""


class ConflictError(APIStatusError):
    """409: the request conflicts with another request."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well-formed, but the resource cannot be changed this way (a run already canceled)."""


class RateLimitError(APIStatusError):
    """429: too many requests, still refused after the client's retries."""


class ServerError(APIStatusError):
    """5xx: the API failed, still failing after the client's retries."""


class UnexpectedStatus(APIStatusError):
    """A status the spec does not document."""

    @property
    def content(self) -> bytes:
        """The raw body, as upstream openapi-python-client's UnexpectedStatus offers it."""
        return self.response.content


class InvalidResponseError(CurrentsError):
    """The body is not the documented JSON: not JSON at all, or JSON that fits no schema for its status."""

    def __init__(self, response: httpx.Response, reason: str) -> None:
        self.response = response
        self.status_code = response.status_code
        self.error: str | None = None
        self.reason = _redacted(reason, response)
        super().__init__(f"{self.status_code} {_reason_phrase(self.status_code)}: invalid response body: {self.reason}")


class ResponseTooLargeError(CurrentsError):
    """The body is larger than the client's `max_response_size`, counted after decompression. It was not kept."""

    def __init__(self, request: httpx.Request, status_code: int, limit: int) -> None:
        self.request = request
        self.status_code = status_code
        self.limit = limit
        super().__init__(
            f"{request.method} {request.url}: {status_code} {_reason_phrase(status_code)}: the body is larger than "
            f"max_response_size, {limit:,} bytes after decompression"
        )


class PaginationError(CurrentsError):
    """A paginated listing did not advance: a page repeated a cursor, or said more follow with no items on it,
    or pointed to a page that does not come after it. `iterate` and `aiterate` raise this instead of looping."""


class InsecureTransportWarning(UserWarning):
    """The API key is about to be sent over plain `http://` to a host that is not this machine, where anyone on
    the way can read it. An `AuthenticatedClient` warns once, before its first such request; loopback hosts
    (127.0.0.0/8, ::1, `localhost`) and `https://` never warn. Turn it into an error, or silence it, with
    `warnings.filterwarnings("error", category=InsecureTransportWarning)` (or `"ignore"`)."""


class APIConnectionError(CurrentsError):
    """The request got no response: the connection failed or broke, after the client's retries."""

    def __init__(self, request: httpx.Request, reason: str) -> None:
        self.request = request
        super().__init__(hide_secrets(f"{request.method} {request.url}: {reason}", request_secrets(request)))


class APITimeoutError(APIConnectionError):
    """The connect, read or write timeout fired, after the client's retries."""


class DeadlineExceededError(APITimeoutError):
    """The call took longer than the client's `deadline`, counting every attempt, wait and the reading of the body."""


class MissingAPIKeyError(CurrentsError):
    """No API key is set in the environment variable that `from_env` reads."""


class WebhookVerificationError(CurrentsError):
    """`webhooks.unwrap` refused a delivery. The text says which check failed and never holds the secret.

    `status_code` is the answer a receiver gives: 401 when the secret header is missing or wrong, 400 for a
    stale, future, missing or malformed `x-timestamp` and for a body that is not one of the events.
    """

    def __init__(self, message: str, *, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: RequestFailedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for_status(response: httpx.Response) -> APIStatusError:
    """The exception for an error `response`: by its status, else ServerError for 5xx, else UnexpectedStatus."""
    if response.status_code in _STATUS_ERRORS:
        return _STATUS_ERRORS[response.status_code](response)
    if 500 <= response.status_code <= 599:
        return ServerError(response)
    return UnexpectedStatus(response)


def connection_error(error: httpx.TransportError) -> APIConnectionError:
    """Our exception for an httpx transport error, which becomes its `__cause__`."""
    reason = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(error.request, f"timed out ({type(error).__name__}): {reason}")
    return APIConnectionError(error.request, f"{type(error).__name__}: {reason}")


__all__ = [
    "DECODE_ERRORS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "CurrentsError",
    "DeadlineExceededError",
    "DecodeError",
    "InsecureTransportWarning",
    "InvalidResponseError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestFailedError",
    "ResponseTooLargeError",
    "ServerError",
    "UnexpectedStatus",
    "UnprocessableEntityError",
    "WebhookVerificationError",
    "error_for_status",
]
