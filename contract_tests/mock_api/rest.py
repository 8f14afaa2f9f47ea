"""The HTTP vocabulary every resource module shares: error replies, method dispatch, ids and query values.

Scope:
- `failed(status, error)`: the FAILED envelope `{"status": "FAILED", "error": ...}` as a JSONResponse.
- `Operations`: the ASGI endpoint of one path. It maps each declared method to a handler and answers any
  other method (HEAD, OPTIONS, TRACE, ...) with `405 Method not allowed` and `Allow`, so HEAD is never
  served as GET (Starlette's `Route` would add it).
- `path_id(request, name)`: a path parameter as the id it names. `middleware.RawPathRouting` routes on
  a path whose segments are percent-encoded again, so a parameter arrives encoded and is decoded here,
  once, to bytes and then strictly as UTF-8: an id that is not UTF-8 is `None`, which every resource
  answers as an unknown id.
- `Query`: typed reads of the query string (bounded integers, ISO 8601 dates, booleans, repeated and
  bracketed arrays) that raise `BadRequest`. `Operations` turns any `Refused` (`BadRequest` is the 400
  one) into its status with the FAILED envelope, and any domain error of the backend (`errors`) into the
  status `STATUS_OF` gives its kind: the one place where the backend's refusals become HTTP.
- `json_body(request)`: the request body as JSON (at most `MAX_BODY_BYTES`), else `BadRequest`.

Limits: JSON only; handlers return complete responses (no streaming).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from contract_tests.mock_api.asgi import Receive, Scope, Send
from contract_tests.mock_api.errors import Conflict, Denied, DomainError, Invalid, NotFound
from contract_tests.mock_api.journal import Journal

Handler = Callable[[Request], Awaitable[Response]]
MAX_BODY_BYTES = 1 << 20
MAX_INTEGER_DIGITS = 4000
METHOD_NOT_ALLOWED = "Method not allowed"


class Refused(Exception):
    """A request the mock answers with this status and the FAILED envelope carrying this message."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(Refused):
    """A request the mock refuses with 400 and this message."""


# The status of each kind of domain error the backend raises.
STATUS_OF: dict[type[DomainError], int] = {NotFound: 404, Denied: 403, Invalid: 400, Conflict: 422}


def status_of(error: DomainError) -> int:
    return next(status for kind, status in STATUS_OF.items() if isinstance(error, kind))


class OKResponse(JSONResponse):
    """A JSON body serialized compactly, keeping non-ASCII characters."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ok(body: Mapping[str, Any], status: int = 200) -> Response:
    return OKResponse(body, status_code=status)


def failed(status: int, error: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"status": "FAILED", "error": error}, status_code=status, headers=headers)


def raw(body: bytes, status: int = 200) -> Response:
    """Stored body bytes, sent unchanged."""
    return Response(body, status_code=status, media_type="application/json")


class Operations:
    """The ASGI endpoint of one path: a handler per declared method, 405 with `Allow` for any other.

    Every answered request is recorded in the journal with the path's ids (decoded) and the body sent."""

    def __init__(self, template: str, handlers: Mapping[str, Handler], journal: Journal) -> None:
        self.template = template
        self.handlers = dict(handlers)
        self.allow = ", ".join(self.handlers)
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        handler = self.handlers.get(request.method)
        if handler is None:
            response = failed(405, METHOD_NOT_ALLOWED, {"Allow": self.allow})
        else:
            try:
                response = await handler(request)
            except Refused as error:
                response = failed(error.status, error.message)
            except DomainError as error:
                response = failed(status_of(error), error.message)
            ids = {name: value for name in request.path_params if (value := path_id(request, name)) is not None}
            body = json.loads(bytes(response.body)) if 200 <= response.status_code < 300 else None
            self.journal.exchange((request.method, self.template), ids, response.status_code, body)
        await response(scope, receive, send)


def path_id(request: Request, name: str) -> str | None:
    """The path parameter `name`, percent-decoded; None when it is not valid UTF-8 (an unknown id)."""
    encoded = request.path_params.get(name)
    if not isinstance(encoded, str):
        return None
    try:
        return unquote_to_bytes(encoded).decode("utf-8")
    except UnicodeDecodeError:
        return None


class Query:
    """Typed reads of a request's query string. Every refusal is a `BadRequest` naming the parameter."""

    def __init__(self, request: Request) -> None:
        self.params = request.query_params

    def text(self, name: str, max_length: int | None = None) -> str | None:
        values = self.params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise BadRequest(f"Invalid {name} parameter. Send it once")
        if max_length is not None and len(values[0]) > max_length:
            raise BadRequest(f"Invalid {name} parameter. At most {max_length} characters")
        return values[0]

    def array(self, *names: str) -> list[str]:
        """Every value sent under any of `names` (e.g. `tags[]` and the deprecated `tag`), in order."""
        return [value for name in names for value in self.params.getlist(name)]

    def integer(self, name: str, default: int, low: int, high: int | None = None) -> int:
        text = self.text(name)
        if text is None:
            return default
        value = parse_integer(text)
        if value is None or value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"{low} or more"
            raise BadRequest(f"Invalid {name} parameter. Must be {bound}")
        return value

    def boolean(self, name: str) -> bool | None:
        text = self.text(name)
        if text is None:
            return None
        if text not in ("true", "false"):
            raise BadRequest(f"Invalid {name} parameter. Must be true or false")
        return text == "true"

    def date(self, name: str, required: bool = False, end_of_day: bool = False) -> dt.datetime | None:
        text = self.text(name)
        if text is None:
            if required:
                raise BadRequest("date_start and date_end are required parameters")
            return None
        value = parse_date(text, end_of_day)
        if value is None:
            raise BadRequest(f"Invalid {name} parameter. Expected an ISO 8601 date or date-time")
        return value

    def date_range(self, required: bool) -> tuple[dt.datetime | None, dt.datetime | None]:
        # A range that ends before it starts is not refused: it matches nothing.
        return self.date("date_start", required), self.date("date_end", required, end_of_day=True)


def parse_integer(text: str) -> int | None:
    """A plain decimal integer (an optional sign, then ASCII digits), else None. The schema bounds no
    length, so a page number of 40 digits is a page past the end, not an error; at most
    `MAX_INTEGER_DIGITS` digits are read (Python's own limit for converting text is 4300)."""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or len(digits) > MAX_INTEGER_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return int(text)


DATE_PATTERN = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"(?:[Tt ](?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])"
    r"(?::(?P<second>[0-5][0-9])(?:\.(?P<fraction>[0-9]{1,9}))?)?"
    r"(?P<zone>[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?)?"
)


def parse_date(text: str, end_of_day: bool = False) -> dt.datetime | None:
    """An ISO 8601 date or date-time (the spec's pattern) as an aware UTC datetime, else None.

    A day past the end of its month rolls over into the next month, as JavaScript's `Date` reads
    `2026-02-30`. A bare date is the start of that day in UTC, or with `end_of_day` the last instant of
    it, so that `date_end=2026-01-31` includes the 31st. A date-time without an offset is taken as UTC."""
    match = DATE_PATTERN.fullmatch(text)
    if match is None:
        return None
    try:
        return moment_of(match.groupdict(), end_of_day)
    except (ValueError, OverflowError):  # beyond Python's years 1 to 9999: the earliest or latest moment
        return EARLIEST if match.group("year") < "5000" else LATEST


EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def moment_of(parts: dict[str, str | None], end_of_day: bool) -> dt.datetime:
    day = dt.datetime(int(parts["year"] or 0), int(parts["month"] or 0), 1, tzinfo=dt.UTC) + dt.timedelta(
        days=int(parts["day"] or 0) - 1
    )
    if parts["hour"] is None:
        return day + dt.timedelta(days=1, microseconds=-1) if end_of_day else day
    fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
    moment = day.replace(
        hour=int(parts["hour"]),
        minute=int(parts["minute"] or 0),
        second=int(parts["second"] or 0),
        microsecond=int(fraction),
    )
    zone = parts["zone"]
    if zone and zone not in "Zz":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


async def json_body(request: Request) -> Any:
    """The request body parsed as JSON, or `BadRequest`."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest(f"Invalid request body. At most {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("Invalid request body. Expected JSON") from None
